package memfleet.node.it.auth;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.TextConnection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -Y <file>}: until a connection authenticates with {@code set <any> <flags> <exptime> <len>} carrying
 * {@code user password}, every command gets {@code CLIENT_ERROR unauthenticated} and nothing reaches the
 * cache; a wrong password is refused without saying whether the user exists. Run on memcached and memfleet.
 */
@ServerTest(shared = false)
@Timeout(value = 60, unit = SECONDS)
class AsciiAuthIT {
    @TempDir
    static Path dir;
    private static Path authFile;

    @BeforeAll
    static void writeFile() throws IOException {
        authFile = dir.resolve("auth");
        Files.writeString(authFile, "alice:s3cret\nbob:pass with:colon\n");
    }

    @Test
    void nothingWorksBeforeAuthentication(ServerRun run) {
        ServerProcess server = run.start("-Y", authFile.toString());
        try (TextConnection c = new TextConnection(server)) {
            assertThat(c.call("get k\r\n")).isEqualTo("CLIENT_ERROR unauthenticated\r\n");
            assertThat(c.call("version\r\n")).isEqualTo("CLIENT_ERROR unauthenticated\r\n");
            assertThat(c.call("stats\r\n")).isEqualTo("CLIENT_ERROR unauthenticated\r\n");
            assertThat(c.call("set k 0 0\r\n")).isEqualTo("CLIENT_ERROR unauthenticated\r\n");
            // a wrong password, an unknown user: the same answer
            assertThat(c.call("set k 0 0 11\r\nalice wrong\r\n")).isEqualTo("CLIENT_ERROR authentication failure\r\n");
            assertThat(c.call("set k 0 0 12\r\nmallory s3cret\r\n".replace("12", "14")))
                    .isEqualTo("CLIENT_ERROR authentication failure\r\n");
            assertThat(c.call("set k 0 0 5\r\nalice\r\n")).isEqualTo("CLIENT_ERROR bad authentication token format\r\n");
            assertThat(c.call("get k\r\n")).isEqualTo("CLIENT_ERROR unauthenticated\r\n");
        }
    }

    @Test
    void theRightPasswordOpensTheConnectionAndIsCounted(ServerRun run) {
        ServerProcess server = run.start("-Y", authFile.toString());
        try (TextConnection c = new TextConnection(server)) {
            assertThat(c.call("set x 0 0 11\r\nalice wrong\r\n")).isEqualTo("CLIENT_ERROR authentication failure\r\n");
            assertThat(c.call("set x 0 0 12\r\nalice s3cret\r\n")).isEqualTo("STORED\r\n");
            assertThat(c.call("set k 0 0 2\r\nhi\r\n")).isEqualTo("STORED\r\n");
            assertThat(c.send("get k x\r\n").readUntil("END\r\n")).isEqualTo("VALUE k 0 2\r\nhi\r\nEND\r\n");
            String stats = c.send("stats\r\n").readUntil("END\r\n");
            assertThat(stats).contains("STAT auth_cmds 2\r\n", "STAT auth_errors 1\r\n");
            assertThat(c.send("stats settings\r\n").readUntil("END\r\n"))
                    .contains("STAT auth_enabled_ascii " + authFile + "\r\n", "STAT binding_protocol ascii\r\n");
            // a second connection starts unauthenticated; a password may hold spaces only in the file
            try (TextConnection other = new TextConnection(server)) {
                assertThat(other.call("get k\r\n")).isEqualTo("CLIENT_ERROR unauthenticated\r\n");
                assertThat(other.call("set x 0 0 19\r\nbob pass with:colon\r\n"))
                        .isEqualTo("CLIENT_ERROR authentication failure\r\n");
            }
        }
    }

    /** A client that authenticates, sends its commands and shuts its write side gets every reply, then EOF. */
    @Test
    void aHalfClosingClientGetsEveryReply(ServerRun run) throws IOException {
        ServerProcess server = run.start("-Y", authFile.toString());
        try (java.net.Socket socket = new java.net.Socket(server.host(), server.port())) {
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder("set x 0 0 12\r\nalice s3cret\r\n");
            for (int i = 0; i < 50; i++) {
                request.append("set k").append(i).append(" 0 0 2\r\nhi\r\n");
            }
            request.append("get k49\r\n");
            socket.getOutputStream().write(request.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();
            String reply = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(reply).isEqualTo("STORED\r\n".repeat(51) + "VALUE k49 0 2\r\nhi\r\nEND\r\n");
        }
    }
}
