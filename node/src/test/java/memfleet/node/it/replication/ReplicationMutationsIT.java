package memfleet.node.it.replication;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.replication.TextClient.Item;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every mutation of the text protocol, issued on any node of a pair or of a group of three, reaches every other
 * node: set, add, replace, append, prepend, cas, incr, decr, touch, gat, delete, flush_all with and without a
 * delay; an item's lifetime travels as what remains of it; the same item version has the same CAS value on every
 * node; evictions stay local.
 */
@ServerTest(kinds = "memfleet", shared = false)
@Timeout(value = 240, unit = SECONDS)
class ReplicationMutationsIT {
    /** How long a single replicated write may take to show up everywhere: a bound, not a measurement. */
    private static final Duration VISIBLE = Duration.ofSeconds(20);

    private final ServerRun run;

    ReplicationMutationsIT(ServerRun run) {
        this.run = run;
    }

    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = {2, 3})
    void everyMutationOnAnyNodeIsReadableOnAll(int size) {
        try (ReplicaGroup group = new ReplicaGroup(run, size)) {
            group.startAll();
            group.awaitInSync(Duration.ofSeconds(30));
            for (int origin = 0; origin < size; origin++) {
                String p = "o" + origin + ":";
                try (TextClient c = group.client(origin)) {
                    assertThat(c.store("set", p + "s", 5, 0, "v1")).isEqualTo("STORED");
                    onAll(group, "set", n -> assertThat(n.gets(p + "s")).hasValueSatisfying(i -> {
                        assertThat(i.value()).isEqualTo("v1");
                        assertThat(i.flags()).isEqualTo(5);
                    }));

                    assertThat(c.store("add", p + "a", 0, 0, "added")).isEqualTo("STORED");
                    onAll(group, "add", n -> assertThat(n.get(p + "a")).isEqualTo("added"));

                    assertThat(c.store("replace", p + "s", 6, 0, "v2")).isEqualTo("STORED");
                    onAll(group, "replace", n -> assertThat(n.gets(p + "s")).hasValueSatisfying(i -> {
                        assertThat(i.value()).isEqualTo("v2");
                        assertThat(i.flags()).isEqualTo(6);
                    }));

                    assertThat(c.store("append", p + "s", 0, 0, "+a")).isEqualTo("STORED");
                    onAll(group, "append", n -> assertThat(n.get(p + "s")).isEqualTo("v2+a"));

                    assertThat(c.store("prepend", p + "s", 0, 0, "p+")).isEqualTo("STORED");
                    onAll(group, "prepend", n -> assertThat(n.get(p + "s")).isEqualTo("p+v2+a"));

                    long cas = c.gets(p + "s").orElseThrow().cas();
                    assertThat(c.cas(p + "s", 7, 0, "v3", cas)).isEqualTo("STORED");
                    Item afterCas = c.gets(p + "s").orElseThrow();
                    assertThat(afterCas.cas()).isNotEqualTo(cas);
                    onAll(group, "cas", n -> assertThat(n.gets(p + "s")).contains(afterCas));

                    assertThat(c.set(p + "n", "10")).isEqualTo("STORED");
                    assertThat(c.call("incr " + p + "n 5")).isEqualTo("15");
                    assertThat(c.call("decr " + p + "n 3")).isEqualTo("12");
                    onAll(group, "incr/decr", n -> assertThat(n.get(p + "n")).isEqualTo("12"));
                    Item counter = c.gets(p + "n").orElseThrow();
                    onAll(group, "incr/decr CAS", n -> assertThat(n.gets(p + "n")).contains(counter));

                    // touch and gat give items that never expired a 2 s lifetime: they vanish everywhere
                    assertThat(c.set(p + "t", "touched")).isEqualTo("STORED");
                    assertThat(c.set(p + "g", "gat")).isEqualTo("STORED");
                    onAll(group, "before touch", n -> assertThat(n.get(p + "g")).isEqualTo("gat"));
                    assertThat(c.call("touch " + p + "t 2")).isEqualTo("TOUCHED");
                    assertThat(c.gats(2, p + "g")).map(Item::value).contains("gat");
                    onAll(group, "touch", n -> assertThat(n.gets(p + "t")).isEmpty());
                    onAll(group, "gat", n -> assertThat(n.gets(p + "g")).isEmpty());
                    // a long touch keeps the item on every node
                    assertThat(c.call("touch " + p + "s 1000")).isEqualTo("TOUCHED");
                    assertThat(c.gats(2000, p + "a")).map(Item::value).contains("added");

                    assertThat(c.call("delete " + p + "a")).isEqualTo("DELETED");
                    onAll(group, "delete", n -> assertThat(n.gets(p + "a")).isEmpty());
                    onAll(group, "touched item kept", n -> assertThat(n.get(p + "s")).isEqualTo("v3"));

                    assertThat(c.store("set", p + "short", 0, 2, "gone soon")).isEqualTo("STORED");
                    onAll(group, "expiry", n -> assertThat(n.gets(p + "short")).isEmpty());

                    assertThat(c.store("set", p + "quiet", 0, 0, "to delete")).isEqualTo("STORED");
                    c.wire().write("set " + p + "nr 0 0 2 noreply\r\nok\r\ndelete " + p + "quiet noreply\r\n");
                    onAll(group, "noreply", n -> {
                        assertThat(n.get(p + "nr")).isEqualTo("ok");
                        assertThat(n.gets(p + "quiet")).isEmpty();
                    });
                }
            }
            group.awaitConverged();
        }
    }

    /** The meta commands' mutations (ms with its modes and CAS, ma, md, mg with T) replicate like the classic ones. */
    @Test
    void metaCommandMutationsReachThePeer() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.startAll();
            pair.awaitInSync(Duration.ofSeconds(30));
            try (TextClient a = pair.client(0)) {
                assertThat(a.call("ms m1 2 F7 T0\r\nhi")).isEqualTo("HD");
                onAll(pair, "ms", n -> assertThat(n.gets("m1")).hasValueSatisfying(i -> {
                    assertThat(i.value()).isEqualTo("hi");
                    assertThat(i.flags()).isEqualTo(7);
                }));
                assertThat(a.call("ms m1 3 MA\r\n+ap")).isEqualTo("HD");
                onAll(pair, "ms MA", n -> assertThat(n.get("m1")).isEqualTo("hi+ap"));
                long cas = a.gets("m1").orElseThrow().cas();
                assertThat(a.call("ms m1 2 C" + Long.toUnsignedString(cas) + "\r\nv2")).isEqualTo("HD");
                Item afterCas = a.gets("m1").orElseThrow();
                onAll(pair, "ms C", n -> assertThat(n.gets("m1")).contains(afterCas));

                assertThat(a.call("ma m2 N0 J10")).isEqualTo("HD");
                assertThat(a.call("ma m2 D5")).isEqualTo("HD");
                assertThat(a.call("ma m2 MD D3")).isEqualTo("HD");
                onAll(pair, "ma", n -> assertThat(n.get("m2")).isEqualTo("12"));

                assertThat(a.call("md m2")).isEqualTo("HD");
                onAll(pair, "md", n -> assertThat(n.gets("m2")).isEmpty());

                assertThat(a.call("mg m1 T2")).isEqualTo("HD");
                onAll(pair, "mg T", n -> assertThat(n.gets("m1")).isEmpty());
            }
            pair.awaitConverged();
        }
    }

    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = {2, 3})
    void flushAllEmptiesEveryNodeNowOrAfterItsDelay(int size) {
        try (ReplicaGroup group = new ReplicaGroup(run, size)) {
            group.startAll();
            group.awaitInSync(Duration.ofSeconds(30));
            int last = size - 1;
            try (TextClient c = group.client(0)) {
                c.pipelineSets("f", 0, 100, "before");
            }
            onAll(group, "items before flush_all", n -> assertThat(n.digest()).startsWith("items 100 "));
            try (TextClient c = group.client(last)) {
                assertThat(c.call("flush_all")).isEqualTo("OK");
            }
            onAll(group, "flush_all", n -> assertThat(n.getMulti(keys("f", 100))).isEmpty());

            try (TextClient c = group.client(0)) {
                c.pipelineSets("g", 0, 100, "before delayed flush");
            }
            onAll(group, "items before flush_all 2", n -> assertThat(n.getMulti(keys("g", 100))).hasSize(100));
            try (TextClient c = group.client(last)) {
                assertThat(c.call("flush_all 2")).isEqualTo("OK");
            }
            onAll(group, "flush_all 2", n -> assertThat(n.getMulti(keys("g", 100))).isEmpty());
            // once the delayed flush is over, new items stay. Like memcached, a node flushes items stored up to
            // the flush time's second, so an item written within that second may go too: write until one stays
            try (TextClient c = group.client(0)) {
                await("a write after the flush stays").atMost(VISIBLE).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> {
                            assertThat(c.set("after", "flush")).isEqualTo("STORED");
                            assertThat(c.get("after")).isEqualTo("flush");
                        });
            }
            onAll(group, "a write after the flush", n -> assertThat(n.get("after")).isEqualTo("flush"));
            group.awaitConverged();
        }
    }

    @Test
    void evictionsOnTheSmallerNodeNeverDeleteOnItsPeer() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            // the ring holds the whole burst, so the small node never has to fall back to a full copy of what
            // it still holds (a write it evicted before sending would then be missing on the peer)
            pair.args(0, "-m", "16", "--repl-backlog-size=128m").args(1, "-m", "256").startAll();
            pair.awaitInSync(Duration.ofSeconds(30));
            int count = 1000; // 1000 x 60 KB = 60 MB: four times what the small node may hold
            try (TextClient a = pair.client(0)) {
                a.pipelineSets("big", 0, count, "e".repeat(60_000));
                assertThat(Long.parseLong(a.stats("").get("evictions"))).as("evictions on the small node")
                        .isGreaterThan(0);
            }
            await("every value on the larger peer").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .untilAsserted(() -> {
                        try (TextClient b = pair.client(1)) {
                            assertThat(b.getMulti(keys("big", count))).hasSize(count);
                        }
                    });
            try (TextClient b = pair.client(1)) {
                assertThat(b.stats("").get("evictions")).isEqualTo("0");
            }
        }
    }

    private static List<String> keys(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }

    /** Asserts {@code check} on every node of the group, waiting up to {@link #VISIBLE} for it to hold. */
    private static void onAll(ReplicaGroup group, String what, Consumer<TextClient> check) {
        List<Integer> nodes = new ArrayList<>(group.runningNodes());
        for (int i : nodes) {
            await(what + " on node " + i).atMost(VISIBLE).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                try (TextClient n = group.client(i)) {
                    check.accept(n);
                }
            });
        }
    }
}
