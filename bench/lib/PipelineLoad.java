import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pipelined multi-get load for bench/pipeline.sh: CONNS connections, each sending batches of BATCH key
 * lookups and waiting for the whole batch's replies before the next one.
 *
 * <pre>
 * java bench/lib/PipelineLoad.java HOST PORT MODE CONNS BATCH SECONDS KEYS VALUE_BYTES WARMUP [load]
 *   MODE meta: BATCH "mg key v" lines then "mn" (replies end at "MN")
 *        text: one "get k1 ... kBATCH" line (replies end at "END")
 *   load: first stores KEYS keys of VALUE_BYTES bytes (with ms), then runs
 * </pre>
 * WARMUP seconds of the same load run first, unmeasured (both JITs and the server's caches warm up).
 * Prints "keys_per_s <n> batches_per_s <n> misses <n>". Runs single-file with JDK 25, nothing else needed.
 */
public final class PipelineLoad {
    public static void main(String[] a) throws Exception {
        String host = a[0];
        int port = Integer.parseInt(a[1]);
        String mode = a[2];
        int conns = Integer.parseInt(a[3]);
        int batch = Integer.parseInt(a[4]);
        int seconds = Integer.parseInt(a[5]);
        int keys = Integer.parseInt(a[6]);
        int valueBytes = Integer.parseInt(a[7]);
        int warmup = Integer.parseInt(a[8]);
        if (a.length > 9 && a[9].equals("load")) {
            load(host, port, keys, valueBytes);
        }
        if (warmup > 0) {
            run(host, port, mode, conns, batch, warmup, keys);
        }
        double[] r = run(host, port, mode, conns, batch, seconds, keys);
        System.out.printf("keys_per_s %.0f batches_per_s %.0f misses %.0f%n", r[0], r[1], r[2]);
    }

    /** {keys/s, batches/s, misses} of SECONDS of load. */
    private static double[] run(String host, int port, String mode, int conns, int batch, int seconds, int keys)
            throws InterruptedException {
        AtomicLong found = new AtomicLong();
        AtomicLong batches = new AtomicLong();
        AtomicLong misses = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < conns; c++) {
            int seed = c;
            threads.add(Thread.ofPlatform().start(() -> {
                try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(host, port))) {
                    ch.socket().setTcpNoDelay(true);
                    java.util.Random r = new java.util.Random(seed);
                    ByteBuffer in = ByteBuffer.allocateDirect(4 << 20);
                    byte[] terminator = (mode.equals("meta") ? "MN\r\n" : "END\r\n").getBytes(StandardCharsets.US_ASCII);
                    while (System.nanoTime() < end) {
                        StringBuilder sb = new StringBuilder(batch * 16);
                        if (mode.equals("meta")) {
                            for (int i = 0; i < batch; i++) {
                                sb.append("mg key:").append(r.nextInt(keys)).append(" v\r\n");
                            }
                            sb.append("mn\r\n");
                        } else {
                            sb.append("get");
                            for (int i = 0; i < batch; i++) {
                                sb.append(" key:").append(r.nextInt(keys));
                            }
                            sb.append("\r\n");
                        }
                        ByteBuffer out = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
                        while (out.hasRemaining()) {
                            ch.write(out);
                        }
                        in.clear();
                        int values = readUntil(ch, in, terminator);
                        found.addAndGet(values);
                        misses.addAndGet(batch - values);
                        batches.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
        long started = System.nanoTime();
        for (Thread t : threads) {
            t.join();
        }
        double secs = (System.nanoTime() - started) / 1e9;
        return new double[] {(found.get() + misses.get()) / secs, batches.get() / secs, misses.get()};
    }

    /** Reads replies until they end with {@code terminator}; returns how many values ("VA "/"VALUE ") came. */
    private static int readUntil(SocketChannel ch, ByteBuffer in, byte[] terminator) throws IOException {
        int scanned = 0;
        int values = 0;
        while (true) {
            if (ch.read(in) < 0) {
                throw new IOException("closed");
            }
            int n = in.position();
            // count value lines in the new bytes (a value's data never starts a line with these here)
            for (int i = scanned; i + 3 <= n; i++) {
                if ((i == 0 || in.get(i - 1) == '\n') && in.get(i) == 'V' && in.get(i + 1) == 'A') {
                    values++;
                }
            }
            scanned = Math.max(0, n - 3);
            if (n >= terminator.length) {
                boolean done = true;
                for (int i = 0; i < terminator.length; i++) {
                    if (in.get(n - terminator.length + i) != terminator[i]) {
                        done = false;
                        break;
                    }
                }
                if (done && (n == terminator.length || in.get(n - terminator.length - 1) == '\n')) {
                    return values;
                }
            }
        }
    }

    private static void load(String host, int port, int keys, int valueBytes) throws IOException {
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(host, port))) {
            String value = "v".repeat(valueBytes);
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < keys; k++) {
                sb.append("ms key:").append(k).append(' ').append(valueBytes).append(" q\r\n").append(value).append("\r\n");
                if (sb.length() > 1 << 20 || k == keys - 1) {
                    sb.append("mn\r\n");
                    ByteBuffer out = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
                    while (out.hasRemaining()) {
                        ch.write(out);
                    }
                    ByteBuffer in = ByteBuffer.allocate(1 << 16);
                    readUntil(ch, in, "MN\r\n".getBytes(StandardCharsets.US_ASCII));
                    sb.setLength(0);
                }
            }
        }
    }
}
