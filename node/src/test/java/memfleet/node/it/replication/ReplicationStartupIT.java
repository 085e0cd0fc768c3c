package memfleet.node.it.replication;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Start-up as repcached users know it: whichever node starts first serves alone and keeps trying its peers; a
 * node that starts while a peer holds data copies everything before its client port opens; the order of starts,
 * and starting at the same moment, make no difference.
 */
@ServerTest(kinds = "memfleet", shared = false)
@Timeout(value = 180, unit = SECONDS)
class ReplicationStartupIT {
    private final ServerRun run;

    ReplicationStartupIT(ServerRun run) {
        this.run = run;
    }

    /**
     * The seed scenario: {@code -x 127.0.0.1 -X a:b} and {@code -x 127.0.0.1 -X b:a}, the peers given without a
     * port and so dialed on the connect port. The first serves alone (with writes) until the second comes.
     */
    @ParameterizedTest(name = "first started: {0}")
    @ValueSource(ints = {0, 1})
    void theSeedScenarioEndsInSyncWhicheverStartsFirst(int first) {
        int a = ServerProcess.freePort();
        int b = ServerProcess.freePort();
        List<List<String>> args = List.of(
                List.of("-x", "127.0.0.1", "-X", a + ":" + b, "--node-id=1", "-t", "2"),
                List.of("-x", "127.0.0.1", "-X", b + ":" + a, "--node-id=2", "-t", "2"));
        ServerProcess one = run.start(args.get(first).toArray(String[]::new));
        try (TextClient c = new TextClient(one)) {
            assertThat(c.stats("replication")).containsEntry("state", "alone")
                    .containsEntry("peer0:address", "127.0.0.1");
            for (int i = 0; i < 500; i++) {
                assertThat(c.set("seed" + i, "first-" + i)).isEqualTo("STORED");
            }
        }
        // the gap: the first keeps retrying its absent peer for a while (backoff up to 2 s)
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> replication(one).get("state").equals("alone"));

        ServerProcess two = run.start(args.get(1 - first).toArray(String[]::new));
        try (TextClient c = new TextClient(two)) {
            // its client port answers, so the copy is complete
            assertThat(c.stats("digest").get("items")).as("items on the second once it serves").isEqualTo("500");
            assertThat(c.get("seed499")).isEqualTo("first-499");
            assertThat(c.set("late", "from-second")).isEqualTo("STORED");
        }
        await("both in_sync").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().untilAsserted(() -> {
                    assertThat(replication(one).get("state")).isEqualTo("in_sync");
                    assertThat(replication(two).get("state")).isEqualTo("in_sync");
                });
        await("the second's write on the first").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .untilAsserted(() -> {
                    try (TextClient c = new TextClient(one)) {
                        assertThat(c.get("late")).isEqualTo("from-second");
                    }
                });
        await("equal digests").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .untilAsserted(() -> assertThat(digest(one)).isEqualTo(digest(two)));
    }

    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = {2, 3})
    void nodesStartedAtTheSameMomentEndInSync(int size) {
        try (ReplicaGroup group = new ReplicaGroup(run, size)) {
            group.startAllAtOnce();
            group.awaitInSync(Duration.ofSeconds(30));
            for (int i = 0; i < size; i++) {
                try (TextClient c = group.client(i)) {
                    assertThat(c.set("together" + i, "from-" + i)).isEqualTo("STORED");
                }
            }
            group.awaitConverged();
            for (int i = 0; i < size; i++) {
                try (TextClient c = group.client(i)) {
                    for (int j = 0; j < size; j++) {
                        assertThat(c.get("together" + j)).as("node %d, key of node %d", i, j).isEqualTo("from-" + j);
                    }
                }
            }
        }
    }

    @Test
    void aGroupOfThreeStartedOneByOneInReverseOrderWithWritesBetween() {
        try (ReplicaGroup group = new ReplicaGroup(run, 3)) {
            for (int i = 2; i >= 0; i--) {
                group.start(i);
                try (TextClient c = group.client(i)) {
                    c.pipelineSets("order" + i + ":", 0, 1000, "written-while-" + (3 - i) + "-up");
                }
            }
            group.awaitConverged();
            assertThat(group.digest(0)).startsWith("items 3000 ");
        }
    }

    @Test
    void aJoiningNodeCopiesEverythingBeforeItsClientPortOpens() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.start(0);
            try (TextClient a = pair.client(0)) {
                a.pipelineSets("bulk", 0, 50_000, "x".repeat(200));
            }
            String digestA = pair.digest(0);
            pair.start(1);
            // no waiting: a node that answers on its client port has finished its full copy
            assertThat(pair.digest(1)).as("digest of the joiner as soon as it serves").isEqualTo(digestA);
            assertThat(pair.peerStat(1, 0, "full_resyncs")).as("full copies the joiner received").isEqualTo(1);
            pair.awaitConverged();
        }
    }

    @Test
    void withServeWhileSyncingTheJoinerServesEarlyAndStillConverges() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.args(1, "--serve-while-syncing");
            pair.start(0);
            try (TextClient a = pair.client(0)) {
                a.pipelineSets("early", 0, 50_000, "y".repeat(200));
            }
            pair.start(1);
            assertThat(pair.replication(1).get("state")).as("state of the joiner when it first serves")
                    .isIn("alone", "syncing", "in_sync");
            try (TextClient b = pair.client(1)) {
                assertThat(b.set("during-sync", "ok")).isEqualTo("STORED");
            }
            pair.awaitConverged();
            try (TextClient a = pair.client(0)) {
                assertThat(a.get("during-sync")).isEqualTo("ok");
                assertThat(a.digest()).startsWith("items 50001 ");
            }
        }
    }

    @Test
    void aNodeWhosePeersAreAllDownStartsAloneAndJoinsThemLater() {
        try (ReplicaGroup group = new ReplicaGroup(run, 3)) {
            group.start(0);
            assertThat(group.replication(0)).containsEntry("state", "alone");
            for (String link : List.of("peer0:link", "peer1:link")) {
                assertThat(group.replication(0).get(link)).as(link).isIn("connecting", "down");
            }
            group.start(1);
            group.start(2);
            group.awaitInSync(Duration.ofSeconds(30));
        }
    }

    @Test
    void noCasWithReplicationIsAUsageError() {
        int port = ServerProcess.freePort();
        assertThatThrownBy(() -> run.start("-C", "-x", "127.0.0.1:" + port, "-X", "" + ServerProcess.freePort()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("exited with 64");
    }

    private static Map<String, String> replication(ServerProcess node) {
        try (TextClient c = new TextClient(node)) {
            return c.stats("replication");
        }
    }

    private static String digest(ServerProcess node) {
        try (TextClient c = new TextClient(node)) {
            return c.digest();
        }
    }
}
