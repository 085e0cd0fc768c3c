package memfleet.node.it.basics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.TextConnection;
import org.junit.jupiter.api.Test;

@ServerTest(kinds = "memfleet", shared = false)
class NodeBasicsIT {
    private final ServerRun run;

    NodeBasicsIT(ServerRun run) {
        this.run = run;
    }

    private static Map<String, String> stats(TextConnection c, String group) {
        c.send("stats" + (group.isEmpty() ? "" : " " + group) + "\r\n");
        Map<String, String> m = new HashMap<>();
        for (String line : c.readUntil("END\r\n").split("\r\n")) {
            String[] p = line.split(" ", 3);
            if (p.length == 3 && p[0].equals("STAT")) {
                m.put(p[1], p[2]);
            }
        }
        return m;
    }

    @Test
    void listensOnEveryAddressOfACommaList() {
        int port = ServerProcess.freePort();
        run.start("-p", Integer.toString(port), "-l", "127.0.0.1,::1");
        try (TextConnection v4 = new TextConnection("127.0.0.1", port);
                TextConnection v6 = await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .until(() -> new TextConnection("::1", port), java.util.Objects::nonNull)) {
            assertThat(v4.send("set k 0 0 2\r\nhi\r\n").readLine()).isEqualTo("STORED\r\n");
            assertThat(v6.send("get k\r\n").readUntil("END\r\n")).isEqualTo("VALUE k 0 2\r\nhi\r\nEND\r\n");
            assertThat(stats(v6, "settings")).containsEntry("inter", "127.0.0.1,::1");
        }
    }

    @Test
    void servesAUnixSocketWithItsAccessMask() throws IOException {
        Path dir = Files.createTempDirectory("memfleet-sock");
        Path sock = dir.resolve("node.sock");
        run.start("-s", sock.toString(), "-a", "770");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(sock));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rwxrwx---");
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            ch.write(ByteBuffer.wrap("set u 0 0 1\r\nx\r\nget u\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer in = ByteBuffer.allocate(256);
            String reply = "";
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!reply.endsWith("END\r\n") && System.nanoTime() < deadline) {
                ch.read(in);
                reply = new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
            }
            assertThat(reply).isEqualTo("STORED\r\nVALUE u 0 1\r\nx\r\nEND\r\n");
        }
    }

    @Test
    void shutdownNeedsDashAAndThenStopsTheNode() throws InterruptedException {
        try (TextConnection c = new TextConnection(run.start())) {
            assertThat(c.call("shutdown\r\n")).isEqualTo("ERROR: shutdown not enabled\r\n");
        }
        ServerProcess node = run.start("-A");
        try (TextConnection c = new TextConnection(node)) {
            assertThat(c.call("shutdown bogus\r\n")).isEqualTo("CLIENT_ERROR invalid shutdown mode\r\n");
            c.send("shutdown\r\n");
            assertThat(node.process().waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(node.process().exitValue()).isZero();
        }
    }

    @Test
    void pagesMoveToTheClassThatEvictsWhenTheWorkloadShifts() {
        try (TextConnection c = new TextConnection(run.start("-m", "16", "-o", "slab_automove=2"))) {
            String small = "s".repeat(30);
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 300_000; i++) {
                batch.append("set small").append(i).append(" 0 0 30 noreply\r\n").append(small).append("\r\n");
                if (batch.length() > 1 << 20) {
                    c.send(batch.toString());
                    batch.setLength(0);
                }
            }
            c.send(batch.toString());
            batch.setLength(0);
            assertThat(c.call("version\r\n")).startsWith("VERSION");
            String large = "L".repeat(5000);
            for (int i = 0; i < 5000; i++) {
                batch.append("set large").append(i).append(" 0 0 5000 noreply\r\n").append(large).append("\r\n");
                if (batch.length() > 1 << 20) {
                    c.send(batch.toString());
                    batch.setLength(0);
                }
            }
            c.send(batch.toString());
            assertThat(c.call("version\r\n")).startsWith("VERSION");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(
                    () -> assertThat(Long.parseLong(stats(c, "").get("slabs_moved"))).isPositive());
            Map<String, String> s = stats(c, "");
            assertThat(Long.parseLong(s.get("bytes"))).isLessThanOrEqualTo(Long.parseLong(s.get("limit_maxbytes")));
            assertThat(c.send("get large4999\r\n").readUntil("END\r\n")).startsWith("VALUE large4999 0 5000\r\n");
        }
    }

    @Test
    void veryVerbosePrintsMemcachedsTrace() {
        ServerProcess node = run.start("-vv");
        try (TextConnection c = new TextConnection(node)) {
            c.send("set v 0 0 1\r\n1\r\n").readLine();
            c.send("get v\r\n").readUntil("END\r\n");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(node.output())
                    .contains("slab class   1: chunk size ")
                    .contains("server listening (auto-negotiate)")
                    .contains("new auto-negotiating client connection")
                    .contains(" set v 0 0 1")
                    .contains(" STORED")
                    .contains(" sending key v")
                    .contains(" END"));
        }
    }
}
