package memfleet.console.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console against nodes that run with TLS ({@code -Z}, client certificates required) and ASCII authentication
 * ({@code -Y}), with certificates made by {@code openssl} in the test: the collector, the key browser and
 * {@code flush_all} work through {@code memfleet.collect.tls}/{@code auth}; a wrong password and an untrusted
 * certificate each show their node down with the reason, and no password reaches a page, health, the metrics or
 * the console's log.
 */
class ConsoleAccessIT {
    static final String PASSWORD = "s3cret-Pw-4711";
    static final String WRONG = "Wr0ng-Pw-0815";
    static Path dir;
    static Path log;
    static NodeProcess secure;
    static NodeProcess wrongPassword;
    static NodeProcess untrusted;
    static NodeProcess noCredentials;
    static NodeProcess plainToTls;
    static ConsoleInstance console;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("console-access-");
        Certificates ca = new Certificates(dir, "fleet-ca");
        Path[] node = ca.issue("node", "IP:127.0.0.1,DNS:localhost");
        Path[] client = ca.issue("console", "DNS:console");
        Certificates otherCa = new Certificates(dir, "other-ca");
        Path authFile = dir.resolve("auth");
        Files.writeString(authFile, "console:" + PASSWORD + "\nops:other\n");
        String tls = "ssl_chain_cert=" + node[0] + ",ssl_key=" + node[1] + ",ssl_ca_cert=" + ca.caCert + ",ssl_verify_mode=2";
        secure = NodeProcess.start("-Z", "-o", tls, "-Y", authFile.toString());
        wrongPassword = NodeProcess.start("-Y", authFile.toString());
        untrusted = NodeProcess.start("-Z", "-o", tls, "-Y", authFile.toString());
        noCredentials = NodeProcess.start("-Y", authFile.toString());
        plainToTls = NodeProcess.start("-Z", "-o", tls);
        log = dir.resolve("console.log");
        console = new ConsoleInstance(
                "--memfleet.nodes=" + secure.id() + "@secure," + wrongPassword.id() + "@wrongpw," + untrusted.id() + "@untrusted,"
                        + noCredentials.id() + "@noauth," + plainToTls.id() + "@plain",
                "--memfleet.collect.tls.enabled=true",
                "--memfleet.collect.tls.ca-cert=" + ca.caCert,
                "--memfleet.collect.tls.client-cert=" + client[0],
                "--memfleet.collect.tls.client-key=" + client[1],
                "--memfleet.collect.auth.username=console",
                "--memfleet.collect.auth.password=" + PASSWORD,
                // a plain-text node with -Y, and a password it does not know
                "--memfleet.collect.groups.wrongpw.tls.enabled=false",
                "--memfleet.collect.groups.wrongpw.auth.username=console",
                "--memfleet.collect.groups.wrongpw.auth.password=" + WRONG,
                // trusts another CA only
                "--memfleet.collect.groups.untrusted.tls.enabled=true",
                "--memfleet.collect.groups.untrusted.tls.ca-cert=" + otherCa.caCert,
                "--memfleet.collect.groups.untrusted.tls.client-cert=" + client[0],
                "--memfleet.collect.groups.untrusted.tls.client-key=" + client[1],
                // no credentials for this group's -Y node
                "--memfleet.collect.groups.noauth.tls.enabled=false",
                "--memfleet.collect.groups.noauth.auth.username=",
                // plain text to a -Z node
                "--memfleet.collect.groups.plain.tls.enabled=false",
                "--memfleet.collect.groups.plain.auth.username=",
                "--logging.file.name=" + log,
                "--logging.level.memfleet=DEBUG");
        await().atMost(Duration.ofSeconds(30)).until(() -> health().contains("\"" + secure.id() + "\":{\"status\":\"UP\""));
    }

    @AfterAll
    static void stop() {
        if (console != null) {
            console.close();
        }
        for (NodeProcess n : new NodeProcess[] {secure, wrongPassword, untrusted, noCredentials, plainToTls}) {
            if (n != null) {
                n.close();
            }
        }
    }

    static String health() {
        return console.session().get("/actuator/health").body();
    }

    @Test
    void aNodeWithTlsAndAuthenticationIsUpWithItsStats() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<String, Double> s = ConsoleIT.scrape(console);
            String n = "group=\"secure\",node=\"" + secure.id() + "\"";
            assertThat(s).containsEntry("memcached_up{" + n + "}", 1.0)
                    .containsEntry("memcached_version{" + n + ",version=\"1.6.18\"}", 1.0);
            assertThat(s.get("memcached_current_connections{" + n + "}")).isGreaterThanOrEqualTo(1.0);
            assertThat(s).containsKey("memcached_slab_chunk_size_bytes{" + n + ",slab=\"1\"}");
        });
        ConsoleInstance.Session viewer = console.session().login("viewer", "viewer");
        String fleet = viewer.get("/").body();
        assertThat(fleet).contains(secure.id()).contains("1.6.18");
        String node = viewer.get("/node?id=" + secure.id()).body();
        // the node's settings, read over TLS: ssl_enabled and the authentication file
        assertThat(node).contains("ssl_enabled");
    }

    @Test
    void theKeyBrowserAndFlushAllWorkThroughTlsAndAuthentication() {
        ConsoleInstance.Session admin = console.session().login("admin", "admin");
        ConsoleInstance.Response set = admin.post("/keys/set", Map.of("id", secure.id(), "key", "over-tls",
                "value", "secret-free value", "flags", "7", "exptime", "0", "_csrf", admin.csrf("/")));
        assertThat(set.statusCode()).isEqualTo(303);
        assertThat(set.location().orElseThrow()).contains("STORED");
        assertThat(admin.get("/keys/item?id=" + secure.id() + "&key=over-tls&class=1").body())
                .contains("secret-free value").contains("7");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(admin.get("/keys?id=" + secure.id() + "&class=1").body()).contains("over-tls"));
        ConsoleInstance.Response deleted = admin.post("/keys/delete", Map.of("id", secure.id(), "key", "over-tls",
                "_csrf", admin.csrf("/")));
        assertThat(deleted.location().orElseThrow()).contains("DELETED");
        ConsoleInstance.Response flushed = admin.post("/admin/flush", Map.of("target", secure.id(), "confirm", secure.id(),
                "_csrf", admin.csrf("/admin")));
        assertThat(flushed.statusCode()).isEqualTo(200);
        assertThat(flushed.body()).contains("OK");
    }

    @Test
    void wrongCredentialsShowTheNodeDownWithTheReasonAndNeverThePassword() throws IOException {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(health())
                .contains("\"" + wrongPassword.id() + "\":{\"status\":\"DOWN\"")
                .contains("authentication refused for user in memfleet.collect.auth: CLIENT_ERROR authentication failure"));
        ConsoleInstance.Session admin = console.session().login("admin", "admin");
        String fleet = admin.get("/").body();
        assertThat(fleet).contains("CLIENT_ERROR authentication failure");
        ConsoleInstance.Response item = admin.get("/keys/item?id=" + wrongPassword.id() + "&key=k");
        assertThat(item.statusCode()).isEqualTo(502);
        assertThat(item.body()).contains("authentication refused");
        Map<String, Double> s = ConsoleIT.scrape(console);
        assertThat(s).containsEntry("memcached_up{group=\"wrongpw\",node=\"" + wrongPassword.id() + "\"}", 0.0);

        String everything = String.join("\n", fleet, item.body(), health(),
                console.session().get("/actuator/prometheus").body(),
                admin.get("/node?id=" + wrongPassword.id()).body(), admin.get("/node?id=" + secure.id()).body(),
                admin.get("/replication").body(), admin.get("/admin").body(), Files.readString(log));
        assertThat(everything).doesNotContain(PASSWORD).doesNotContain(WRONG);
        assertThat(Files.readString(log)).contains("Netty started on port").doesNotContain("onErrorDropped");
    }

    @Test
    void aNodeThatWantsCredentialsTheConsoleLacksSaysSo() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(health())
                .contains("\"" + noCredentials.id() + "\":{\"status\":\"DOWN\"")
                .contains("the node requires authentication (-Y), and memfleet.collect.auth has no credentials for group"
                        + " noauth: CLIENT_ERROR unauthenticated"));
    }

    @Test
    void plainTextToATlsNodeSaysWhatIsMissing() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(health())
                .contains("\"" + plainToTls.id() + "\":{\"status\":\"DOWN\"")
                .contains("a node with -Z needs memfleet.collect.tls for its group"));
    }

    @Test
    void aNodeWhoseCertificateIsNotTrustedIsDownWithTheTlsReason() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(health())
                .contains("\"" + untrusted.id() + "\":{\"status\":\"DOWN\"")
                .containsPattern("\"" + java.util.regex.Pattern.quote(untrusted.id())
                        + "\":\\{\"status\":\"DOWN\",\"group\":\"untrusted\",\"error\":\"TLS: [^\"]*(PKIX|certification path|unable to find)"));
    }
}
