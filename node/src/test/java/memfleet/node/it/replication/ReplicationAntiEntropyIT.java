package memfleet.node.it.replication;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Anti-entropy repairs a pair that really diverged: while the link between A and B is cut, A deletes keys B
 * holds and then writes far more than its backlog holds, so B gets a full copy when the link comes back, and a
 * full copy adds A's items to B's but cannot say which of B's keys A deleted. The digests stay different
 * until a digest comparison by key range finds the ranges that differ and the two exchange only their items:
 * then the deleted keys are gone from B too, the digests are equal, and {@code stats replication} says how many
 * ranges differed and keys were repaired. In the background ({@code --anti-entropy-interval}) and on request
 * ({@code replication check}).
 */
@ServerTest(kinds = "memfleet", shared = false)
@Timeout(value = 180, unit = SECONDS)
class ReplicationAntiEntropyIT {
    private static final int KEYS = 2000;
    private static final int DELETED = 150;

    private final ServerRun run;

    ReplicationAntiEntropyIT(ServerRun run) {
        this.run = run;
    }

    /** Starts a pair through proxies and diverges it as the class comment says; returns the deleted keys. */
    private List<String> diverge(ReplicaGroup pair, FaultProxy toB, FaultProxy toA, String interval) {
        pair.argsForAll("--repl-backlog-size=64k", "--anti-entropy-interval=" + interval).startAll();
        pair.awaitInSync(Duration.ofSeconds(30));
        try (TextClient a = pair.client(0)) {
            a.pipelineSets("k", 0, KEYS, "v".repeat(100));
        }
        pair.awaitConverged();
        long fullB = pair.peerStat(1, 0, "full_resyncs");
        toA.cut();
        toB.cut();
        await("B's link to A down").atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> !pair.replication(1).get("peer0:link").equals("up"));
        List<String> deleted = IntStream.range(0, DELETED).mapToObj(i -> "k" + i).toList();
        try (TextClient a = pair.client(0)) {
            for (String key : deleted) {
                assertThat(a.call("delete " + key)).isEqualTo("DELETED");
            }
            a.pipelineSets("cut", 0, 4000, "c".repeat(500)); // 2 MB: 32 times the backlog
        }
        toA.restore();
        toB.restore();
        await("B's full copy from A").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> pair.peerStat(1, 0, "full_resyncs") > fullB);
        pair.awaitInSync(Duration.ofSeconds(30));
        return deleted;
    }

    @Test
    void replicationCheckFindsTheRangesThatDifferAndRepairsExactlyTheirKeys() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2);
                FaultProxy toB = pair.proxy(0, 1);
                FaultProxy toA = pair.proxy(1, 0)) {
            List<String> deleted = diverge(pair, toB, toA, "0");
            // without anti-entropy the pair stays diverged: B still holds what A deleted
            try (TextClient b = pair.client(1)) {
                assertThat(b.getMulti(deleted)).as("keys A deleted during the cut, on B after its full copy")
                        .hasSize(DELETED);
            }
            assertThat(pair.digest(0)).isNotEqualTo(pair.digest(1));

            try (TextClient a = pair.client(0)) {
                assertThat(a.call("replication check")).isEqualTo("OK");
            }
            await("A's round done").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(pair.replication(0)).containsEntry("peer0:ae", "done"));
            Map<String, String> a = pair.replication(0);
            Map<String, String> b = pair.replication(1);
            assertThat(pair.digest(0)).as("digests after one round").isEqualTo(pair.digest(1));
            try (TextClient client = pair.client(1)) {
                assertThat(client.getMulti(deleted)).as("keys A deleted, on B after the round").isEmpty();
            }
            long ranges = Long.parseLong(a.get("peer0:ae_ranges_differed"));
            assertThat(ranges).as("ranges that differed, of 4096").isBetween(1L, (long) DELETED);
            assertThat(Long.parseLong(a.get("peer0:ae_keys_repaired"))).as("keys repaired").isEqualTo(DELETED);
            assertThat(Long.parseLong(b.get("anti_entropy_keys_repaired"))).as("keys B changed").isEqualTo(DELETED);
            // only the differing ranges travelled: about DELETED/4096 of the items per range, far fewer than all
            assertThat(Long.parseLong(a.get("peer0:ae_items_exchanged"))).as("items exchanged")
                    .isLessThan((KEYS + 4000) / 4);
            assertThat(a).containsEntry("anti_entropy_runs", "1");

            // a second round finds nothing
            try (TextClient client = pair.client(1)) {
                assertThat(client.call("replication check")).isEqualTo("OK");
            }
            await("B's round done").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(pair.replication(1)).containsEntry("peer0:ae", "done"));
            assertThat(pair.replication(1)).containsEntry("peer0:ae_ranges_differed", "0")
                    .containsEntry("peer0:ae_keys_repaired", "0");
        }
    }

    @Test
    void theBackgroundRoundsRepairItWithoutBeingAsked() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2);
                FaultProxy toB = pair.proxy(0, 1);
                FaultProxy toA = pair.proxy(1, 0)) {
            List<String> deleted = diverge(pair, toB, toA, "1");
            pair.awaitEqualDigests(0, 1);
            try (TextClient b = pair.client(1)) {
                assertThat(b.getMulti(deleted)).isEmpty();
            }
            // the lower node id runs the rounds
            assertThat(Long.parseLong(pair.replication(0).get("anti_entropy_runs"))).isGreaterThanOrEqualTo(1);
            assertThat(pair.replication(1)).containsEntry("anti_entropy_runs", "0");
        }
    }

    @Test
    void replicationCheckOnANodeWithoutPeersIsAClientError() {
        ServerProcess node = run.start();
        try (TextClient c = new TextClient(node)) {
            assertThat(c.call("replication check")).isEqualTo("CLIENT_ERROR replication not enabled");
        }
    }
}
