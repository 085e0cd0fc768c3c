package memfleet.node.it.replication;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Nodes dying and coming back: {@code kill -9} under write load leaves the others serving and replicating;
 * with {@code --min-acks 1} every acknowledged write survives the writer's death, also on a survivor that never got
 * it from the writer (it repairs from the peer that did); {@code --min-acks} times out
 * with {@code SERVER_ERROR replication timeout} when no peer answers; a node restarted with the same flags fetches
 * a full copy, also while its peer keeps taking writes, and ends with the same digest.
 */
@ServerTest(kinds = "memfleet", shared = false)
@Timeout(value = 240, unit = SECONDS)
class ReplicationFailoverIT {
    private static final String VALUE = "value-".repeat(20);

    private final ServerRun run;

    ReplicationFailoverIT(ServerRun run) {
        this.run = run;
    }

    @Test
    void killNineUnderLoadLeavesTheOthersServingAndTheRestartedNodeCatchesUp() throws Exception {
        try (ReplicaGroup group = new ReplicaGroup(run, 3)) {
            group.startAll();
            group.awaitInSync(Duration.ofSeconds(30));
            List<LoadWriter> writers = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    writers.add(new LoadWriter(group.node(i), "w" + i + ":", VALUE));
                }
                assertThat(writers.get(2).awaitAcknowledged(500, 30_000)).as("writes on node 2 before the kill")
                        .isTrue();
                group.kill(2);
                // the survivors keep taking writes
                int before0 = writers.get(0).acknowledged().size();
                int before1 = writers.get(1).acknowledged().size();
                assertThat(writers.get(0).awaitAcknowledged(before0 + 500, 30_000)).as("node 0 after the kill")
                        .isTrue();
                assertThat(writers.get(1).awaitAcknowledged(before1 + 500, 30_000)).as("node 1 after the kill")
                        .isTrue();
            } finally {
                for (LoadWriter w : writers) {
                    w.stop();
                }
            }
            for (int i = 0; i < 2; i++) {
                assertThat(writers.get(i).failure()).as("writer on surviving node %d", i).isNull();
                assertThat(writers.get(i).otherReplies()).as("replies other than STORED on node %d", i).isEmpty();
            }
            assertThat(writers.get(2).failure()).as("the writer on the killed node saw it die").isNotNull();

            // every write the survivors acknowledged is on both survivors
            for (int survivor = 0; survivor < 2; survivor++) {
                int s = survivor;
                await("survivors' writes on node " + s).atMost(ReplicaGroup.CONVERGE).ignoreExceptions()
                        .untilAsserted(() -> {
                            try (TextClient c = group.client(s)) {
                                for (int w = 0; w < 2; w++) {
                                    List<String> keys = writers.get(w).acknowledged();
                                    assertThat(c.getMulti(keys)).as("writer %d's keys on node %d", w, s)
                                            .hasSize(keys.size());
                                }
                            }
                        });
            }
            group.awaitEqualDigests(0, 1);

            group.restart(2);
            long fullCopies = 0;
            for (int j = 0; j < 2; j++) {
                fullCopies += group.peerStat(2, j, "full_resyncs");
            }
            assertThat(fullCopies).as("full copies the restarted node received").isGreaterThanOrEqualTo(1);
            group.awaitConverged();
            try (TextClient c = group.client(2)) {
                List<String> keys = writers.get(0).acknowledged();
                assertThat(c.getMulti(keys)).hasSize(keys.size());
            }
        }
    }

    @Test
    void withMinAcksOneNoAcknowledgedWriteIsLostWhenTheWriterIsKilled() throws Exception {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.args(0, "--min-acks=1").startAll();
            pair.awaitInSync(Duration.ofSeconds(30));
            List<LoadWriter> writers = new ArrayList<>();
            try {
                for (int w = 0; w < 4; w++) {
                    writers.add(new LoadWriter(pair.node(0), "acked" + w + ":", VALUE));
                }
                for (LoadWriter w : writers) {
                    assertThat(w.awaitAcknowledged(300, 30_000)).as("writer %s", w.prefix()).isTrue();
                }
                pair.kill(0);
            } finally {
                for (LoadWriter w : writers) {
                    w.stop();
                }
            }
            int total = 0;
            try (TextClient b = pair.client(1)) {
                for (LoadWriter w : writers) {
                    assertThat(w.otherReplies()).as("replies other than STORED to %s", w.prefix()).isEmpty();
                    List<String> keys = w.acknowledged();
                    total += keys.size();
                    // a peer acknowledges what it has received; give it a moment to have applied it
                    await("acknowledged writes of " + w.prefix() + " on B").atMost(Duration.ofSeconds(10))
                            .untilAsserted(() -> {
                                Map<String, String> found = b.getMulti(keys);
                                assertThat(keys).as("acknowledged keys missing on B").allMatch(found::containsKey);
                            });
                    Map<String, String> found = b.getMulti(keys);
                    for (String key : keys) {
                        assertThat(found.get(key)).isEqualTo(LoadWriter.valueOf(VALUE, w.prefix(), key));
                    }
                }
            }
            System.out.println("acknowledged writes checked on B: " + total);
            assertThat(total).isGreaterThanOrEqualTo(1200);
        }
    }

    @Test
    void minAcksTimesOutWithAServerErrorWhileThePeerIsStoppedAndRecoversAfter() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.args(0, "--min-acks=1", "--min-acks-timeout=300").startAll();
            pair.awaitInSync(Duration.ofSeconds(30));
            try (TextClient a = pair.client(0)) {
                assertThat(a.set("before", "ok")).isEqualTo("STORED");
                pair.node(1).pause();
                try {
                    assertThat(a.set("during", "no peer")).isEqualTo("SERVER_ERROR replication timeout");
                    assertThat(a.set("during2", "no peer")).isEqualTo("SERVER_ERROR replication timeout");
                } finally {
                    pair.node(1).resume();
                }
                await("a write acknowledged again").atMost(ReplicaGroup.CONVERGE).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> assertThat(a.set("after", "ok")).isEqualTo("STORED"));
            }
            pair.awaitConverged();
        }
    }

    @Test
    void minAcksCountsPeersInAGroupOfThree() {
        try (ReplicaGroup group = new ReplicaGroup(run, 3)) {
            group.args(0, "--min-acks=2", "--min-acks-timeout=300").args(1, "--min-acks=1", "--min-acks-timeout=300")
                    .startAll();
            group.awaitInSync(Duration.ofSeconds(30));
            try (TextClient a = group.client(0);
                    TextClient b = group.client(1)) {
                assertThat(a.set("both", "ok")).as("min-acks 2 with both peers up").isEqualTo("STORED");
                group.node(2).pause();
                try {
                    assertThat(a.set("one-up", "x")).as("min-acks 2 with one peer stopped")
                            .isEqualTo("SERVER_ERROR replication timeout");
                    assertThat(b.set("one-up", "y")).as("min-acks 1 with one of two peers stopped")
                            .isEqualTo("STORED");
                } finally {
                    group.node(2).resume();
                }
                await("min-acks 2 satisfied again").atMost(ReplicaGroup.CONVERGE).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> assertThat(a.set("after", "ok")).isEqualTo("STORED"));
            }
            group.awaitConverged();
        }
    }

    @Test
    void aNodeRestartedWhileItsPeerTakesWritesLosesNoneOfThem() throws Exception {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.startAll();
            pair.awaitInSync(Duration.ofSeconds(30));
            try (TextClient a = pair.client(0)) {
                a.pipelineSets("base", 0, 100_000, "b".repeat(100));
            }
            pair.kill(1);
            LoadWriter writer = new LoadWriter(pair.node(0), "during-copy:", VALUE);
            try {
                assertThat(writer.awaitAcknowledged(200, 30_000)).isTrue();
                pair.restart(1);
                int now = writer.acknowledged().size();
                assertThat(writer.awaitAcknowledged(now + 500, 30_000)).as("writes after the rejoin").isTrue();
            } finally {
                writer.stop();
            }
            assertThat(writer.failure()).isNull();
            assertThat(writer.otherReplies()).isEmpty();
            pair.awaitConverged();
            try (TextClient b = pair.client(1)) {
                List<String> keys = writer.acknowledged();
                assertThat(b.getMulti(keys)).as("writes during and after the copy on the rejoined node")
                        .hasSize(keys.size());
                assertThat(b.digest()).startsWith("items " + (100_000 + keys.size()) + " ");
            }
            assertThat(pair.peerStat(1, 0, "full_resyncs")).as("full copies B received after its restart")
                    .isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void aWriteOnlyOnePeerGotReachesTheOtherSurvivorWhenItsOriginDies() throws Exception {
        try (ReplicaGroup group = new ReplicaGroup(run, 3)) {
            // B reaches A through a proxy; C reaches A directly
            FaultProxy bToA = group.proxy(1, 0);
            try {
                group.args(0, "--min-acks=1").startAll();
                group.awaitInSync(Duration.ofSeconds(30));
                bToA.stall(); // A's stream to B stops; C still acknowledges every write of A
                List<String> keys = new ArrayList<>();
                try (TextClient a = group.client(0)) {
                    for (int i = 0; i < 300; i++) {
                        String key = "only-c:" + i;
                        assertThat(a.set(key, VALUE)).as("set %s on A", key).isEqualTo("STORED");
                        keys.add(key);
                    }
                }
                try (TextClient b = group.client(1)) {
                    assertThat(b.getMulti(keys)).as("A's writes on B while its link is stalled").isEmpty();
                }
                group.kill(0);
                // nothing carries A's writes to B but C's mirror of A's stream: no node relays in normal operation
                await("A's writes on B after A died").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                        .untilAsserted(() -> {
                            try (TextClient b = group.client(1)) {
                                assertThat(b.getMulti(keys)).hasSize(keys.size());
                            }
                        });
                assertThat(Long.parseLong(group.replication(1).get("repaired_ops"))).as("records B repaired from C")
                        .isGreaterThanOrEqualTo(keys.size());
                assertThat(Long.parseLong(group.replication(2).get("repairs_served"))).as("repairs C served")
                        .isGreaterThanOrEqualTo(1);
                group.awaitEqualDigests(1, 2);
            } finally {
                bToA.close();
            }
        }
    }
}
