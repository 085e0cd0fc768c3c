package memfleet.node.it.parity;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.TextConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How memcached starts up where its documentation is silent: with no {@code -p} it listens on 11211; with
 * {@code MEMCACHED_PORT_FILENAME} it writes one line per TCP, then per UDP listener ({@code TCP INET: <port>},
 * {@code UDP INET6: <port>}) with the port it got, so {@code -p -1 -U -1} (any free port) can be found; {@code
 * -p 0} is no TCP listener at all, and the file is still written.
 */
@ServerTest(shared = false)
@Timeout(value = 60, unit = SECONDS)
class StartupIT {
    /** The kind of server this run starts itself: start-up is what these tests look at. */
    private final String kind;

    StartupIT(ServerRun run) {
        this.kind = run.kind();
    }

    @TempDir
    Path dir;

    /** Starts the server with {@code args} and the port file; returns the file's lines once it is there. */
    private List<String> start(Process[] holder, String... args) throws Exception {
        Path file = dir.resolve("ports");
        holder[0] = ServerProcess.spawn(kind, Map.of("MEMCACHED_PORT_FILENAME", file.toString()), args);
        for (int i = 0; i < 300 && !Files.exists(file); i++) {
            assertThat(holder[0].isAlive()).as("server running").isTrue();
            Thread.sleep(50);
        }
        assertThat(file).exists();
        assertThat(dir.resolve("ports.lck")).doesNotExist();
        return Files.readAllLines(file);
    }

    private static void stop(Process p) throws InterruptedException {
        if (p != null) {
            p.destroy();
            if (!p.waitFor(10, SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static int port(String line) {
        return Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
    }

    private static String udpVersion(String host, int port) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(5000);
            byte[] req = "\0\1\0\0\0\1\0\0version\r\n".getBytes(StandardCharsets.ISO_8859_1);
            s.send(new DatagramPacket(req, req.length, new InetSocketAddress(host, port)));
            byte[] buf = new byte[1500];
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            s.receive(reply);
            return new String(buf, 8, reply.getLength() - 8, StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void anyFreePortIsWrittenToThePortFile() throws Exception {
        Process[] p = new Process[1];
        try {
            List<String> lines = start(p, "-p", "-1", "-U", "-1", "-l", "127.0.0.1");
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).matches("TCP INET: \\d+");
            assertThat(lines.get(1)).matches("UDP INET: \\d+");
            try (TextConnection c = new TextConnection("127.0.0.1", port(lines.get(0)))) {
                assertThat(c.call("version\r\n")).isEqualTo("VERSION 1.6.18\r\n");
            }
            assertThat(udpVersion("127.0.0.1", port(lines.get(1)))).isEqualTo("VERSION 1.6.18\r\n");
        } finally {
            stop(p[0]);
        }
    }

    @Test
    void everyAddressGetsItsLineTcpFirst() throws Exception {
        Process[] p = new Process[1];
        try {
            List<String> lines = start(p, "-p", "-1", "-U", "-1", "-l", "127.0.0.1,[::1]");
            assertThat(lines).hasSize(4);
            assertThat(lines.get(0)).matches("TCP INET: \\d+");
            assertThat(lines.get(1)).matches("TCP INET6: \\d+");
            assertThat(lines.get(2)).matches("UDP INET: \\d+");
            assertThat(lines.get(3)).matches("UDP INET6: \\d+");
            try (TextConnection c = new TextConnection("::1", port(lines.get(1)))) {
                assertThat(c.call("version\r\n")).isEqualTo("VERSION 1.6.18\r\n");
            }
        } finally {
            stop(p[0]);
        }
    }

    @Test
    void portZeroIsNoTcpListenerAndTheFileIsStillWritten() throws Exception {
        Process[] p = new Process[1];
        try {
            List<String> lines = start(p, "-p", "0", "-U", "-1", "-l", "127.0.0.1");
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0)).matches("UDP INET: \\d+");
        } finally {
            stop(p[0]);
        }
    }

    @Test
    void withoutDashPTheServerListensOn11211() throws Exception {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 11211));
        } catch (IOException busy) {
            assumeTrue(false, "port 11211 is in use here");
        }
        Process p = ServerProcess.spawn(kind, Map.of(), "-l", "127.0.0.1");
        try {
            String reply = null;
            for (int i = 0; i < 300 && reply == null; i++) {
                try (TextConnection c = new TextConnection("127.0.0.1", 11211)) {
                    reply = c.call("version\r\n");
                } catch (RuntimeException notYet) {
                    assertThat(p.isAlive()).as("server running").isTrue();
                    Thread.sleep(50);
                }
            }
            assertThat(reply).isEqualTo("VERSION 1.6.18\r\n");
        } finally {
            stop(p);
        }
    }
}
