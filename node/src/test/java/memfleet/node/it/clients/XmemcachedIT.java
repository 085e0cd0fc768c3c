package memfleet.node.it.clients;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.io.UncheckedIOException;
import memfleet.node.it.Protocol;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import net.rubyeye.xmemcached.CASOperation;
import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.command.BinaryCommandFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** xmemcached 2.4.8 with its default text protocol and with its binary command factory, against a real server. */
@ServerTest(protocols = {Protocol.TEXT, Protocol.BINARY})
@Timeout(value = 30, unit = SECONDS)
class XmemcachedIT {
    private static final Pattern ITEMS_NUMBER = Pattern.compile("items:(\\d+):number");
    private static final Pattern SLAB_CHUNK_SIZE = Pattern.compile("(\\d+):chunk_size");

    /** One client for the whole run, as an application keeps one. */
    private final MemcachedClient client;

    XmemcachedIT(ServerRun run) {
        this.client = run.once("client", () -> newClient(run), MemcachedClient::shutdown);
    }

    private static MemcachedClient newClient(ServerRun run) {
        XMemcachedClientBuilder builder = new XMemcachedClientBuilder(List.of(run.address()));
        if (run.protocol() == Protocol.BINARY) {
            builder.setCommandFactory(new BinaryCommandFactory());
        }
        builder.setConnectTimeout(5000);
        builder.setOpTimeout(5000);
        try {
            MemcachedClient client = builder.build();
            // no idle "version" probes between a test's reads of the counters
            client.setEnableHeartBeat(false);
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void setThenGetAndAMultiGetOfStoredAndMissingKeys() throws Exception {
        List<String> keys = IntStream.range(0, 50).mapToObj(i -> "xm:multi:" + i).toList();
        for (String key : keys) {
            assertThat(client.set(key, 0, "value of " + key)).isTrue();
        }
        assertThat(client.<String>get("xm:multi:7")).isEqualTo("value of xm:multi:7");
        assertThat(client.<String>get("xm:multi:missing")).isNull();

        List<String> asked = new ArrayList<>(keys);
        asked.add("xm:multi:missing");
        Map<String, String> found = client.get(asked);

        assertThat(found).hasSize(50).doesNotContainKey("xm:multi:missing");
        keys.forEach(key -> assertThat(found).containsEntry(key, "value of " + key));
    }

    @Test
    void casWithGetsSucceedsOnceAndFailsOnAStaleOrMissingItem() throws Exception {
        client.set("xm:cas", 0, "v1");
        GetsResponse<String> first = client.gets("xm:cas");
        assertThat(first.getValue()).isEqualTo("v1");

        assertThat(client.cas("xm:cas", 0, "v2", first.getCas())).isTrue();
        assertThat(client.cas("xm:cas", 0, "stale", first.getCas())).isFalse();
        assertThat(client.<String>get("xm:cas")).isEqualTo("v2");
        assertThat(client.cas("xm:cas:missing", 0, "x", first.getCas())).isFalse();
        assertThat(client.<String>get("xm:cas:missing")).isNull();
    }

    @Test
    void casOperationRetriesGetsAndCasUntilItStores() throws Exception {
        client.set("xm:casop", 0, "1");

        boolean stored = client.cas("xm:casop", 0, new CASOperation<String>() {
            @Override
            public int getMaxTries() {
                return 3;
            }

            @Override
            public String getNewValue(long currentCas, String currentValue) {
                return Integer.toString(Integer.parseInt(currentValue) + 1);
            }
        });

        assertThat(stored).isTrue();
        assertThat(client.<String>get("xm:casop")).isEqualTo("2");
    }

    @Test
    void addReplaceAppendAndPrependFollowMemcachedsRules() throws Exception {
        assertThat(client.add("xm:arap", 0, "b")).isTrue();
        assertThat(client.add("xm:arap", 0, "other")).isFalse();
        assertThat(client.append("xm:arap", "c")).isTrue();
        assertThat(client.prepend("xm:arap", "a")).isTrue();
        assertThat(client.<String>get("xm:arap")).isEqualTo("abc");

        assertThat(client.replace("xm:arap", 0, "new")).isTrue();
        assertThat(client.<String>get("xm:arap")).isEqualTo("new");
        assertThat(client.replace("xm:arap:missing", 0, "x")).isFalse();
        assertThat(client.append("xm:arap:missing", "x")).isFalse();
        assertThat(client.prepend("xm:arap:missing", "x")).isFalse();
    }

    @Test
    void incrAndDecrCountAndAMissingCounterIsCreatedWithItsInitialValue() throws Exception {
        // xmemcached answers NOT_FOUND by adding the key with the initial value, then returns that value
        assertThat(client.incr("xm:counter", 5, 100)).isEqualTo(100);
        assertThat(client.incr("xm:counter", 5)).isEqualTo(105);
        assertThat(client.decr("xm:counter", 10)).isEqualTo(95);
        assertThat(client.decr("xm:counter", 1000)).isZero();
        assertThat(client.<String>get("xm:counter").strip()).isEqualTo("0");
    }

    @Test
    void touchSetsANewExptimeOnlyOnAnExistingKey() throws Exception {
        client.set("xm:touch", 0, "v");

        assertThat(client.touch("xm:touch", 3600)).isTrue();
        assertThat(client.<String>get("xm:touch")).isEqualTo("v");
        // an exptime over 30 days is a unix time; one in the past expires the item at once (xmemcached garbles
        // negative exptimes on the wire, so -1 cannot be used here)
        long serverTime = Long.parseLong(stats("").get("time"));
        assertThat(client.touch("xm:touch", (int) (serverTime - 3600))).isTrue();
        assertThat(client.<String>get("xm:touch")).isNull();
        assertThat(client.touch("xm:touch:missing", 60)).isFalse();
    }

    @Test
    void aMultiGetOfStoredAndMissingKeysReturnsOnlyTheHits() throws Exception {
        // in the binary protocol xmemcached sends quiet gets (getkq) and a noop: a miss answers nothing
        for (int i = 0; i < 30; i += 2) {
            client.set("xm:m" + i, 0, "v" + i);
        }
        Map<String, String> got = client.get(IntStream.range(0, 30).mapToObj(i -> "xm:m" + i).toList());
        assertThat(got).hasSize(15).containsEntry("xm:m4", "v4").doesNotContainKey("xm:m5");
    }

    @Test
    void deleteRemovesTheKeyOnce() throws Exception {
        client.set("xm:delete", 0, "v");

        assertThat(client.delete("xm:delete")).isTrue();
        assertThat(client.<String>get("xm:delete")).isNull();
        assertThat(client.delete("xm:delete")).isFalse();
    }

    @Test
    void flushAllEmptiesTheCache() throws Exception {
        client.set("xm:flush:1", 0, "a");
        client.set("xm:flush:2", 0, "b");

        client.flushAll();

        assertThat(client.<String>get("xm:flush:1")).isNull();
        assertThat(client.<String>get("xm:flush:2")).isNull();
        // no assertion on curr_items: memcached drops flushed items lazily (on access or by the LRU crawler),
        // so right after flush_all it still counts items that no get can return
        client.set("xm:flush:after", 0, "c");
        assertThat(client.<String>get("xm:flush:after")).isEqualTo("c");
    }

    @Test
    void generalStatsHaveMemcachedsFieldNames() throws Exception {
        client.set("xm:stats", 0, "v");

        Map<String, String> stats = stats("");

        assertThat(stats).containsKeys("pid", "uptime", "time", "version", "curr_items", "total_items", "bytes",
                "curr_connections", "total_connections", "cmd_get", "cmd_set", "get_hits", "get_misses",
                "limit_maxbytes", "threads", "evictions");
        assertThat(Long.parseLong(stats.get("curr_items"))).isPositive();
        assertThat(Long.parseLong(stats.get("bytes"))).isPositive();
    }

    @Test
    void itemsStatsCountEveryItemOncePerSlabClass() throws Exception {
        for (int i = 0; i < 20; i++) {
            client.set("xm:items:small:" + i, 0, "v" + i);
            client.set("xm:items:large:" + i, 0, "x".repeat(2000));
        }

        Map<String, String> items = stats("items");
        Map<Integer, Long> numberByClass = classes(items, ITEMS_NUMBER);
        assertThat(numberByClass).as("slab classes holding items").hasSizeGreaterThanOrEqualTo(2);
        for (int id : numberByClass.keySet()) {
            assertThat(items).containsKeys(
                    "items:" + id + ":number_hot", "items:" + id + ":number_warm", "items:" + id + ":number_cold",
                    "items:" + id + ":age", "items:" + id + ":mem_requested", "items:" + id + ":evicted",
                    "items:" + id + ":evicted_nonzero", "items:" + id + ":evicted_time",
                    "items:" + id + ":outofmemory", "items:" + id + ":tailrepairs", "items:" + id + ":reclaimed",
                    "items:" + id + ":expired_unfetched", "items:" + id + ":evicted_unfetched",
                    "items:" + id + ":crawler_reclaimed");
        }
        // the two groups are read one after the other; the LRU crawler may reclaim an item in between
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            long itemsTotal = classes(stats("items"), ITEMS_NUMBER).values().stream().mapToLong(Long::longValue).sum();
            assertThat(itemsTotal).as("sum of items:N:number").isEqualTo(Long.parseLong(stats("").get("curr_items")));
        });
    }

    @Test
    void slabsStatsDescribeGrowingChunkSizesThatHoldTheItems() throws Exception {
        for (int i = 0; i < 20; i++) {
            client.set("xm:slabs:" + i, 0, "y".repeat(500));
        }

        Map<String, String> slabs = stats("slabs");
        Map<String, String> items = stats("items");

        assertThat(slabs).containsKeys("active_slabs", "total_malloced");
        Map<Integer, Long> chunkSizeByClass = classes(slabs, SLAB_CHUNK_SIZE);
        assertThat(Long.parseLong(slabs.get("active_slabs"))).isEqualTo(chunkSizeByClass.size());
        long previous = 0;
        for (Map.Entry<Integer, Long> e : chunkSizeByClass.entrySet()) {
            int id = e.getKey();
            assertThat(e.getValue()).as("chunk_size of class %d", id).isGreaterThan(previous);
            previous = e.getValue();
            assertThat(slabs).containsKeys(id + ":chunks_per_page", id + ":total_pages", id + ":total_chunks",
                    id + ":used_chunks", id + ":free_chunks", id + ":free_chunks_end", id + ":get_hits",
                    id + ":cmd_set", id + ":delete_hits", id + ":incr_hits", id + ":decr_hits", id + ":cas_hits",
                    id + ":cas_badval", id + ":touch_hits");
            assertThat(Long.parseLong(slabs.get(id + ":used_chunks")) + Long.parseLong(slabs.get(id + ":free_chunks")))
                    .as("used + free chunks of class %d", id)
                    .isEqualTo(Long.parseLong(slabs.get(id + ":total_chunks")));
        }
        for (Map.Entry<Integer, Long> e : classes(items, ITEMS_NUMBER).entrySet()) {
            assertThat(chunkSizeByClass).as("slab classes").containsKey(e.getKey());
            assertThat(Long.parseLong(slabs.get(e.getKey() + ":used_chunks")))
                    .as("used chunks of class %d", e.getKey()).isGreaterThanOrEqualTo(e.getValue());
        }
        assertThat(Long.parseLong(slabs.get("total_malloced"))).isPositive().isLessThanOrEqualTo(64L * 1024 * 1024);
    }

    /** One server's stats for {@code group} ("" for the general stats). */
    private Map<String, String> stats(String group) throws Exception {
        Map<InetSocketAddress, Map<String, String>> all =
                group.isEmpty() ? client.getStats() : client.getStatsByItem(group);
        assertThat(all).hasSize(1);
        return all.values().iterator().next();
    }

    /** The value of each stat whose name matches {@code name}, by the slab class id it names, in class order. */
    private static Map<Integer, Long> classes(Map<String, String> stats, Pattern name) {
        Map<Integer, Long> byClass = new TreeMap<>();
        for (Map.Entry<String, String> e : stats.entrySet()) {
            Matcher m = name.matcher(e.getKey());
            if (m.matches()) {
                byClass.put(Integer.parseInt(m.group(1)), Long.parseLong(e.getValue()));
            }
        }
        return byClass;
    }
}
