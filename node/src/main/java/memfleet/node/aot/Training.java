package memfleet.node.aot;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import memfleet.node.Main;

/**
 * Runs a node in this JVM on free loopback ports and drives it for a few seconds with what clients send: text
 * get/set/multi-get/incr/delete/touch, meta commands, binary get/set, UDP gets, pipelined and one by one, from
 * several threads that reconnect in waves; then shuts it down so the JVM exits and writes its AOT cache.
 *
 * <p>Run as {@code java -XX:AOTCacheOutput=memfleet-node.aot -cp memfleet-node.jar memfleet.node.aot.Training
 * [seconds]}; the node's flags are the defaults plus {@code -A} (for the final {@code shutdown}).
 */
public final class Training {
    private static final byte[] VALUE = "v".repeat(100).getBytes(US_ASCII);

    private Training() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 6;
        int port = freePort();
        int udpPort = freePort();
        List<String> flags = new ArrayList<>(List.of("-p", Integer.toString(port), "-U", Integer.toString(udpPort),
                "-l", "127.0.0.1", "-A", "-m", "64", "-c", "4096"));
        if ("root".equals(System.getProperty("user.name"))) {
            flags.addAll(List.of("-u", "root"));
        }
        int[] exit = {-1};
        Thread node = Thread.ofPlatform().name("training-node").start(() -> {
            try {
                exit[0] = Main.run(flags.toArray(String[]::new));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitListening(port);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> clients = new ArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        for (int t = 0; t < 4; t++) {
            int id = t;
            clients.add(Thread.ofPlatform().name("training-client-" + t)
                    .start(() -> failures.addAndGet(drive(port, udpPort, id, end))));
        }
        for (Thread c : clients) {
            c.join();
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write("shutdown\r\n".getBytes(US_ASCII));
            s.getInputStream().read();
        }
        node.join(30_000);
        System.out.println("memfleet AOT training: " + seconds + " s of requests, " + failures.get()
                + " failed connections, node exited " + exit[0]);
        System.exit(exit[0] == 0 ? 0 : 1);
    }

    /**
     * One client: connections of 2,000 requests each, a mix of every protocol, until {@code end}. Binary requests
     * go over a connection of their own, since a connection's first byte fixes its protocol (as in memcached).
     * Returns the number of connections that failed.
     */
    private static int drive(int port, int udpPort, int id, long end) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int failures = 0;
        try (DatagramSocket udp = new DatagramSocket()) {
            udp.setSoTimeout(1000);
            while (System.nanoTime() < end) {
                try (Socket s = connect(port); Socket b = connect(port)) {
                    OutputStream out = s.getOutputStream();
                    InputStream in = s.getInputStream();
                    for (int i = 0; i < 2000 && System.nanoTime() < end; i++) {
                        String key = "train:" + id + ":" + random.nextInt(5000);
                        switch (random.nextInt(12)) {
                            case 0, 1, 2 -> text(out, in, "get " + key + "\r\n", "END\r\n");
                            case 3 -> set(out, in, key);
                            case 4 -> text(out, in, "get " + key + " " + key + "x " + key + "y\r\n", "END\r\n");
                            // meta replies end with a line or a value block: the mn after them marks the end
                            case 5 -> text(out, in, "mg " + key + " v f t c\r\nmn\r\n", "MN\r\n");
                            case 6 -> text(out, in, "ms " + key + " 3 T0\r\nabc\r\nmn\r\n", "MN\r\n");
                            case 7 -> text(out, in, "incr n" + id + " 1\r\n", "\r\n");
                            case 8 -> text(out, in, "touch " + key + " 100\r\ndelete " + key + "x\r\nmn\r\n", "MN\r\n");
                            case 9 -> binaryGetAndSet(b.getOutputStream(), b.getInputStream(), key);
                            case 10 -> pipelined(out, in, key);
                            default -> udpGet(udp, udpPort, key);
                        }
                    }
                    text(out, in, "set n" + id + " 0 0 1\r\n0\r\n", "\r\n");
                } catch (IOException e) {
                    failures++;
                    System.err.println("training client " + id + ": " + e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return failures;
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setTcpNoDelay(true);
        s.setSoTimeout(5000);
        return s;
    }

    private static void set(OutputStream out, InputStream in, String key) throws IOException {
        out.write(("set " + key + " 0 0 " + VALUE.length + "\r\n").getBytes(US_ASCII));
        out.write(VALUE);
        text(out, in, "\r\n", "\r\n");
    }

    private static void pipelined(OutputStream out, InputStream in, String key) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            sb.append(i % 4 == 0 ? "set " + key + i + " 0 0 3\r\nabc\r\n" : "get " + key + i + "\r\n");
        }
        text(out, in, sb.append("mn\r\n").toString(), "MN\r\n");
    }

    /** Sends {@code request} and reads until the reply ends with {@code end}. */
    private static void text(OutputStream out, InputStream in, String request, String end) throws IOException {
        out.write(request.getBytes(US_ASCII));
        out.flush();
        byte[] tail = end.getBytes(US_ASCII);
        byte[] last = new byte[tail.length];
        int seen = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the training node closed the connection");
            }
            System.arraycopy(last, 1, last, 0, last.length - 1);
            last[last.length - 1] = (byte) b;
            if (++seen >= tail.length && java.util.Arrays.equals(last, tail)) {
                return;
            }
        }
    }

    /** A binary SET then a binary GET of {@code key}, each answered with a 24-byte header and its body. */
    private static void binaryGetAndSet(OutputStream out, InputStream in, String key) throws IOException {
        byte[] k = key.getBytes(US_ASCII);
        out.write(binary(0x01, k, 8, VALUE));
        out.write(binary(0x00, k, 0, new byte[0]));
        out.flush();
        for (int r = 0; r < 2; r++) {
            byte[] header = in.readNBytes(24);
            int body = ((header[8] & 0xff) << 24) | ((header[9] & 0xff) << 16) | ((header[10] & 0xff) << 8)
                    | (header[11] & 0xff);
            in.readNBytes(body);
        }
    }

    private static byte[] binary(int opcode, byte[] key, int extras, byte[] value) {
        int body = extras + key.length + value.length;
        byte[] p = new byte[24 + body];
        p[0] = (byte) 0x80;
        p[1] = (byte) opcode;
        p[2] = (byte) (key.length >> 8);
        p[3] = (byte) key.length;
        p[4] = (byte) extras;
        p[8] = (byte) (body >> 24);
        p[9] = (byte) (body >> 16);
        p[10] = (byte) (body >> 8);
        p[11] = (byte) body;
        System.arraycopy(key, 0, p, 24 + extras, key.length);
        System.arraycopy(value, 0, p, 24 + extras + key.length, value.length);
        return p;
    }

    private static void udpGet(DatagramSocket udp, int port, String key) throws IOException {
        byte[] request = ("\0\1\0\0\0\1\0\0get " + key + "\r\n").getBytes(US_ASCII);
        udp.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), port));
        try {
            udp.receive(new DatagramPacket(new byte[1500], 1500));
        } catch (java.net.SocketTimeoutException lost) {
            // UDP: a lost reply only means one fewer sample
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitListening(int port) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("the training node did not listen on port " + port);
    }
}
