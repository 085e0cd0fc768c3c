package memfleet.node.it.replication;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Network faults between the two nodes of a pair, each of which reaches the other through its own
 * {@link FaultProxy} (so every replication connection, whichever side dials it, crosses a proxy): a short cut
 * resumes from the backlog, a cut longer than a small backlog ends in a full copy, a stalled link is detected and
 * recovers, a slow link still converges. Digests are equal afterwards every time.
 */
@ServerTest(kinds = "memfleet", shared = false)
@Timeout(value = 180, unit = SECONDS)
class ReplicationFaultsIT {
    private final ServerRun run;

    ReplicationFaultsIT(ServerRun run) {
        this.run = run;
    }

    private ReplicaGroup pair;
    private FaultProxy toB;
    private FaultProxy toA;

    @BeforeEach
    void proxies() {
        pair = new ReplicaGroup(run, 2);
        toB = pair.proxy(0, 1);
        toA = pair.proxy(1, 0);
    }

    @AfterEach
    void stop() {
        try {
            pair.close();
        } finally {
            toB.close();
            toA.close();
        }
    }

    private void startPair(String... args) {
        pair.argsForAll(args).startAll();
        pair.awaitInSync(Duration.ofSeconds(30));
        assertThat(toA.accepted() + toB.accepted()).as("replication connections through the proxies")
                .isGreaterThan(0);
    }

    private void cut() {
        toA.cut();
        toB.cut();
    }

    private void restore() {
        toA.restore();
        toB.restore();
    }

    @Test
    void aShortCutResumesFromTheBacklog() {
        startPair();
        try (TextClient a = pair.client(0)) {
            a.pipelineSets("before", 0, 1000, "x".repeat(100));
        }
        pair.awaitConverged();
        long fullB = pair.peerStat(1, 0, "full_resyncs");
        long partialB = pair.peerStat(1, 0, "partial_resyncs");
        long fullA = pair.peerStat(0, 1, "full_resyncs");

        cut();
        await("B sees its link to A go down").atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> !pair.replication(1).get("peer0:link").equals("up"));
        try (TextClient a = pair.client(0);
                TextClient b = pair.client(1)) {
            a.pipelineSets("cut-a", 0, 500, "a".repeat(100));
            b.pipelineSets("cut-b", 0, 500, "b".repeat(100));
            assertThat(a.call("delete before0")).isEqualTo("DELETED");
        }
        restore();

        pair.awaitConverged();
        assertThat(pair.peerStat(1, 0, "partial_resyncs")).as("B's backlog resumes from A").isGreaterThan(partialB);
        assertThat(pair.peerStat(1, 0, "full_resyncs")).as("B's full copies from A").isEqualTo(fullB);
        assertThat(pair.peerStat(0, 1, "full_resyncs")).as("A's full copies from B").isEqualTo(fullA);
        assertThat(pair.digest(0)).startsWith("items 1999 ");
    }

    @Test
    void aCutLongerThanTheBacklogEndsInAFullCopy() {
        startPair("--repl-backlog-size=64k");
        try (TextClient a = pair.client(0)) {
            a.pipelineSets("before", 0, 1000, "x".repeat(100));
        }
        pair.awaitConverged();
        long fullB = pair.peerStat(1, 0, "full_resyncs");

        cut();
        await("B sees its link to A go down").atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> !pair.replication(1).get("peer0:link").equals("up"));
        try (TextClient a = pair.client(0)) {
            // 2 MB of mutations: 32 times the backlog
            a.pipelineSets("cut", 0, 4000, "c".repeat(500));
        }
        restore();

        pair.awaitConverged();
        assertThat(pair.peerStat(1, 0, "full_resyncs")).as("B's full copies from A").isGreaterThan(fullB);
        try (TextClient b = pair.client(1)) {
            List<String> keys = IntStream.range(0, 4000).mapToObj(i -> "cut" + i).toList();
            assertThat(b.getMulti(keys)).hasSize(4000);
        }
    }

    @Test
    void aStalledLinkIsDroppedAndRecovers() {
        startPair();
        toA.stall();
        toB.stall();
        try (TextClient a = pair.client(0)) {
            // A keeps serving while nothing gets through
            a.pipelineSets("stalled", 0, 1000, "s".repeat(100));
            assertThat(a.set("stalled-check", "ok")).isEqualTo("STORED");
        }
        // heartbeats stop getting through: the silent link is dropped (after 3 s by the contract)
        await("the pair notices the silent link").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> !pair.replication(0).get("state").equals("in_sync")
                        && !pair.replication(1).get("state").equals("in_sync"));
        assertThat(pair.replication(1).get("peer0:last_error")).as("B's last error on its link to A")
                .isNotEqualTo("-");
        restore();
        pair.awaitConverged();
        try (TextClient b = pair.client(1)) {
            assertThat(b.get("stalled-check")).isEqualTo("ok");
            assertThat(b.digest()).startsWith("items 1001 ");
        }
    }

    @Test
    void aSlowLinkStillConverges() {
        startPair();
        toA.delay(200);
        toB.delay(200);
        try (TextClient a = pair.client(0);
                TextClient b = pair.client(1)) {
            for (int round = 0; round < 5; round++) {
                a.pipelineSets("slow-a", round * 1000, 1000, "a".repeat(100));
                b.pipelineSets("slow-b", round * 1000, 1000, "b".repeat(100));
                // the same keys from both sides as well
                a.pipelineSets("both", 0, 200, "a" + round);
                b.pipelineSets("both", 0, 200, "b" + round);
            }
        }
        pair.awaitConverged();
        assertThat(pair.digest(1)).startsWith("items 10200 ");
        restore();
        try (TextClient a = pair.client(0)) {
            assertThat(a.set("after-delay", "ok")).isEqualTo("STORED");
        }
        pair.awaitConverged();
    }
}
