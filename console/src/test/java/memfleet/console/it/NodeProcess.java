package memfleet.console.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A memfleet node as a real process on a loopback port, started from the jar the node module built, and a plain
 * socket client for it (tests write and read items the way any memcached client would).
 */
final class NodeProcess implements AutoCloseable {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final int port;
    private final String[] args;
    private Process process;
    private Path log;

    private NodeProcess(int port, String... args) {
        this.port = port;
        this.args = args;
    }

    static NodeProcess start(String... args) {
        NodeProcess n = new NodeProcess(freePort(), args);
        n.restart();
        return n;
    }

    /** A node on a port chosen beforehand (a replication peer must know it before the node starts). */
    static NodeProcess startOn(int port, String... args) {
        NodeProcess n = new NodeProcess(port, args);
        n.restart();
        return n;
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("memfleet.node.jar", "../node/target/memfleet-node.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("node jar not built: " + jar.toAbsolutePath());
        }
        return jar;
    }

    /** Starts (again) on the same port; retries while the port is still held by the last run. */
    void restart() {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-XX:+UseSerialGC", "-Xms16m", "-Xmx64m",
                "-XX:TieredStopAtLevel=1", "-jar", jar().toString(), "-p", Integer.toString(port), "-l", "127.0.0.1",
                "-m", "16", "-t", "1", "-vv"));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("-u", "root"));
        }
        cmd.addAll(List.of(args));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                log = Files.createTempFile("node-" + port + "-", ".log");
                process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            while (process.isAlive() && System.nanoTime() < deadline) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return;
                } catch (IOException notYet) {
                    sleep(50);
                }
            }
            if (System.nanoTime() >= deadline) {
                throw new IllegalStateException("node did not start on " + port + ": " + output());
            }
            sleep(500);
        }
    }

    /** Stops the process (SIGTERM, then SIGKILL) and waits for it. */
    void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends {@code signal} (e.g. {@code STOP}, {@code CONT}) to this process only, by its pid. */
    void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String id() {
        return "127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** Sends {@code request} and reads until the reply ends with {@code terminator}. */
    String send(String request, String terminator) {
        return send(request.getBytes(StandardCharsets.UTF_8), terminator);
    }

    /** Sends raw bytes (keys that are not UTF-8) and reads until the reply ends with {@code terminator}. */
    String send(byte[] request, String terminator) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder sb = new StringBuilder();
            byte[] buf = new byte[8192];
            while (!sb.toString().endsWith(terminator)) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            return sb.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String set(String key, int flags, String value) {
        return send("set " + key + " " + flags + " 0 " + value.getBytes(StandardCharsets.UTF_8).length + "\r\n"
                + value + "\r\n", "\r\n").strip();
    }

    /** The {@code gets} reply, e.g. {@code VALUE k 0 2 7\r\nhi\r\nEND\r\n}. */
    String gets(String key) {
        return send("gets " + key + "\r\n", "END\r\n");
    }

    @Override
    public void close() {
        stop();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
