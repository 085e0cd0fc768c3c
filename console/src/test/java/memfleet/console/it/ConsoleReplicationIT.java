package memfleet.console.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Replication page, the consistency check and {@code memfleet_replication_*} against two real nodes that
 * replicate with each other. Each node reaches its peer through a {@link LinkProxy}, so a test can partition the
 * pair while both keep serving clients; the last test kills a peer. Tests run in order: each leaves the pair as
 * the next one expects it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleReplicationIT {
    static final String GROUP = "pair";
    static NodeProcess r1;
    static NodeProcess r2;
    static LinkProxy toR1;
    static LinkProxy toR2;
    static ConsoleInstance console;

    @BeforeAll
    static void start() throws IOException {
        int port1 = NodeProcess.freePort();
        int port2 = NodeProcess.freePort();
        int repl1 = NodeProcess.freePort();
        int repl2 = NodeProcess.freePort();
        toR1 = new LinkProxy(repl1);
        toR2 = new LinkProxy(repl2);
        // a small backlog, so that a cut with many writes ends in a full copy (see the repair test); no background
        // anti-entropy, so that only the console's repair repairs
        r1 = NodeProcess.startOn(port1, "-X", Integer.toString(repl1), "-x", toR2.address(), "--node-id=1",
                "--repl-backlog-size=64k", "--anti-entropy-interval=0");
        r1.set("before-r2", 0, "copied to r2 by its first full copy");
        r2 = NodeProcess.startOn(port2, "-X", Integer.toString(repl2), "-x", toR1.address(), "--node-id=2",
                "--repl-backlog-size=64k", "--anti-entropy-interval=0");
        console = new ConsoleInstance("--memfleet.nodes=" + r1.id() + "@" + GROUP + "," + r2.id() + "@" + GROUP);
        await().atMost(Duration.ofSeconds(30)).until(() -> "in_sync".equals(nodeStat(r1, "state"))
                && "in_sync".equals(nodeStat(r2, "state")));
    }

    @AfterAll
    static void stop() throws IOException {
        if (console != null) {
            console.close();
        }
        for (NodeProcess n : new NodeProcess[] {r1, r2}) {
            if (n != null) {
                n.close();
            }
        }
        for (LinkProxy p : new LinkProxy[] {toR1, toR2}) {
            if (p != null) {
                p.close();
            }
        }
    }

    /** One line of the node's own {@code stats replication}. */
    static String nodeStat(NodeProcess n, String name) {
        Matcher m = Pattern.compile("STAT " + Pattern.quote(name) + " (\\S+)\r\n").matcher(n.send("stats replication\r\n", "END\r\n"));
        return m.find() ? m.group(1) : null;
    }

    static String digest(NodeProcess n) {
        return n.send("stats digest\r\n", "END\r\n");
    }

    /** The page's rows: {@code data-node} (node table) or {@code data-from|data-peer} (link table) to cell texts. */
    static Map<String, List<String>> rows(String html) {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        Matcher tr = Pattern.compile("<tr([^>]*)>(.*?)</tr>", Pattern.DOTALL).matcher(html);
        while (tr.find()) {
            Matcher node = Pattern.compile("data-node=\"([^\"]+)\"").matcher(tr.group(1));
            Matcher from = Pattern.compile("data-from=\"([^\"]+)\" data-peer=\"([^\"]+)\"").matcher(tr.group(1));
            String key = from.find() ? from.group(1) + "|" + from.group(2) : node.find() ? node.group(1) : null;
            if (key == null) {
                continue;
            }
            List<String> cells = new ArrayList<>();
            Matcher td = Pattern.compile("<td[^>]*>(.*?)</td>", Pattern.DOTALL).matcher(tr.group(2));
            while (td.find()) {
                cells.add(td.group(1).replaceAll("<[^>]+>", "").strip());
            }
            rows.put(key, cells);
        }
        return rows;
    }

    static Map<String, List<String>> page() {
        ConsoleInstance.Response r = console.session().login("viewer", "viewer").get("/replication");
        assertThat(r.statusCode()).isEqualTo(200);
        return rows(r.body());
    }

    static ConsoleInstance.Response check() {
        ConsoleInstance.Session viewer = console.session().login("viewer", "viewer");
        ConsoleInstance.Response r = viewer.post("/replication/check", Map.of("group", GROUP, "_csrf", viewer.csrf("/replication")));
        assertThat(r.statusCode()).isEqualTo(200);
        return r;
    }

    /** The consistency table's rows: node to [items, digest, note]. */
    static Map<String, List<String>> digests(String html) {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<tr[^>]*>\\s*<td>([^<]+)</td><td>([^<]*)</td><td>([^<]*)</td>\\s*<td>([^<]*)</td></tr>")
                .matcher(html.substring(html.indexOf("id=\"verdict\"")));
        while (m.find()) {
            rows.put(m.group(1), List.of(m.group(2), m.group(3), m.group(4)));
        }
        return rows;
    }

    /** The scrape's {@code memfleet_replication_*} and {@code memcached_up} samples (short enough to read in a failure). */
    static Map<String, Double> replicationSeries() {
        Map<String, Double> s = new java.util.TreeMap<>(ConsoleIT.scrape(console));
        s.keySet().removeIf(k -> !k.startsWith("memfleet_replication_") && !k.startsWith("memcached_up{"));
        return s;
    }

    static String link(NodeProcess from, LinkProxy to) {
        return from.id() + "|" + to.address();
    }

    @Test
    @Order(1)
    void pageShowsTheGroupEachNodeInSyncAndEachLinkUp() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<String, List<String>> rows = page();
            assertThat(console.session().login("viewer", "viewer").get("/").body()).containsPattern(
                    "data-node=\"" + Pattern.quote(r1.id()) + "\"[^>]*>(?:(?!</tr>)[\\s\\S])*?<td data-field=\"role\">in_sync</td>");
            // node table: node, status, replication, state, node id, replication id, offset, ops, backlog, min acks, peers
            assertThat(rows.get(r1.id())).startsWith(r1.id(), "up", "on", "in_sync", "1");
            assertThat(rows.get(r2.id())).startsWith(r2.id(), "up", "on", "in_sync", "2");
            assertThat(rows.get(r1.id()).get(5)).isEqualTo(nodeStat(r1, "replication_id"));
            assertThat(rows.get(r1.id()).get(10)).isEqualTo("1");
            // link table: from, peer, peer id, link, sent, acked, lag ops, lag bytes, lag ms, full, partial, applied, error
            List<String> l12 = rows.get(link(r1, toR2));
            List<String> l21 = rows.get(link(r2, toR1));
            // the peer's replication address, and the group's node with that node id
            assertThat(l12).startsWith(r1.id(), toR2.address() + " → " + r2.id(), "2", "up");
            assertThat(l21).startsWith(r2.id(), toR1.address() + " → " + r1.id(), "1", "up");
            assertThat(l12.get(6)).isEqualTo("0");
            assertThat(l21.get(6)).isEqualTo("0");
            // r2 started empty and copied r1's items: a full resync on its link to r1
            assertThat(l21.get(9)).isEqualTo(nodeStat(r2, "peer0:full_resyncs")).isNotEqualTo("0");
            assertThat(l12.get(10)).isEqualTo(nodeStat(r1, "peer0:partial_resyncs"));
            assertThat(l12.get(12)).isEqualTo("–");
            // the diagram: a box per node with its state, an arrow per stream with its lag, coloured by the link
            String html = console.session().login("viewer", "viewer").get("/replication").body();
            assertThat(html).containsPattern("<g class=\"box node-in_sync\" data-node=\"" + Pattern.quote(r1.id()) + "\">")
                    .containsPattern("<g class=\"box node-in_sync\" data-node=\"" + Pattern.quote(r2.id()) + "\">")
                    .containsPattern("<g class=\"stream link-up\" data-from=\"" + Pattern.quote(r1.id()) + "\" data-to=\""
                            + Pattern.quote(r2.id()) + "\">\\s*<title>[^<]*</title>\\s*<line [^>]*></line>\\s*<text [^>]*>lag 0 ops · \\d+ ms</text>")
                    .containsPattern("<g class=\"stream link-up\" data-from=\"" + Pattern.quote(r2.id()) + "\" data-to=\""
                            + Pattern.quote(r1.id()) + "\">");
        });
    }

    @Test
    @Order(2)
    void prometheusExportsReplicationWithNodeGroupAndPeerLabels() {
        r1.set("metric-write", 0, "x");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<String, Double> s = replicationSeries();
            String n1 = "group=\"" + GROUP + "\",node=\"" + r1.id() + "\"";
            String n2 = "group=\"" + GROUP + "\",node=\"" + r2.id() + "\"";
            assertThat(s).containsEntry("memfleet_replication_enabled{" + n1 + "}", 1.0)
                    .containsEntry("memfleet_replication_state{" + n1 + ",state=\"in_sync\"}", 1.0)
                    .containsEntry("memfleet_replication_state{" + n1 + ",state=\"alone\"}", 0.0)
                    .containsEntry("memfleet_replication_state{" + n1 + ",state=\"degraded\"}", 0.0)
                    .containsEntry("memfleet_replication_node_id{" + n1 + "}", 1.0)
                    .containsEntry("memfleet_replication_node_id{" + n2 + "}", 2.0)
                    .containsEntry("memfleet_replication_peers{" + n1 + "}", 1.0)
                    .containsEntry("memfleet_replication_min_acks{" + n1 + "}", 0.0);
            assertThat(s.get("memfleet_replication_ops_total{" + n1 + "}")).isGreaterThanOrEqualTo(2.0);
            assertThat(s.get("memfleet_replication_offset_bytes{" + n1 + "}")).isPositive();
            assertThat(s.get("memfleet_replication_backlog_size_bytes{" + n1 + "}")).isEqualTo(64.0 * 1024);
            String p12 = n1 + ",peer=\"" + toR2.address() + "\"";
            String p21 = n2 + ",peer=\"" + toR1.address() + "\"";
            String l12 = "group=\"" + GROUP + "\",link=\"%s\",node=\"" + r1.id() + "\",peer=\"" + toR2.address() + "\"";
            assertThat(s).containsEntry("memfleet_replication_link_state{" + l12.formatted("up") + "}", 1.0)
                    .containsEntry("memfleet_replication_link_state{" + l12.formatted("down") + "}", 0.0)
                    .containsEntry("memfleet_replication_peer_node_id{" + p12 + "}", 2.0)
                    .containsEntry("memfleet_replication_peer_node_id{" + p21 + "}", 1.0)
                    .containsEntry("memfleet_replication_lag_ops{" + p12 + "}", 0.0)
                    .containsEntry("memfleet_replication_lag_bytes{" + p12 + "}", 0.0)
                    .containsEntry("memfleet_replication_acked_offset_bytes{" + p12 + "}",
                            s.get("memfleet_replication_offset_bytes{" + n1 + "}"))
                    .containsEntry("memfleet_replication_full_resyncs_total{" + p21 + "}",
                            Double.parseDouble(nodeStat(r2, "peer0:full_resyncs")));
            // r2 applied what r1 logged after the copy
            assertThat(s.get("memfleet_replication_applied_ops_total{" + p21 + "}")).isGreaterThanOrEqualTo(1.0);
            // r2's first full copy from r1, done
            assertThat(s).containsEntry("memfleet_replication_copy_running{" + p21 + "}", 0.0)
                    .containsEntry("memfleet_replication_copy_eta_seconds{" + p21 + "}", 0.0)
                    .containsEntry("memfleet_replication_anti_entropy_runs_total{" + n1 + "}", 0.0);
            assertThat(s.get("memfleet_replication_copy_total_items{" + p21 + "}")).isGreaterThanOrEqualTo(1.0);
            assertThat(s.get("memfleet_replication_copy_items{" + p21 + "}"))
                    .isEqualTo(s.get("memfleet_replication_copy_total_items{" + p21 + "}"));
            assertThat(s).containsKey("memfleet_replication_partial_resyncs_total{" + p12 + "}")
                    .containsKey("memfleet_replication_lag_seconds{" + p12 + "}");
        });
    }

    @Test
    @Order(3)
    void consistencyCheckReportsEqualCountsAndDigestsForTheConvergedPair() {
        for (int i = 0; i < 40; i++) {
            (i % 2 == 0 ? r1 : r2).set("conv-" + i, i, "value-" + i);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> digest(r1).equals(digest(r2)));
        String items = digest(r1).replaceAll("(?s).*STAT items (\\d+).*", "$1");
        String html = check().body();
        assertThat(html).contains("consistent: every node holds the same items");
        Map<String, List<String>> d = digests(html);
        assertThat(d.get(r1.id())).containsExactly(items, d.get(r2.id()).get(1), "agrees");
        assertThat(d.get(r2.id())).containsExactly(items, d.get(r1.id()).get(1), "agrees");
        assertThat(Integer.parseInt(items)).isGreaterThanOrEqualTo(42);
    }

    @Test
    @Order(4)
    void aPartitionedPairShowsLinksDownAndTheCheckFindsTheDifferenceUntilItHeals() {
        toR1.cut();
        toR2.cut();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<String, List<String>> rows = page();
            assertThat(rows.get(link(r1, toR2)).get(3)).isNotEqualTo("up");
            assertThat(rows.get(link(r2, toR1)).get(3)).isNotEqualTo("up");
            assertThat(rows.get(r1.id()).get(3)).isEqualTo("alone");
            assertThat(console.session().login("viewer", "viewer").get("/replication").body())
                    .containsPattern("<g class=\"box node-alone\" data-node=\"" + Pattern.quote(r1.id()) + "\">")
                    .containsPattern("<g class=\"stream link-(down|connecting)\" data-from=\"" + Pattern.quote(r1.id()) + "\"");
        });
        r1.set("split-brain", 0, "only on r1 while cut");
        String html = check().body();
        assertThat(html).contains("INCONSISTENT: item counts or digests differ");
        Map<String, List<String>> d = digests(html);
        assertThat(Integer.parseInt(d.get(r1.id()).get(0))).isEqualTo(Integer.parseInt(d.get(r2.id()).get(0)) + 1);
        assertThat(d.get(r1.id()).get(1)).isNotEqualTo(d.get(r2.id()).get(1));

        toR1.heal();
        toR2.heal();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(check().body()).contains("consistent: every node holds the same items"));
        assertThat(r2.gets("split-brain")).contains("only on r1 while cut");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<String, List<String>> rows = page();
            assertThat(rows.get(link(r1, toR2)).get(3)).isEqualTo("up");
            assertThat(rows.get(r1.id()).get(3)).isEqualTo("in_sync");
            // the link came back by resuming from its offset, not by copying everything again
            assertThat(Integer.parseInt(rows.get(link(r2, toR1)).get(10))).isGreaterThanOrEqualTo(1);
        });
    }

    @Test
    @Order(5)
    void theRepairFindsWhatAFullCopyMissedAndTheGroupIsConsistentAfter() {
        for (int i = 0; i < 300; i++) {
            r1.set("ae-" + i, 0, "value-" + i);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> digest(r1).equals(digest(r2)));
        long fullCopies = Long.parseLong(nodeStat(r2, "peer0:full_resyncs"));
        toR1.cut();
        toR2.cut();
        await().atMost(Duration.ofSeconds(20)).until(() -> !"up".equals(nodeStat(r2, "peer0:link")));
        // while cut, r1 deletes keys r2 holds, then writes far more than its 64k backlog: r2 gets a full copy
        for (int i = 0; i < 40; i++) {
            assertThat(r1.send("delete ae-" + i + "\r\n", "\r\n")).isEqualTo("DELETED\r\n");
        }
        String big = "b".repeat(1000);
        for (int i = 0; i < 300; i++) {
            r1.set("ae-big-" + i, 0, big);
        }
        toR1.heal();
        toR2.heal();
        await().atMost(Duration.ofSeconds(30)).until(() -> Long.parseLong(nodeStat(r2, "peer0:full_resyncs")) > fullCopies
                && "in_sync".equals(nodeStat(r2, "state")) && "in_sync".equals(nodeStat(r1, "state")));
        // a full copy adds r1's items to r2's but cannot know what r1 deleted: the check finds the difference
        String viewerPage = check().body();
        assertThat(viewerPage).contains("INCONSISTENT: item counts or digests differ")
                .as("a viewer is not offered the repair").doesNotContain("/admin/replication/repair");
        assertThat(r2.gets("ae-0")).contains("value-0");

        ConsoleInstance.Session viewer = console.session().login("viewer", "viewer");
        assertThat(viewer.post("/admin/replication/repair", Map.of("group", GROUP, "_csrf", viewer.csrf("/replication")))
                .statusCode()).as("a viewer's repair").isEqualTo(403);

        ConsoleInstance.Session admin = console.session().login("admin", "admin");
        String offered = admin.post("/replication/check", Map.of("group", GROUP, "_csrf", admin.csrf("/replication"))).body();
        assertThat(offered).contains("Repair with anti-entropy");
        ConsoleInstance.Response repaired = admin.post("/admin/replication/repair",
                Map.of("group", GROUP, "_csrf", admin.csrf("/replication")));
        assertThat(repaired.statusCode()).isEqualTo(200);
        String html = repaired.body();
        assertThat(html).contains("consistent: every node holds the same items")
                .containsPattern("anti-entropy: \\d+ key ranges differed, 40 keys repaired");
        assertThat(digest(r1)).isEqualTo(digest(r2));
        assertThat(r2.gets("ae-0")).doesNotContain("value-0");
        assertThat(r2.gets("ae-299")).contains("value-299");
        // the link table shows each node's round once the console has polled again: the node asked first repaired
        // everything (the group's nodes are asked in the fleet's order), the second found nothing left
        String ranges = html.replaceAll("(?s).*anti-entropy: (\\d+) key ranges differed.*", "$1");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<String, List<String>> rows = page();
            assertThat(List.of(rows.get(link(r1, toR2)).get(14), rows.get(link(r2, toR1)).get(14))).containsExactlyInAnyOrder(
                    "done: " + ranges + " ranges differed, 40 keys repaired (1 rounds)",
                    "done: 0 ranges differed, 0 keys repaired (1 rounds)");
        });
    }

    @Test
    @Order(6)
    void killingAPeerTurnsItsLinkDownOnThePageAndInMetrics() {
        r2.stop();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<String, List<String>> rows = page();
            assertThat(rows.get(r2.id()).get(1)).isEqualTo("down");
            List<String> l12 = rows.get(link(r1, toR2));
            assertThat(l12.get(3)).isIn("down", "connecting");
            assertThat(l12.get(12)).isNotEqualTo("–");
            assertThat(rows.get(r1.id()).get(3)).isEqualTo("alone");
            // the fleet page marks the replicating node that lost its peer
            assertThat(console.session().login("viewer", "viewer").get("/").body()).containsPattern(
                    "data-node=\"" + Pattern.quote(r1.id()) + "\"[^>]*>(?:(?!</tr>)[\\s\\S])*?<td data-field=\"role\"[^>]*class=\"warn\"[^>]*>alone</td>");
            Map<String, Double> s = replicationSeries();
            String p12 = "group=\"" + GROUP + "\",link=\"up\",node=\"" + r1.id() + "\",peer=\"" + toR2.address() + "\"";
            assertThat(s).containsEntry("memfleet_replication_link_state{" + p12 + "}", 0.0)
                    .containsEntry("memcached_up{group=\"" + GROUP + "\",node=\"" + r2.id() + "\"}", 0.0);
        });
    }
}
