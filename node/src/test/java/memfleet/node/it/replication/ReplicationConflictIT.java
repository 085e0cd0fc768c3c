package memfleet.node.it.replication;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.replication.TextClient.Item;
import net.spy.memcached.CASResponse;
import net.spy.memcached.CASValue;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.ConnectionFactoryBuilder.Protocol;
import net.spy.memcached.MemcachedClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Conflicts: both nodes of a pair writing the same keys at the same time, with the link up and with the link cut,
 * end with the same value everywhere (last writer wins by version); CAS values are item versions, the same for
 * the same version on every node and never valid for a different version on another node.
 */
@ServerTest(kinds = "memfleet", shared = false)
@Timeout(value = 180, unit = SECONDS)
class ReplicationConflictIT {
    private static final int KEYS = 50;

    private final ServerRun run;

    ReplicationConflictIT(ServerRun run) {
        this.run = run;
    }

    @Test
    void concurrentWritesToTheSameKeysOnTwoNodesConverge() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.startAll();
            pair.awaitInSync(Duration.ofSeconds(30));
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int n = 0; n < 2; n++) {
                int node = n;
                writers.add(CompletableFuture.runAsync(() -> writeConflicts(pair, node, 5000)));
            }
            writers.forEach(CompletableFuture::join);
            awaitConverged(pair);
            assertSameValues(pair);
        }
    }

    /** Mixed mutations on the shared keys from one node: sets, appends, incrs, deletes, touches. */
    private static void writeConflicts(ReplicaGroup pair, int node, int ops) {
        Random random = new Random(node);
        try (TextClient c = pair.client(node)) {
            for (int i = 0; i < ops; i++) {
                String key = "k" + random.nextInt(KEYS);
                String counter = "c" + random.nextInt(10);
                switch (random.nextInt(10)) {
                    case 0 -> c.call("delete " + key);
                    case 1 -> c.store("append", key, 0, 0, "+" + node);
                    case 2 -> c.call("incr " + counter + " " + (1 + random.nextInt(5)));
                    case 3 -> c.set(counter, Integer.toString(random.nextInt(1000)));
                    case 4 -> c.call("touch " + key + " " + (1000 + random.nextInt(1000)));
                    default -> c.store("set", key, node, 0, "node" + node + "-" + i);
                }
            }
        }
    }

    private static void assertSameValues(ReplicaGroup pair) {
        List<String> keys = sharedKeys();
        try (TextClient a = pair.client(0);
                TextClient b = pair.client(1)) {
            assertThat(b.getMulti(keys)).isEqualTo(a.getMulti(keys));
            for (String key : keys) {
                assertThat(b.gets(key)).as(key).isEqualTo(a.gets(key));
            }
        }
    }

    @Test
    void writesToTheSameKeysOnBothSidesOfACutConvergeOnceItHeals() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2);
                FaultProxy toB = pair.proxy(0, 1);
                FaultProxy toA = pair.proxy(1, 0)) {
            pair.startAll();
            pair.awaitInSync(Duration.ofSeconds(30));
            toA.cut();
            toB.cut();
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
                    .until(() -> !pair.replication(0).get("state").equals("in_sync"));
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int n = 0; n < 2; n++) {
                int node = n;
                writers.add(CompletableFuture.runAsync(() -> writeConflicts(pair, node, 3000)));
            }
            writers.forEach(CompletableFuture::join);
            toA.restore();
            toB.restore();
            awaitConverged(pair);
            assertSameValues(pair);
        }
    }

    /** {@link ReplicaGroup#awaitConverged}, failing with the keys whose items differ between the nodes. */
    private static void awaitConverged(ReplicaGroup pair) {
        try {
            pair.awaitConverged();
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder diff = new StringBuilder();
            try (TextClient a = pair.client(0);
                    TextClient b = pair.client(1)) {
                for (String key : sharedKeys()) {
                    var onA = a.gets(key);
                    var onB = b.gets(key);
                    if (!onA.equals(onB)) {
                        diff.append("\n  ").append(key).append(": A ").append(onA).append(", B ").append(onB);
                    }
                }
            }
            throw new AssertionError("not converged; items that differ:" + diff, e);
        }
    }

    private static List<String> sharedKeys() {
        List<String> keys = new ArrayList<>();
        IntStream.range(0, KEYS).forEach(i -> keys.add("k" + i));
        IntStream.range(0, 10).forEach(i -> keys.add("c" + i));
        return keys;
    }

    /**
     * During a cut: A sets, deletes and sets again; then B sets (a later version) and deletes. B's delete is the
     * newest operation, so the key must be gone on both nodes after the heal. A's older delete must not replace
     * the newer tombstone B's delete left, or A's second set comes back on B.
     */
    @Test
    void anOlderDeleteFromThePeerDoesNotUndoANewerLocalDelete() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2);
                FaultProxy toB = pair.proxy(0, 1);
                FaultProxy toA = pair.proxy(1, 0)) {
            pair.startAll();
            pair.awaitInSync(Duration.ofSeconds(30));
            toA.cut();
            toB.cut();
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
                    .until(() -> !pair.replication(1).get("state").equals("in_sync"));
            try (TextClient a = pair.client(0);
                    TextClient b = pair.client(1)) {
                assertThat(a.set("w", "a1")).isEqualTo("STORED");
                assertThat(a.call("delete w")).isEqualTo("DELETED");
                assertThat(a.set("w", "a2")).isEqualTo("STORED");
                long second = a.gets("w").orElseThrow().cas();
                // B writes a version above A's second set (its clock passes A's within a millisecond or so)
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1)).untilAsserted(() -> {
                    assertThat(b.set("w", "b1")).isEqualTo("STORED");
                    assertThat(Long.compareUnsigned(b.gets("w").orElseThrow().cas(), second)).isPositive();
                });
                assertThat(b.call("delete w")).isEqualTo("DELETED");
            }
            toA.restore();
            toB.restore();
            pair.awaitInSync(Duration.ofSeconds(30));
            await("w deleted on both nodes").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                try (TextClient a = pair.client(0);
                        TextClient b = pair.client(1)) {
                    assertThat(a.gets("w")).as("w on A").isEmpty();
                    assertThat(b.gets("w")).as("w on B").isEmpty();
                }
            });
            pair.awaitConverged();
        }
    }

    @Test
    void aCasValueFromOneNodeWorksOnAnotherOnlyForTheSameVersion() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.startAll();
            pair.awaitInSync(Duration.ofSeconds(30));
            try (TextClient a = pair.client(0);
                    TextClient b = pair.client(1)) {
                assertThat(a.set("shared", "v1")).isEqualTo("STORED");
                Item onA = a.gets("shared").orElseThrow();
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(b.gets("shared")).contains(onA));

                // gets on A, cas on B with that value: B holds the same version, so it succeeds
                assertThat(b.cas("shared", 0, 0, "v2", onA.cas())).isEqualTo("STORED");
                Item onB = b.gets("shared").orElseThrow();
                assertThat(onB.cas()).isNotEqualTo(onA.cas());
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(a.gets("shared")).contains(onB));

                // A's old CAS value now names an older version everywhere
                assertThat(a.cas("shared", 0, 0, "stale", onA.cas())).isEqualTo("EXISTS");
                assertThat(b.cas("shared", 0, 0, "stale", onA.cas())).isEqualTo("EXISTS");
                assertThat(a.cas("shared", 0, 0, "v3", onB.cas())).isEqualTo("STORED");
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(b.get("shared")).isEqualTo("v3"));
                assertThat(b.cas("shared", 0, 0, "stale", onB.cas())).isEqualTo("EXISTS");
                assertThat(a.cas("nothing-here", 0, 0, "x", onB.cas())).isEqualTo("NOT_FOUND");
            }
            pair.awaitConverged();
        }
    }

    @Test
    void independentWritesOnBothSidesOfACutHaveDifferentCasValuesAndOneWins() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2);
                FaultProxy toB = pair.proxy(0, 1);
                FaultProxy toA = pair.proxy(1, 0)) {
            pair.startAll();
            pair.awaitInSync(Duration.ofSeconds(30));
            toA.cut();
            toB.cut();
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
                    .until(() -> !pair.replication(1).get("state").equals("in_sync"));
            try (TextClient a = pair.client(0);
                    TextClient b = pair.client(1)) {
                // the same value on both sides: only the version tells them apart
                assertThat(a.set("split", "same")).isEqualTo("STORED");
                assertThat(b.set("split", "same")).isEqualTo("STORED");
                Item onA = a.gets("split").orElseThrow();
                Item onB = b.gets("split").orElseThrow();
                assertThat(onA.cas()).as("CAS of two versions written on different nodes").isNotEqualTo(onB.cas());
                assertThat(b.cas("split", 0, 0, "from A's CAS", onA.cas())).isEqualTo("EXISTS");
                assertThat(a.cas("split", 0, 0, "from B's CAS", onB.cas())).isEqualTo("EXISTS");

                toA.restore();
                toB.restore();
                pair.awaitConverged();
                Item winner = a.gets("split").orElseThrow();
                assertThat(b.gets("split")).contains(winner);
                assertThat(winner.cas()).as("the surviving version is one of the two").isIn(onA.cas(), onB.cas());
                assertThat(winner.cas()).as("last writer wins: the higher version")
                        .isEqualTo(Long.compareUnsigned(onA.cas(), onB.cas()) > 0 ? onA.cas() : onB.cas());
            }
        }
    }

    @Test
    void casValuesNeverRepeatAcrossNodes() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.startAll();
            pair.awaitInSync(Duration.ofSeconds(30));
            List<CompletableFuture<List<Long>>> writers = new ArrayList<>();
            for (int n = 0; n < 2; n++) {
                int node = n;
                writers.add(CompletableFuture.supplyAsync(() -> {
                    List<Long> cas = new ArrayList<>();
                    try (TextClient c = pair.client(node)) {
                        for (int i = 0; i < 1000; i++) {
                            String key = "unique" + node + ":" + i;
                            c.set(key, "v");
                            cas.add(c.gets(key).orElseThrow().cas());
                        }
                    }
                    return cas;
                }));
            }
            Set<Long> all = new HashSet<>();
            for (CompletableFuture<List<Long>> w : writers) {
                all.addAll(w.join());
            }
            assertThat(all).as("distinct CAS values of 2000 versions written on two nodes").hasSize(2000);
            pair.awaitConverged();
        }
    }

    @Test
    void spymemcachedGetsOnOneNodeAndCasOnTheOther() throws Exception {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.startAll();
            pair.awaitInSync(Duration.ofSeconds(30));
            MemcachedClient a = client(pair, 0);
            MemcachedClient b = client(pair, 1);
            try {
                assertThat(a.set("spy", 0, "one").get()).isTrue();
                CASValue<Object> fromA = a.gets("spy");
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    CASValue<Object> onB = b.gets("spy");
                    assertThat(onB).isNotNull();
                    assertThat(onB.getCas()).isEqualTo(fromA.getCas());
                });
                assertThat(b.cas("spy", fromA.getCas(), "two")).isEqualTo(CASResponse.OK);
                await().atMost(Duration.ofSeconds(20)).until(() -> "two".equals(a.get("spy")));
                assertThat(a.cas("spy", fromA.getCas(), "stale")).isEqualTo(CASResponse.EXISTS);
                assertThat(a.get("spy")).isEqualTo("two");
            } finally {
                a.shutdown(5, SECONDS);
                b.shutdown(5, SECONDS);
            }
            pair.awaitConverged();
        }
    }

    private static MemcachedClient client(ReplicaGroup pair, int i) throws Exception {
        return new MemcachedClient(new ConnectionFactoryBuilder().setProtocol(Protocol.TEXT).setOpTimeout(10_000)
                .setDaemon(true).build(), List.of(new InetSocketAddress("127.0.0.1", pair.clientPort(i))));
    }
}
