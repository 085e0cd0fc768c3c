package memfleet.node.it.robustness;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.differential.WireConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Junk over many connections at once: 32 workers for 8 seconds, each opening connection after connection and
 * sending one kind of bad input (binary noise, binary-protocol headers with absurd lengths, 100 KB lines without a
 * newline, 1 MB unfinished {@code get} lines, partial commands then a close, {@code set k 0 0 2000000000}, a
 * close in the middle of a value, slowloris byte-at-a-time lines, thousands of pipelined gets whose replies are
 * never read, mutated commands). Meanwhile a well-behaved client sets and gets and must always get the right
 * answer. Afterwards the subject still serves, {@code curr_connections} is back to its baseline and its resident
 * set is at most {@value #RSS_GROWTH_BOUND_MB} MB above what it was before the junk.
 *
 * <p>Deterministic junk (each worker's own seed); nothing here asserts timing. Run on memcached and on the node.
 */
@ServerTest(shared = false)
@Timeout(value = 60, unit = SECONDS)
class BadInputIT {
    private static final int WORKERS = 32;
    private static final Duration JUNK_TIME = Duration.ofSeconds(8);
    private static final int RSS_GROWTH_BOUND_MB = 64;
    private static final long SEED = 0xBAD_1DEAL;

    @Test
    void junkOnManyConnectionsLeavesTheServerServingAndItsResourcesBounded(ServerRun run) throws Exception {
        ServerProcess server = run.start("-m", "64", "-t", "2");
        try (WireConnection observer = new WireConnection(server)) {
            WellBehavedClient good = new WellBehavedClient(server);
            good.warmUp();
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.stat("curr_connections") == 2);
            long baselineConnections = 1;
            long baselineRss = server.rssBytes();

            Thread goodThread = Thread.ofPlatform().name("well-behaved").start(good);
            long deadline = System.nanoTime() + JUNK_TIME.toNanos();
            ConcurrentMap<String, AtomicLong> actions = new ConcurrentHashMap<>();
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                Junk junk = new Junk(server, new Random(SEED + w), actions);
                workers.add(Thread.ofPlatform().daemon().name("junk-" + w).start(() -> junk.runUntil(deadline)));
            }
            for (Thread worker : workers) {
                worker.join(Duration.ofSeconds(30));
                assertThat(worker.isAlive()).as(worker.getName() + " finished").isFalse();
            }
            good.stop();
            goodThread.join(Duration.ofSeconds(30));
            long peakRss = server.rssBytes();

            System.out.printf("bad input against %s: junk actions %s; well-behaved operations %d; RSS %d MB before,"
                            + " %d MB after%n",
                    run.kind(), actions, good.operations(), baselineRss >> 20, peakRss >> 20);
            assertThat(server.process().isAlive()).as("the server process is alive").isTrue();
            assertThat(good.failure()).as("the well-behaved client's first wrong answer").isNull();
            assertThat(good.operations()).as("well-behaved operations during the junk").isGreaterThan(100);
            assertThat(observer.call("version\r\n")).startsWith("VERSION ");

            await().atMost(Duration.ofSeconds(15))
                    .until(() -> observer.stat("curr_connections") == baselineConnections);
            long rss = server.rssBytes();
            assertThat(rss).as("RSS after the junk, in bytes, against %d MB before", baselineRss >> 20)
                    .isLessThanOrEqualTo(baselineRss + ((long) RSS_GROWTH_BOUND_MB << 20));
        }
    }

    /** Sets a value, gets it back and checks it, over and over, on a bounded set of keys. */
    private static final class WellBehavedClient implements Runnable {
        private final WireConnection connection;
        private final Random random = new Random(SEED);
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong operations = new AtomicLong();
        private final AtomicReference<String> failure = new AtomicReference<>();
        private long counter;

        WellBehavedClient(ServerProcess server) {
            connection = new WireConnection(server);
        }

        void warmUp() {
            connection.call("set good:counter 0 0 1\r\n0\r\n");
            for (int i = 0; i < 200; i++) {
                step(i);
            }
        }

        @Override
        public void run() {
            try {
                for (int i = 0; running.get() && failure.get() == null; i++) {
                    step(i);
                }
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e.toString());
            } finally {
                connection.close();
            }
        }

        private void step(int i) {
            String key = "good:" + (i % 100);
            byte[] value = new byte[1 + random.nextInt(20_000)];
            random.nextBytes(value);
            byte[] set = ("set " + key + " " + i + " 0 " + value.length + "\r\n").getBytes(ISO_8859_1);
            connection.write(concat(set, value, "\r\n".getBytes(ISO_8859_1)));
            expectLine("STORED\r\n", key);
            connection.write("get " + key + "\r\n");
            expectLine("VALUE " + key + " " + i + " " + value.length + "\r\n", key);
            try {
                byte[] data = connection.readExact(value.length + 2);
                if (!Arrays.equals(Arrays.copyOf(data, value.length), value)) {
                    failure.compareAndSet(null, "wrong value for " + key);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            expectLine("END\r\n", key);
            if (i % 10 == 0) {
                counter++;
                expectReply("incr good:counter 1\r\n", counter + "\r\n");
            }
            operations.incrementAndGet();
        }

        private void expectReply(String command, String expected) {
            connection.write(command);
            expectLine(expected, command.strip());
        }

        private void expectLine(String expected, String context) {
            try {
                byte[] line = connection.readLine();
                String text = line == null ? "<closed>" : new String(line, ISO_8859_1);
                if (!text.equals(expected)) {
                    failure.compareAndSet(null, context + ": expected " + expected.strip() + ", got " + text.strip());
                    throw new IllegalStateException(failure.get());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(context, e);
            }
        }

        void stop() {
            running.set(false);
        }

        long operations() {
            return operations.get();
        }

        String failure() {
            return failure.get();
        }
    }

    /** One worker's junk: a random kind of bad input per connection until the deadline. */
    private static final class Junk {
        private final ServerProcess server;
        private final Random random;
        private final ConcurrentMap<String, AtomicLong> actions;

        Junk(ServerProcess server, Random random, ConcurrentMap<String, AtomicLong> actions) {
            this.server = server;
            this.random = random;
            this.actions = actions;
        }

        void runUntil(long deadline) {
            while (System.nanoTime() < deadline) {
                int kind = random.nextInt(12);
                String name = switch (kind) {
                    case 0 -> "noise";
                    case 1 -> "binary-header";
                    case 2 -> "long-line";
                    case 3 -> "long-get-line";
                    case 4 -> "partial-command";
                    case 5 -> "huge-length";
                    case 6 -> "close-mid-value";
                    case 7 -> "slowloris";
                    case 8 -> "unread-replies";
                    case 9 -> "mutated-commands";
                    case 10 -> "connect-close";
                    default -> "many-small-junk-lines";
                };
                actions.computeIfAbsent(name, n -> new AtomicLong()).incrementAndGet();
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(server.host(), server.port()), 5000);
                    socket.setSoTimeout(200);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = socket.getInputStream();
                    switch (kind) {
                        case 0 -> out.write(noise(1 + random.nextInt(65_536)));
                        case 1 -> out.write(binaryHeader());
                        case 2 -> out.write(repeat((byte) 'x', 100_000));
                        case 3 -> writeLongGet(out, 256 * 1024 + random.nextInt(768 * 1024));
                        case 4 -> out.write(partialCommand().getBytes(ISO_8859_1));
                        case 5 -> {
                            out.write("set junk:huge 0 0 2000000000\r\n".getBytes(ISO_8859_1));
                            out.write(noise(random.nextInt(100_000)));
                        }
                        case 6 -> {
                            out.write("set junk:half 0 0 1000000\r\n".getBytes(ISO_8859_1));
                            out.write(noise(random.nextInt(1_000_000)));
                        }
                        case 7 -> slowloris(out, deadline);
                        case 8 -> unreadReplies(out);
                        case 9 -> out.write(mutatedCommands().getBytes(ISO_8859_1));
                        case 10 -> { }
                        default -> out.write(junkLines().getBytes(ISO_8859_1));
                    }
                    out.flush();
                    if (kind != 3 && kind != 7 && kind != 8) {
                        drain(in); // the others expect no reply, or one too large to want
                    }
                } catch (IOException expected) {
                    // servers close junk connections, often with a reset: that is the point
                }
            }
        }

        private byte[] noise(int length) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            if (length > 0 && bytes[0] == (byte) 0x80) {
                bytes[0] = 0x7f; // binary protocol junk has its own kind, which avoids flush commands
            }
            return bytes;
        }

        /**
         * A binary-protocol request header (magic 0x80) with random lengths, often absurd, and a random body; never
         * a flush (0x08, 0x18), which would wipe the well-behaved client's values, nor verbosity (0x1b).
         */
        private byte[] binaryHeader() {
            byte[] header = noise(24 + random.nextInt(200));
            header[0] = (byte) 0x80;
            int opcode;
            do {
                opcode = random.nextInt(0x20);
            } while (opcode == 0x08 || opcode == 0x18 || opcode == 0x1b);
            header[1] = (byte) opcode;
            return header;
        }

        private void writeLongGet(OutputStream out, int length) throws IOException {
            out.write("get".getBytes(ISO_8859_1));
            byte[] keys = " junk:key".repeat(8192).getBytes(ISO_8859_1);
            for (int written = 0; written < length; written += keys.length) {
                out.write(keys);
            }
        }

        private String partialCommand() {
            String full = switch (random.nextInt(6)) {
                case 0 -> "set junk:p 0 0 100\r\n" + "v".repeat(100) + "\r\n";
                case 1 -> "get junk:p junk:q junk:r\r\n";
                case 2 -> "gets junk:p\r\n";
                case 3 -> "incr junk:counter 1\r\n";
                case 4 -> "cas junk:p 0 0 5 12345\r\nhello\r\n";
                default -> "touch junk:p 1000\r\n";
            };
            return full.substring(0, random.nextInt(full.length()));
        }

        private void slowloris(OutputStream out, long deadline) throws IOException {
            byte[] line = "get junk:slow junk:slower junk:slowest".getBytes(ISO_8859_1);
            for (int i = 0; i < line.length && System.nanoTime() < deadline; i++) {
                out.write(line[i]);
                out.flush();
                sleep(50 + random.nextInt(100));
            }
        }

        /** Thousands of gets of a 100 KB value, replies never read: the server must not buffer them all. */
        private void unreadReplies(OutputStream out) throws IOException {
            out.write(("set junk:big 0 0 100000\r\n" + "b".repeat(100_000) + "\r\n").getBytes(ISO_8859_1));
            byte[] gets = "get junk:big\r\n".repeat(100).getBytes(ISO_8859_1);
            for (int i = 0; i < 20; i++) {
                out.write(gets);
            }
            out.flush();
            sleep(300);
        }

        /** Valid commands with a few bytes changed at random. */
        private String mutatedCommands() {
            String[] commands = {
                "set junk:m 0 0 5\r\nhello\r\n", "get junk:m junk:n\r\n", "gets junk:m\r\n", "incr junk:m 5\r\n",
                "decr junk:m 5\r\n", "delete junk:m\r\n", "touch junk:m 100\r\n", "gat 100 junk:m\r\n",
                "append junk:m 0 0 3\r\nabc\r\n", "cas junk:m 0 0 1 99\r\nx\r\n", "stats\r\n", "version\r\n"
            };
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                char[] command = commands[random.nextInt(commands.length)].toCharArray();
                for (int flips = random.nextInt(3); flips > 0; flips--) {
                    command[random.nextInt(command.length)] = (char) ('!' + random.nextInt(94));
                }
                out.append(command);
            }
            return out.toString();
        }

        private String junkLines() {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                int length = random.nextInt(80);
                for (int j = 0; j < length; j++) {
                    out.append((char) (' ' + random.nextInt(95)));
                }
                out.append(random.nextBoolean() ? "\r\n" : "\n");
            }
            return out.toString();
        }

        private static void drain(InputStream in) {
            byte[] sink = new byte[65_536];
            try {
                while (in.read(sink) >= 0) {
                    // read until the server closes or stays silent for the socket timeout
                }
            } catch (IOException silentOrReset) {
                // done
            }
        }

        private static byte[] repeat(byte b, int n) {
            byte[] bytes = new byte[n];
            Arrays.fill(bytes, b);
            return bytes;
        }
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
