package memfleet.node.it.replication;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code stats replication} and {@code stats digest}: every field of the contract present, with values that fit
 * what the test did, on a node without peers and on a pair.
 */
@ServerTest(kinds = "memfleet", shared = false)
@Timeout(value = 120, unit = SECONDS)
class ReplicationStatsIT {
    private static final List<String> NODE_FIELDS =
            List.of("enabled", "node_id", "state", "replication_id", "offset", "ops", "min_acks", "repairs_requested",
                    "repairs_served", "repaired_ops", "peers");
    private static final List<String> PEER_FIELDS = List.of("address", "node_id", "link", "sent_offset",
            "acked_offset", "lag_ops", "lag_bytes", "lag_ms", "full_resyncs", "partial_resyncs", "last_error", "copy",
            "copy_items", "copy_total_items", "copy_bytes", "copy_total_bytes", "copy_ms", "copy_rate_bytes",
            "copy_eta_ms");

    private final ServerRun run;

    ReplicationStatsIT(ServerRun run) {
        this.run = run;
    }

    @Test
    void aNodeWithoutPeersReportsReplicationDisabledAndADigest() {
        ServerProcess node = run.start();
        try (TextClient client = new TextClient(node)) {
            Map<String, String> stats = client.stats("replication");
            assertThat(stats).containsEntry("enabled", "0").containsEntry("state", "alone")
                    .containsEntry("peers", "0");
            assertThat(stats.keySet()).noneMatch(k -> k.startsWith("peer0:"));

            Map<String, String> empty = client.stats("digest");
            assertThat(empty.keySet()).containsExactly("items", "digest");
            assertThat(empty.get("items")).isEqualTo("0");
            assertThat(empty.get("digest")).matches("[0-9a-f]{16}");

            for (int i = 0; i < 10; i++) {
                assertThat(client.set("d" + i, "value" + i)).isEqualTo("STORED");
            }
            Map<String, String> ten = client.stats("digest");
            assertThat(ten.get("items")).isEqualTo("10");
            assertThat(ten.get("digest")).matches("[0-9a-f]{16}").isNotEqualTo(empty.get("digest"));
            assertThat(client.stats("digest")).as("asking twice changes nothing").isEqualTo(ten);
            assertThat(client.call("delete d0")).isEqualTo("DELETED");
            assertThat(client.stats("digest").get("items")).isEqualTo("9");
        }
    }

    @Test
    void theDigestReplyIsExactlyTwoStatLinesAndEnd() {
        ServerProcess node = run.start();
        try (memfleet.node.it.TextConnection raw = new memfleet.node.it.TextConnection(node)) {
            String reply = raw.send("stats digest\r\n").readUntil("END\r\n");
            assertThat(reply).matches("STAT items 0\r\nSTAT digest [0-9a-f]{16}\r\nEND\r\n");
        }
    }

    @Test
    void aPairReportsEveryFieldWithSensibleValues() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.startAll();
            pair.awaitInSync(Duration.ofSeconds(30));
            try (TextClient a = pair.client(0)) {
                for (int i = 0; i < 100; i++) {
                    assertThat(a.set("s" + i, "v" + i)).isEqualTo("STORED");
                }
            }
            pair.awaitConverged();
            // the writes were acknowledged: nothing in flight any more
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                Map<String, String> a = pair.replication(0);
                assertThat(a.get("peer0:acked_offset")).isEqualTo(a.get("peer0:sent_offset"));
                assertThat(a.get("peer0:lag_ops")).isEqualTo("0");
                assertThat(a.get("peer0:lag_bytes")).isEqualTo("0");
            });

            for (int i = 0; i < 2; i++) {
                int other = 1 - i;
                Map<String, String> stats = pair.replication(i);
                assertThat(stats.keySet()).as("node %d", i).containsAll(NODE_FIELDS)
                        .containsAll(PEER_FIELDS.stream().map(f -> "peer0:" + f).toList());
                assertThat(stats.keySet()).as("node %d has one peer", i).noneMatch(k -> k.startsWith("peer1:"));
                assertThat(stats).as("node %d", i)
                        .containsEntry("enabled", "1")
                        .containsEntry("node_id", Integer.toString(pair.nodeId(i)))
                        .containsEntry("state", "in_sync")
                        .containsEntry("min_acks", "0")
                        .containsEntry("peers", "1")
                        .containsEntry("peer0:address", "127.0.0.1:" + pair.replicationPort(other))
                        .containsEntry("peer0:node_id", Integer.toString(pair.nodeId(other)))
                        .containsEntry("peer0:link", "up");
                assertThat(stats.get("replication_id")).as("node %d replication_id", i).matches("[0-9a-f]{16}");
                for (String counter : List.of("offset", "ops", "peer0:sent_offset", "peer0:acked_offset",
                        "peer0:lag_ops", "peer0:lag_bytes", "peer0:lag_ms", "peer0:full_resyncs",
                        "peer0:partial_resyncs")) {
                    assertThat(Long.parseLong(stats.get(counter))).as("node %d %s", i, counter)
                            .isGreaterThanOrEqualTo(0);
                }
                assertThat(Long.parseLong(stats.get("peer0:acked_offset"))).as("node %d acked <= sent", i)
                        .isLessThanOrEqualTo(Long.parseLong(stats.get("peer0:sent_offset")));
                assertThat(stats.get("peer0:last_error")).as("node %d last_error", i).isNotEmpty();
            }
            Map<String, String> a = pair.replication(0);
            assertThat(Long.parseLong(a.get("ops"))).as("mutations A logged").isGreaterThanOrEqualTo(100);
            assertThat(Long.parseLong(a.get("offset"))).as("bytes A logged").isGreaterThan(100);
            assertThat(Long.parseLong(a.get("peer0:sent_offset"))).as("bytes A sent to B").isGreaterThan(100);
            assertThat(pair.replication(0).get("replication_id")).as("each node has its own replication id")
                    .isNotEqualTo(pair.replication(1).get("replication_id"));
        }
    }

    @Test
    void aFullCopyShowsItsProgressOnBothEndsAndKeepsToTheCopyLimit() {
        int items = 60_000;
        long limit = 8L << 20; // ~32 MB of records: about 4 s
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.args(0, "--repl-copy-limit=8m").args(1, "--serve-while-syncing");
            pair.start(0);
            try (TextClient a = pair.client(0)) {
                a.pipelineSets("copy", 0, items, "c".repeat(500));
            }
            pair.start(1);
            // while it runs, the source says how far it is and how long is left
            await("A sending the copy").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .untilAsserted(() -> {
                        Map<String, String> a = pair.replication(0);
                        assertThat(a).containsEntry("peer0:copy", "sending");
                        assertThat(number(a, "peer0:copy_items")).isGreaterThan(0).isLessThan(items);
                        assertThat(number(a, "peer0:copy_total_items")).isEqualTo(items);
                        assertThat(number(a, "peer0:copy_eta_ms")).isGreaterThan(0);
                        assertThat(number(a, "peer0:copy_rate_bytes")).isGreaterThan(0);
                    });
            assertThat(pair.replication(1).get("peer0:copy")).as("B, serving while it copies")
                    .isIn("receiving", "received");
            await("the copy done on both ends").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> {
                        assertThat(pair.replication(0)).containsEntry("peer0:copy", "sent");
                        assertThat(pair.replication(1)).containsEntry("peer0:copy", "received");
                    });
            Map<String, String> a = pair.replication(0);
            Map<String, String> b = pair.replication(1);
            for (Map<String, String> end : List.of(a, b)) {
                assertThat(number(end, "peer0:copy_items")).isEqualTo(items);
                assertThat(number(end, "peer0:copy_total_items")).isEqualTo(items);
                assertThat(number(end, "peer0:copy_eta_ms")).isZero();
            }
            assertThat(number(b, "peer0:copy_bytes")).as("bytes received = bytes sent")
                    .isEqualTo(number(a, "peer0:copy_bytes")).isGreaterThan(items * 500L);
            assertThat(number(a, "peer0:copy_total_bytes")).as("A's bytes stat").isGreaterThan(items * 500L);
            // the sender waits whenever it is ahead of the limit, so on average it never exceeds it
            assertThat(number(a, "peer0:copy_rate_bytes")).as("A's copy rate, limit %d", limit)
                    .isLessThanOrEqualTo(limit * 105 / 100);
            assertThat(number(a, "peer0:copy_ms")).isGreaterThanOrEqualTo(number(a, "peer0:copy_bytes") * 1000 / limit);
            pair.awaitConverged();
        }
    }

    @Test
    void compressedLinksCarryTheSameItemsInFewerBytes() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.argsForAll("--repl-compress");
            pair.start(0);
            try (TextClient a = pair.client(0)) {
                a.pipelineSets("copied", 0, 5000, "compressible ".repeat(40)); // goes in B's full copy
            }
            pair.start(1);
            pair.awaitInSync(Duration.ofSeconds(30));
            try (TextClient a = pair.client(0)) {
                a.pipelineSets("streamed", 0, 5000, "streamed value ".repeat(30)); // goes in the stream
            }
            pair.awaitConverged();
            try (TextClient b = pair.client(1)) {
                assertThat(b.digest()).startsWith("items 10000 ");
                assertThat(b.getMulti(List.of("copied1", "streamed4999"))).containsEntry("copied1", "compressible ".repeat(40))
                        .containsEntry("streamed4999", "streamed value ".repeat(30));
            }
            Map<String, String> a = pair.replication(0);
            assertThat(a).containsEntry("compress", "lz4");
            long frames = number(a, "frame_bytes_sent");
            assertThat(frames).as("payload bytes A sent").isGreaterThan(10_000 * 400L);
            assertThat(number(a, "wire_bytes_sent")).as("bytes on the wire for them").isLessThan(frames / 4);
        }
    }

    private static long number(Map<String, String> stats, String name) {
        assertThat(stats).containsKey(name);
        return Long.parseLong(stats.get(name));
    }

    @Test
    void minAcksIsShownAsGiven() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.args(0, "--min-acks=1").startAll();
            assertThat(pair.replication(0)).containsEntry("min_acks", "1");
            assertThat(pair.replication(1)).containsEntry("min_acks", "0");
        }
    }

    @Test
    void aGroupOfThreeListsBothPeersInTheOrderOfMinusX() {
        try (ReplicaGroup group = new ReplicaGroup(run, 3)) {
            group.startAll();
            group.awaitInSync(Duration.ofSeconds(30));
            for (int i = 0; i < 3; i++) {
                Map<String, String> stats = group.replication(i);
                assertThat(stats).containsEntry("peers", "2");
                for (int j = 0; j < 3; j++) {
                    if (j != i) {
                        int slot = ReplicaGroup.peerSlot(i, j);
                        assertThat(stats).as("node %d peer%d", i, slot)
                                .containsEntry("peer" + slot + ":address", "127.0.0.1:" + group.replicationPort(j))
                                .containsEntry("peer" + slot + ":node_id", Integer.toString(group.nodeId(j)))
                                .containsEntry("peer" + slot + ":link", "up");
                    }
                }
            }
        }
    }
}
