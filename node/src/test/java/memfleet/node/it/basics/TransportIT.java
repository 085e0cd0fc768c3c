package memfleet.node.it.basics;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.uring.IoUring;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.TextConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The node's I/O transport: io_uring where it loads, epoll otherwise, NIO as the last resort; {@code -o io_uring},
 * {@code -o epoll}, {@code -o nio} (or {@code -o transport=...}) choose one, {@code stats memfleet} shows which.
 * Each serves TCP, UDP and (but NIO) a unix socket. The whole IT suite runs once on the default and once on
 * epoll ({@code memfleet.transport} in the node's JVM options, see node/pom.xml).
 */
@ServerTest(kinds = "memfleet", shared = false)
@Timeout(value = 60, unit = SECONDS)
class TransportIT {
    private final ServerRun run;

    TransportIT(ServerRun run) {
        this.run = run;
    }

    @TempDir
    Path dir;

    private static String transportOf(TextConnection c) {
        for (String line : c.send("stats memfleet\r\n").readUntil("END\r\n").split("\r\n")) {
            if (line.startsWith("STAT transport ")) {
                return line.substring("STAT transport ".length());
            }
        }
        throw new AssertionError("stats memfleet shows no transport");
    }

    /** What the ITs' node JVM options ask for ({@code -Dmemfleet.transport=...}), or null for the default. */
    private static String askedFor() {
        for (String option : ServerProcess.JVM_OPTIONS.split(" +")) {
            if (option.startsWith("-Dmemfleet.transport=")) {
                return option.substring("-Dmemfleet.transport=".length());
            }
        }
        return null;
    }

    @Test
    void byDefaultTheNodeServesOnIoUringWhereItLoads() {
        String asked = askedFor();
        try (TextConnection c = new TextConnection(run.start("-m", "64"))) {
            String expected = asked != null ? asked : IoUring.isAvailable() ? "io_uring" : "epoll";
            assertThat(transportOf(c)).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"io_uring", "epoll", "nio", "transport=epoll"})
    void eachTransportServesTcpAndUdp(String option) throws Exception {
        int udpPort = ServerProcess.freePort();
        ServerProcess node = run.start("-m", "64", "-U", Integer.toString(udpPort), "-o", option);
        try (TextConnection c = new TextConnection(node); DatagramSocket udp = new DatagramSocket()) {
            assertThat(transportOf(c)).isEqualTo(option.replace("transport=", ""));
            assertThat(c.call("set k 0 0 5\r\nvalue\r\n")).isEqualTo("STORED\r\n");
            byte[] request = "\0\1\0\0\0\1\0\0get k\r\n".getBytes(US_ASCII);
            udp.setSoTimeout(5000);
            udp.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), udpPort));
            DatagramPacket reply = new DatagramPacket(new byte[1500], 1500);
            udp.receive(reply);
            String text = new String(reply.getData(), 8, reply.getLength() - 8, US_ASCII);
            assertThat(text).isEqualTo("VALUE k 0 5\r\nvalue\r\nEND\r\n");
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"io_uring", "epoll"})
    void theNativeTransportsServeAUnixSocket(String transport) throws Exception {
        Path socket = dir.resolve(transport + ".sock");
        run.start("-s", socket.toString(), "-o", transport);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap("set u 0 0 1\r\nx\r\nget u\r\nstats memfleet\r\n".getBytes(US_ASCII)));
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            String reply = "";
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!reply.endsWith("END\r\n" ) || !reply.contains("STAT transport")) {
                assertThat(System.nanoTime()).as("replies within 5 s").isLessThan(deadline);
                ch.read(in);
                reply = new String(in.array(), 0, in.position(), US_ASCII);
            }
            assertThat(reply).startsWith("STORED\r\nVALUE u 0 1\r\nx\r\nEND\r\n")
                    .contains("STAT transport " + transport + "\r\n");
        }
    }

    @Test
    void aUnixSocketOnNioIsRefusedWithAClearMessage() throws Exception {
        Process p = ServerProcess.spawn("memfleet", Map.of(), "-s", dir.resolve("nio.sock").toString(), "-o", "nio");
        try {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isNotZero();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void anUnknownTransportIsAUsageError() throws Exception {
        Process p = ServerProcess.spawn("memfleet", Map.of(), "-p", "0", "-o", "transport=dpdk");
        try {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(64);
        } finally {
            p.destroyForcibly();
        }
    }
}
