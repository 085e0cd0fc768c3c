package memfleet.node.it.tls;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code -Z -o ssl_chain_cert=,ssl_key=,ssl_ca_cert=,ssl_verify_mode=}: each expectation is checked on Debian's
 * memcached (built with TLS) and on memfleet.
 */
@ServerTest(shared = false, sideBySide = true)
@Timeout(value = 90, unit = SECONDS)
class TlsIT {
    private final ServerRun run;

    TlsIT(ServerRun run) {
        this.run = run;
    }

    @TempDir
    static Path dir;
    private static Certificates certs;
    private static Path[] server;
    private static Path[] client;

    @BeforeAll
    static void makeCertificates() {
        certs = new Certificates(dir);
        server = certs.issue("server");
        client = certs.issue("client");
    }

    private static String tlsFlags(String extra) {
        return "ssl_chain_cert=" + server[0] + ",ssl_key=" + server[1] + extra;
    }

    /** One TLS connection: sends {@code request}, reads until {@code end}. */
    private static String call(ServerProcess s, SSLContext ctx, String request, String end) throws IOException {
        try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket(s.host(), s.port())) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return exchange(socket, request, end);
        }
    }

    private static String exchange(Socket socket, String request, String end) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(ISO_8859_1));
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (!got.toString(ISO_8859_1).endsWith(end)) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            got.write(b);
        }
        return got.toString(ISO_8859_1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memcached", "memfleet"})
    void commandsRunOverTlsAndPlainTextIsRefused(String kind) throws Exception {
        ServerProcess s = run.startOf(kind, "-Z", "-o", tlsFlags(""));
        SSLContext ctx = certs.client(null);
        assertThat(call(s, ctx, "set k 0 0 5\r\nhello\r\nget k\r\n", "END\r\n"))
                .isEqualTo("STORED\r\nVALUE k 0 5\r\nhello\r\nEND\r\n");
        assertThat(call(s, ctx, "stats settings\r\n", "END\r\n"))
                .contains("STAT ssl_enabled yes\r\n", "STAT ssl_chain_cert " + server[0] + "\r\n",
                        "STAT ssl_verify_mode 0\r\n");
        assertThat(call(s, ctx, "stats\r\n", "END\r\n")).contains("STAT ssl_handshake_errors ",
                "STAT time_since_server_cert_refresh ");
        // a plain-text client gets no reply: the bytes are not a TLS handshake
        try (Socket plain = new Socket(s.host(), s.port())) {
            plain.setSoTimeout(3000);
            String reply;
            try {
                reply = exchange(plain, "version\r\n", "\r\n");
            } catch (IOException reset) {
                reply = "";
            }
            assertThat(reply).doesNotContain("VERSION");
        }
    }

    /**
     * A TLS client that sends its commands and then closes its write side (close_notify, then FIN) gets every
     * reply before the server closes, as over plain TCP.
     */
    @ParameterizedTest
    @ValueSource(strings = {"memcached", "memfleet"})
    void aHalfClosingClientGetsEveryReply(String kind) throws Exception {
        ServerProcess s = run.startOf(kind, "-Z", "-o", tlsFlags(""));
        try (SSLSocket socket = (SSLSocket) certs.client(null).getSocketFactory().createSocket(s.host(), s.port())) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            StringBuilder request = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                request.append("set tls-hc-").append(i).append(" 0 0 2\r\nhi\r\n");
            }
            request.append("get tls-hc-49\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(ISO_8859_1));
            out.flush();
            socket.shutdownOutput();
            String reply = new String(socket.getInputStream().readAllBytes(), ISO_8859_1);
            assertThat(reply).isEqualTo("STORED\r\n".repeat(50) + "VALUE tls-hc-49 0 2\r\nhi\r\nEND\r\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memcached", "memfleet"})
    void requiredClientCertificates(String kind) throws Exception {
        ServerProcess s = run.startOf(kind, "-Z", "-o",
                tlsFlags(",ssl_ca_cert=" + certs.caCert + ",ssl_verify_mode=2"));
        assertThat(call(s, certs.client(client[2]), "version\r\n", "\r\n")).startsWith("VERSION ");
        assertThatThrownBy(() -> call(s, certs.client(null), "version\r\n", "\r\n"))
                .as("a client without a certificate").isInstanceOf(IOException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memcached", "memfleet"})
    void refreshCertsServesTheNewCertificateToNewConnections(String kind) throws Exception {
        Path chain = dir.resolve(kind + "-chain.pem");
        Path key = dir.resolve(kind + "-key.pem");
        Files.copy(server[0], chain, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(server[1], key, StandardCopyOption.REPLACE_EXISTING);
        ServerProcess s = run.startOf(kind, "-Z", "-o", "ssl_chain_cert=" + chain + ",ssl_key=" + key);
        SSLContext ctx = certs.client(null);
        // a fresh client context each time: a resumed session would show the old certificate
        assertThat(peerSubject(s, certs.client(null))).contains("CN=server");
        Path[] renewed = certs.issue("renewed-" + kind);
        Files.copy(renewed[0], chain, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(renewed[1], key, StandardCopyOption.REPLACE_EXISTING);
        assertThat(call(s, ctx, "refresh_certs\r\n", "\r\n")).isEqualTo("OK\r\n");
        assertThat(peerSubject(s, certs.client(null))).contains("CN=renewed-" + kind);
        Files.delete(key);
        assertThat(call(s, ctx, "refresh_certs\r\n", "\r\n")).startsWith("Error loading the key: " + key);
    }

    private static String peerSubject(ServerProcess s, SSLContext ctx) throws IOException {
        try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket(s.host(), s.port())) {
            socket.startHandshake();
            return Certificates.subject((X509Certificate) socket.getSession().getPeerCertificates()[0]);
        }
    }

    @Test
    void replicationLinksUseTlsToo() throws Exception {
        int portA = ServerProcess.freePort();
        int portB = ServerProcess.freePort();
        String flags = tlsFlags(",ssl_ca_cert=" + certs.caCert + ",ssl_verify_mode=2");
        ServerProcess a = run.startOf("memfleet", "-Z", "-o", flags, "-X", Integer.toString(portA),
                "-x", "127.0.0.1:" + portB, "--node-id=1");
        ServerProcess b = run.startOf("memfleet", "-Z", "-o", flags, "-X", Integer.toString(portB),
                "-x", "127.0.0.1:" + portA, "--node-id=2");
        SSLContext ctx = certs.client(client[2]);
        assertThat(call(a, ctx, "set over_tls 0 0 3\r\nyes\r\n", "\r\n")).isEqualTo("STORED\r\n");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(call(b, ctx, "get over_tls\r\n", "END\r\n")).isEqualTo("VALUE over_tls 0 3\r\nyes\r\nEND\r\n"));
        assertThat(call(b, ctx, "stats replication\r\n", "END\r\n")).contains("STAT state in_sync\r\n");
    }

    @Test
    void aMissingKeyStopsStartUpWithMemcachedsWords() throws Exception {
        for (String kind : new String[] {"memcached", "memfleet"}) {
            Path missing = dir.resolve("missing.pem");
            String port = Integer.toString(ServerProcess.freePort());
            ProcessBuilder pb = new ProcessBuilder(kind.equals("memcached")
                    ? new String[] {"/usr/bin/memcached", "-u", "root", "-p", port, "-Z", "-o",
                        "ssl_chain_cert=" + server[0] + ",ssl_key=" + missing}
                    : new String[] {Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                        ServerProcess.nodeJar().toString(), "-u", "root", "-p", port, "-Z", "-o",
                        "ssl_chain_cert=" + server[0] + ",ssl_key=" + missing});
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), ISO_8859_1);
            assertThat(p.waitFor(30, SECONDS)).isTrue();
            assertThat(p.exitValue()).as(kind).isEqualTo(64);
            assertThat(out).as(kind).contains("Error loading the key: " + missing + " : ");
        }
    }
}
