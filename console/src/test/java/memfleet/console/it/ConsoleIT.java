package memfleet.console.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console against real nodes over HTTP: Prometheus output under memcached_exporter's names, health per node,
 * a node that accepts but never answers, logins and roles, CSRF, the key rule, flush_all's confirmation and the
 * consistency check.
 */
class ConsoleIT {
    static NodeProcess a;
    static NodeProcess b;
    static NodeProcess stopped;
    static ServerSocket blackHole;
    static final List<Socket> held = java.util.Collections.synchronizedList(new ArrayList<>());
    static ConsoleInstance console;
    static java.nio.file.Path log;

    @BeforeAll
    static void start() throws IOException {
        log = java.nio.file.Files.createTempFile("console-it-", ".log");
        a = NodeProcess.start();
        b = NodeProcess.start();
        stopped = NodeProcess.start();
        blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            // accepts connections and never answers: a hung node
            while (!blackHole.isClosed()) {
                try {
                    held.add(blackHole.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        });
        console = new ConsoleInstance("--memfleet.nodes=" + a.id() + "@east," + b.id() + "@east," + stopped.id()
                + "@west,127.0.0.1:" + blackHole.getLocalPort() + "@west", "--logging.file.name=" + log);
        await().atMost(Duration.ofSeconds(30)).until(() -> scrape().getOrDefault(up(a), -1.0) == 1.0
                && scrape().getOrDefault(up(b), -1.0) == 1.0);
    }

    @AfterAll
    static void stop() throws IOException {
        if (console != null) {
            console.close();
        }
        for (NodeProcess n : new NodeProcess[] {a, b, stopped}) {
            if (n != null) {
                n.close();
            }
        }
        blackHole.close();
        synchronized (held) {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    static String up(NodeProcess n) {
        return "memcached_up{group=\"" + (n == stopped ? "west" : "east") + "\",node=\"" + n.id() + "\"}";
    }

    /** Every sample line of /actuator/prometheus: {@code name{labels}} to value. */
    static Map<String, Double> scrape() {
        return scrape(console);
    }

    static Map<String, Double> scrape(ConsoleInstance console) {
        ConsoleInstance.Response r = console.session().get("/actuator/prometheus");
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Double> samples = new HashMap<>();
        Pattern line = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})?) (\\S+)$");
        for (String l : r.body().split("\n")) {
            if (l.startsWith("#") || l.isBlank()) {
                continue;
            }
            Matcher m = line.matcher(l);
            assertThat(m.matches()).as("exposition line: %s", l).isTrue();
            samples.put(m.group(1), Double.parseDouble(m.group(3)));
        }
        return samples;
    }

    @Test
    void prometheusUsesMemcachedExporterNamesWithNodeAndGroupLabels() {
        a.set("metric-key", 0, "0123456789");
        a.send("get metric-key\r\nget nothing-here\r\n", "END\r\nEND\r\n");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<String, Double> s = scrape();
            String node = "group=\"east\",node=\"" + a.id() + "\"";
            assertThat(s).containsEntry("memcached_up{" + node + "}", 1.0);
            assertThat(s.get("memcached_current_items{" + node + "}")).isGreaterThanOrEqualTo(1.0);
            assertThat(s.get("memcached_current_bytes{" + node + "}")).isPositive();
            assertThat(s).containsEntry("memcached_limit_bytes{" + node + "}", 16.0 * 1024 * 1024);
            assertThat(s.get("memcached_commands_total{command=\"get\"," + node + ",status=\"hit\"}")).isGreaterThanOrEqualTo(1.0);
            assertThat(s.get("memcached_commands_total{command=\"get\"," + node + ",status=\"miss\"}")).isGreaterThanOrEqualTo(1.0);
            assertThat(s.get("memcached_commands_total{command=\"set\"," + node + ",status=\"hit\"}")).isGreaterThanOrEqualTo(1.0);
            assertThat(s).containsKey("memcached_items_evicted_total{" + node + "}");
            assertThat(s.get("memcached_current_connections{" + node + "}")).isGreaterThanOrEqualTo(1.0);
            assertThat(s).containsKey("memcached_max_connections{" + node + "}");
            assertThat(s.get("memcached_read_bytes_total{" + node + "}")).isPositive();
            assertThat(s.get("memcached_written_bytes_total{" + node + "}")).isPositive();
            assertThat(s).containsKey("memcached_uptime_seconds{" + node + "}");
            assertThat(s).containsEntry("memcached_version{" + node + ",version=\"1.6.18\"}", 1.0);
            assertThat(s).containsKey("memcached_slab_current_items{" + node + ",slab=\"1\"}");
            assertThat(s).containsKey("memcached_slab_chunk_size_bytes{" + node + ",slab=\"1\"}");
            assertThat(s).containsKey("memcached_slab_commands_total{command=\"get\"," + node + ",slab=\"1\",status=\"hit\"}");
            assertThat(s).containsEntry("memfleet_replication_state{" + node + ",state=\"alone\"}", 1.0);
            assertThat(s).containsEntry("memfleet_replication_enabled{" + node + "}", 0.0);
        });
    }

    @Test
    void aStoppedNodeExportsUpZeroAndNothingElse() {
        stopped.stop();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<String, Double> s = scrape();
            assertThat(s).containsEntry("memcached_up{group=\"west\",node=\"" + stopped.id() + "\"}", 0.0);
            assertThat(s.keySet()).noneMatch(k -> !k.startsWith("memcached_up") && k.contains(stopped.id()));
        });
    }

    @Test
    void aHungNodeIsDownWhileTheOthersKeepBeingPolled() {
        String hung = "127.0.0.1:" + blackHole.getLocalPort();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String health = console.session().get("/actuator/health").body();
            assertThat(health).contains("\"" + hung + "\":{\"status\":\"DOWN\"").contains("no answer within 700 ms");
        });
        long before = uptime(a);
        await().atMost(Duration.ofSeconds(20)).until(() -> uptime(a) > before);
    }

    private static long uptime(NodeProcess n) {
        Double v = scrape().get("memcached_uptime_seconds{group=\"east\",node=\"" + n.id() + "\"}");
        return v == null ? -1 : v.longValue();
    }

    @Test
    void healthListsEveryNode() {
        ConsoleInstance.Response r = console.session().get("/actuator/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"fleet\"").contains("\"" + a.id() + "\":{\"status\":\"UP\"")
                .contains("\"" + b.id() + "\":{\"status\":\"UP\"").contains("\"status\":\"DEGRADED\"");
    }

    @Test
    void pagesNeedALoginAndChangesNeedAdmin() {
        ConsoleInstance.Response anonymous = console.session().get("/");
        assertThat(anonymous.statusCode()).isEqualTo(302);
        assertThat(anonymous.location()).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));

        a.set("guarded", 0, "x");
        ConsoleInstance.Session viewer = console.session().login("viewer", "viewer");
        assertThat(viewer.get("/").statusCode()).isEqualTo(200);
        assertThat(viewer.get("/admin").statusCode()).isEqualTo(403);
        String token = viewer.csrf("/");
        assertThat(viewer.post("/keys/delete", Map.of("id", a.id(), "key", "guarded", "_csrf", token)).statusCode())
                .isEqualTo(403);
        assertThat(a.gets("guarded")).startsWith("VALUE guarded");

        ConsoleInstance.Session admin = console.session().login("admin", "admin");
        assertThat(admin.post("/keys/delete", Map.of("id", a.id(), "key", "guarded")).statusCode())
                .as("no CSRF token").isEqualTo(403);
        assertThat(a.gets("guarded")).startsWith("VALUE guarded");
        ConsoleInstance.Response deleted = admin.post("/keys/delete",
                Map.of("id", a.id(), "key", "guarded", "_csrf", admin.csrf("/")));
        assertThat(deleted.statusCode()).isEqualTo(303);
        assertThat(deleted.location().orElseThrow()).contains("DELETED");
        assertThat(a.gets("guarded")).isEqualTo("END\r\n");
        ConsoleInstance.Session guess = console.session();
        assertThat(guess.post("/login", Map.of("username", "admin", "password", "wrong", "_csrf", guess.csrf("/login")))
                .location().orElseThrow()).contains("error");
    }

    @Test
    void badKeysAreRefusedBeforeReachingTheNode() {
        ConsoleInstance.Session admin = console.session().login("admin", "admin");
        String token = admin.csrf("/");
        for (String bad : List.of("two zzwords", "zzline\r\nflush_all", "zztab\there", "z".repeat(251))) {
            ConsoleInstance.Response r = admin.post("/keys/set", Map.of("id", b.id(), "key", bad, "value", "v", "_csrf", token));
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(r.body()).contains("refused before reaching the node");
            assertThat(admin.get("/keys/item?id=" + b.id() + "&key=" + ConsoleInstance.enc(bad)).statusCode()).isEqualTo(400);
        }
        // the node ran with -vv: every command it received is in its output
        assertThat(b.output()).doesNotContain("zz");
    }

    @Test
    void setTouchAndPreviewThroughTheConsole() {
        ConsoleInstance.Session admin = console.session().login("admin", "admin");
        ConsoleInstance.Response set = admin.post("/keys/set", Map.of("id", b.id(), "key", "made-by-console",
                "value", "caf\u00e9 <b>", "flags", "42", "exptime", "0", "_csrf", admin.csrf("/")));
        assertThat(set.statusCode()).isEqualTo(303);
        assertThat(b.gets("made-by-console")).startsWith("VALUE made-by-console 42 9 ").contains("caf\u00e9 <b>");
        String page = admin.get("/keys/item?id=" + b.id() + "&key=made-by-console&class=1").body();
        assertThat(page).contains("caf\u00e9 &lt;b&gt;").doesNotContain("caf\u00e9 <b>");
        ConsoleInstance.Response touched = admin.post("/keys/touch", Map.of("id", b.id(), "key", "made-by-console",
                "exptime", "1000", "_csrf", admin.csrf("/")));
        assertThat(touched.location().orElseThrow()).contains("TOUCHED");
    }

    @Test
    void flushAllNeedsTheTargetsNameTyped() throws IOException {
        ConsoleInstance.Session admin = console.session().login("admin", "admin");
        b.set("survives", 0, "1");
        ConsoleInstance.Response wrong = admin.post("/admin/flush", Map.of("target", b.id(), "confirm", "yes",
                "_csrf", admin.csrf("/admin")));
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(b.gets("survives")).startsWith("VALUE survives");
        ConsoleInstance.Response right = admin.post("/admin/flush", Map.of("target", b.id(), "confirm", b.id(),
                "_csrf", admin.csrf("/admin")));
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(right.body()).contains("OK");
        assertThat(b.gets("survives")).isEqualTo("END\r\n");
        assertThat(auditLines("action=flush_all node=" + b.id()))
                .containsExactly("user=admin action=flush_all node=" + b.id() + " target=" + b.id() + " result=OK");
    }

    /** The {@code memfleet.audit} lines (message only) that contain {@code part}. */
    static List<String> auditLines(String part) throws IOException {
        return java.nio.file.Files.readAllLines(log).stream().filter(l -> l.contains("memfleet.audit"))
                .map(l -> l.substring(l.indexOf("user="))).filter(l -> l.contains(part)).toList();
    }

    @Test
    void everyChangeWritesOneAuditLine() throws IOException {
        ConsoleInstance.Session admin = console.session().login("admin", "admin");
        admin.post("/keys/set", Map.of("id", a.id(), "key", "audited", "value", "v", "_csrf", admin.csrf("/")));
        admin.post("/keys/touch", Map.of("id", a.id(), "key", "audited", "exptime", "100", "_csrf", admin.csrf("/")));
        admin.post("/keys/delete", Map.of("id", a.id(), "key", "audited", "_csrf", admin.csrf("/")));
        admin.post("/keys/delete", Map.of("id", a.id(), "key", "audited", "_csrf", admin.csrf("/")));
        admin.post("/keys/delete", Map.of("id", a.id(), "key", "audited two", "_csrf", admin.csrf("/")));
        String node = "node=" + a.id();
        assertThat(auditLines(" key=audited ")).containsExactly(
                "user=admin action=set " + node + " key=audited result=STORED",
                "user=admin action=touch " + node + " key=audited result=TOUCHED",
                "user=admin action=delete " + node + " key=audited result=DELETED",
                "user=admin action=delete " + node + " key=audited result=NOT_FOUND");
        assertThat(auditLines("key refused")).contains("user=admin action=delete " + node + " key refused result=invalid key");
        // a viewer's refused attempt changes nothing and is not a change
        ConsoleInstance.Session viewer = console.session().login("viewer", "viewer");
        viewer.post("/keys/delete", Map.of("id", a.id(), "key", "audited", "_csrf", viewer.csrf("/")));
        assertThat(auditLines("user=viewer")).isEmpty();
    }

    @Test
    void aKeyThatIsNotUtf8IsListedEscapedPreviewedAndDeleted() throws IOException {
        byte[] key = {'b', 'i', 'n', '-', (byte) 0xff, (byte) 0xfe, 'k'};
        String hex = java.util.HexFormat.of().formatHex(key);
        java.io.ByteArrayOutputStream set = new java.io.ByteArrayOutputStream();
        set.writeBytes("set ".getBytes());
        set.writeBytes(key);
        set.writeBytes(" 3 0 5\r\nbytes\r\n".getBytes());
        assertThat(a.send(set.toByteArray(), "\r\n")).isEqualTo("STORED\r\n");
        ConsoleInstance.Session admin = console.session().login("admin", "admin");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin.get("/keys?id=" + a.id() + "&class=1").body())
                .contains(">bin-\\xff\\xfek</a>").contains("keyhex=" + hex));
        ConsoleInstance.Response item = admin.get("/keys/item?id=" + a.id() + "&key=ignored&keyhex=" + hex + "&class=1");
        assertThat(item.statusCode()).isEqualTo(200);
        assertThat(item.body()).contains("bin-\\xff\\xfek").contains("not UTF-8").contains(">bytes<")
                .contains("name=\"keyhex\" value=\"" + hex + "\"");
        assertThat(admin.get("/keys/item?id=" + a.id() + "&keyhex=ff0aff").statusCode()).isEqualTo(400);
        ConsoleInstance.Response deleted = admin.post("/keys/delete", Map.of("id", a.id(), "key", "bin-\\xff\\xfek",
                "keyhex", hex, "class", "1", "_csrf", admin.csrf("/")));
        assertThat(deleted.location().orElseThrow()).contains("DELETED");
        java.io.ByteArrayOutputStream gets = new java.io.ByteArrayOutputStream();
        gets.writeBytes("gets ".getBytes());
        gets.writeBytes(key);
        gets.writeBytes("\r\n".getBytes());
        assertThat(a.send(gets.toByteArray(), "END\r\n")).isEqualTo("END\r\n");
        assertThat(auditLines("keyhex=" + hex)).containsExactly(
                "user=admin action=delete node=" + a.id() + " key=bin-\\xff\\xfek keyhex=" + hex + " result=DELETED");
    }

    /**
     * Reactor Netty 1.3.6 can stop reading a keep-alive connection after a request that arrived while the previous
     * one was finishing (reactor/reactor-netty#4361): the next request then hangs forever. The console closes each
     * connection after its response instead; this checks that it does, and that many browser-like sessions logging in
     * and walking the pages at once all get every answer.
     */
    @Test
    void everyRequestGetsItsAnswerAndItsOwnConnection() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), console.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /login HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n".getBytes());
            String response = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 200").containsIgnoringCase("\r\nconnection: close\r\n")
                    .contains("name=\"_csrf\"");
        }
        List<java.util.concurrent.Future<Integer>> walks = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 4; t++) {
                walks.add(pool.submit(() -> {
                    int answered = 0;
                    for (int i = 0; i < 10; i++) {
                        ConsoleInstance.Session s = console.session().login("viewer", "viewer");
                        for (String page : List.of("/", "/slabs", "/replication", "/node?id=" + a.id(), "/slabs?id=" + a.id())) {
                            assertThat(s.get(page).statusCode()).as(page).isEqualTo(200);
                            answered++;
                        }
                    }
                    return answered;
                }));
            }
            for (var w : walks) {
                assertThat(w.get(120, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(50);
            }
        }
    }

    @Test
    void consistencyCheckSaysWhenNodesCannotBeCompared() {
        ConsoleInstance.Session viewer = console.session().login("viewer", "viewer");
        // west: the hung node never answers, the other one may be stopped by now
        ConsoleInstance.Response r = viewer.post("/replication/check", Map.of("group", "west", "_csrf", viewer.csrf("/replication")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("cannot tell: fewer than two nodes answered stats digest")
                .contains("unreachable: no answer within").doesNotContain("consistent: every node");
        // east: a and b are independent nodes in one group, and a key only a holds makes their digests differ; they
        // do not replicate, so their contents are not meant to agree and the check does not call that inconsistent
        a.send("set only_on_a 0 0 1\r\nx\r\n", "\r\n");
        ConsoleInstance.Response east = viewer.post("/replication/check", Map.of("group", "east", "_csrf", viewer.csrf("/replication")));
        assertThat(east.body()).contains("nothing to compare: no node of this group replicates")
                .contains("not replicating: not compared").doesNotContain("INCONSISTENT");
    }

    @Test
    void hotKeysShowsTheMostHitKeysPerGroupAndNodeEscaped() {
        String evil = "<script>alert(1)</script>";
        for (NodeProcess n : new NodeProcess[] {a, b}) {
            for (String k : List.of("hot:1", "warm:2", evil)) {
                assertThat(n.set(k, 0, "v")).isEqualTo("STORED");
            }
        }
        StringBuilder gets = new StringBuilder();
        for (int i = 0; i < 1600; i++) {
            gets.append("get hot:1\r\n");
            if (i % 3 == 0) {
                gets.append("get warm:2\r\nget ").append(evil).append("\r\n");
            }
        }
        gets.append("quit\r\n"); // then the node closes: read every reply until then
        assertThat(a.send(gets.toString(), "\u0000")).contains("VALUE hot:1 0 1");
        assertThat(b.send(gets.toString(), "\u0000")).contains("VALUE hot:1 0 1");
        String html = console.session().login("viewer", "viewer").get("/hotkeys").body();
        String east = html.substring(html.indexOf("data-group=\"east\""), html.indexOf("data-group=\"west\""));
        // the group's table adds both nodes up; hot:1 first
        assertThat(east).containsPattern("<tr data-key=\"hot:1\">\\s*<td>1</td>");
        assertThat(east).contains("data-node=\"" + a.id() + "\"").contains("data-node=\"" + b.id() + "\"");
        assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain(evil);
        String west = html.substring(html.indexOf("data-group=\"west\""));
        assertThat(west).contains("unreachable: ");
        assertThat(console.session().get("/hotkeys").statusCode()).as("without a login").isNotEqualTo(200);
    }

    @Test
    void keySpaceGroupsKeysByPrefixWithHistogramsAndTheBiggestItemsEscaped() {
        String evil = "ks:<script>alert(2)</script>";
        StringBuilder sets = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            sets.append("set ks:user:").append(i).append(" 0 0 10\r\n0123456789\r\n");
        }
        for (int i = 0; i < 40; i++) {
            sets.append("set ks:session:").append(i).append(" 0 3000 100\r\n").append("s".repeat(100)).append("\r\n");
        }
        sets.append("set ").append(evil).append(" 0 0 1\r\nx\r\n");
        sets.append("set ks:big 0 0 20000\r\n").append("b".repeat(20000)).append("\r\n");
        sets.append("quit\r\n");
        a.send(sets.toString(), "\u0000");
        ConsoleInstance.Session viewer = console.session().login("viewer", "viewer");
        String top = viewer.get("/keyspace?id=" + a.id() + "&fresh=1").body();
        assertThat(top).contains("id=\"prefix-table\"").contains("data-prefix=\"ks:\"");
        // drill into ks: the 300 users, 40 sessions; the evil key and ks:big end at ks:
        String ks = viewer.get("/keyspace?id=" + a.id() + "&prefix=" + ConsoleInstance.enc("ks:")).body();
        assertThat(ks).containsPattern("(?s)<tr data-prefix=\"ks:user:\">.{0,200}?</td>\\s*<td>300</td>");
        assertThat(ks).containsPattern("(?s)<tr data-prefix=\"ks:session:\">.{0,200}?</td>\\s*<td>40</td>");
        assertThat(ks).contains("&lt;script&gt;alert(2)&lt;/script&gt;").doesNotContain("<script>alert(2)");
        // the 20 kB item is the biggest; sessions expire within the hour
        String biggest = ks.substring(ks.indexOf("id=\"biggest-table\""));
        assertThat(biggest.substring(0, biggest.indexOf("</tr>", biggest.indexOf("<tbody>")))).contains(">ks:big<");
        assertThat(ks).contains("aria-label=\"Time to live left\"");
        assertThat(ks).containsPattern("<title>&lt; 1 h: (\\d+) items</title>");
        Matcher hour = Pattern.compile("<title>&lt; 1 h: (\\d+) items</title>").matcher(ks);
        assertThat(hour.find()).isTrue();
        assertThat(Integer.parseInt(hour.group(1))).isGreaterThanOrEqualTo(40);
        // the group's figures sum its nodes; a node that is down names its error
        String group = viewer.get("/keyspace?group=east&prefix=" + ConsoleInstance.enc("ks:")).body();
        assertThat(group).contains("data-prefix=\"ks:user:\"");
        stopped.stop(); // another test stops it too
        ConsoleInstance.Response west = viewer.get("/keyspace?id=" + stopped.id());
        assertThat(west.statusCode()).isEqualTo(502);
        assertThat(west.body()).contains("The analysis failed: ");
        assertThat(viewer.get("/keyspace?id=" + a.id() + "&sep=" + ConsoleInstance.enc(" ")).statusCode()).isEqualTo(400);
        assertThat(console.session().get("/keyspace?id=" + a.id()).statusCode()).as("without a login").isNotEqualTo(200);
    }

    @Test
    void slabPagesDrawMemoryPerClassAndAHeatMapPerGroup() {
        assertThat(b.set("slab:small", 0, "x".repeat(50))).isEqualTo("STORED");
        assertThat(b.set("slab:large", 0, "y".repeat(50_000))).isEqualTo("STORED");
        ConsoleInstance.Session viewer = console.session().login("viewer", "viewer");
        // the collector polls every second here: wait until a poll has seen both items
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String node = viewer.get("/slabs?id=" + b.id()).body();
            assertThat(node).contains("class=\"slab-memory\"");
            // one stacked row per class with pages; the large item's class holds at least its 50 kB chunk
            Matcher rows = Pattern.compile("<g data-class=\"(\\d+)\">").matcher(node.substring(node.indexOf("slab-memory")));
            int n = 0;
            while (rows.find()) {
                n++;
            }
            assertThat(n).isGreaterThanOrEqualTo(2);
            assertThat(node).containsPattern("items asked for \\d");
            String fleetSlabs = viewer.get("/slabs").body();
            String east = fleetSlabs.substring(fleetSlabs.indexOf("class=\"heat-map\" data-group=\"east\""));
            east = east.substring(0, east.indexOf("</section>"));
            assertThat(east).contains("on " + b.id() + ": ").contains("fill-opacity=\"1.0\"");
        });
    }

    @Test
    void theFleetTableSearchesFiltersSortsAndPagesOnTheServer() {
        ConsoleInstance.Session viewer = console.session().login("viewer", "viewer");
        String one = viewer.get("/?q=" + a.port()).body();
        assertThat(rowsOf(one)).containsExactly(a.id());
        assertThat(one).contains("1 of 4 nodes match");
        assertThat(rowsOf(viewer.get("/?group=east&sort=node").body())).containsExactlyInAnyOrder(a.id(), b.id());
        // the hung node is down (its poll times out), as the stopped one is once stopped
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rowsOf(viewer.get("/?state=down").body()))
                .contains("127.0.0.1:" + blackHole.getLocalPort()).doesNotContain(a.id(), b.id()));
        List<String> byGroupDesc = rowsOf(viewer.get("/?sort=group&dir=desc").body());
        assertThat(byGroupDesc).hasSize(4);
        assertThat(byGroupDesc.subList(2, 4)).containsExactlyInAnyOrder(a.id(), b.id());
        // nonsense falls back to the defaults instead of failing
        assertThat(viewer.get("/?sort=%3Cscript%3E&dir=x&page=-3&state=zzz").statusCode()).isEqualTo(200);
        assertThat(viewer.get("/?page=99").body()).contains("page 1 of 1");
    }

    private static List<String> rowsOf(String html) {
        List<String> ids = new ArrayList<>();
        Matcher m = Pattern.compile("<tr data-node=\"([^\"]+)\" class=\"(up|down)\"").matcher(html.substring(html.indexOf("id=\"nodes\"")));
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }
}
