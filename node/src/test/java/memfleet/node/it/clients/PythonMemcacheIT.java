package memfleet.node.it.clients;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The typical python-memcache user script ({@code clients/python_memcache_user.py}, Debian's python3-memcache)
 * run once against a fresh server; the tests judge what it printed. A fresh server makes the counters exact.
 */
@ServerTest
@Timeout(value = 60, unit = SECONDS)
class PythonMemcacheIT {
    private static final Set<String> KEYS =
            IntStream.range(0, 100).mapToObj(i -> "user:%03d".formatted(i)).collect(Collectors.toCollection(TreeSet::new));

    /** What the script printed: it runs once per server, before the first test judges it. */
    private final ClientProcess.Result script;
    private final boolean node;

    PythonMemcacheIT(ServerRun run) {
        this.node = run.isNode();
        this.script = run.once("script", () -> ClientProcess.runPythonScript(Duration.ofSeconds(30), "python_memcache_user.py",
                run.host(), Integer.toString(run.port())));
    }

    @Test
    void theScriptStoresAndReadsBackAll100Keys() {
        assertThat(script.exitCode()).as(script.describe()).isZero();
        assertThat(script.section("run")).as(script.describe())
                .containsEntry("stored", "100")
                .containsEntry("hits", "100")
                .containsEntry("multi_hits", "100")
                .containsEntry("multi_size", "100")
                .containsEntry("done", "yes");
    }

    @Test
    void generalStatsHaveMemcachedsNamesAndCountTheScriptsCommandsExactly() {
        Map<String, String> stats = script.section("stats");

        assertThat(stats).as(script.describe()).containsKeys("pid", "uptime", "time", "version", "pointer_size",
                "rusage_user", "rusage_system", "max_connections", "curr_connections", "total_connections",
                "cmd_get", "cmd_set", "cmd_flush", "cmd_touch", "get_hits", "get_misses", "get_expired",
                "get_flushed", "delete_misses", "delete_hits", "incr_misses", "incr_hits", "decr_misses", "decr_hits",
                "cas_misses", "cas_hits", "cas_badval", "touch_hits", "touch_misses", "bytes_read", "bytes_written",
                "limit_maxbytes", "threads", "bytes", "curr_items", "total_items", "evictions", "reclaimed");
        assertThat(stats).as(script.describe())
                .containsEntry("curr_items", "100")
                .containsEntry("total_items", "100")
                .containsEntry("cmd_set", "100")
                // cmd_get counts keys, not commands: 100 single gets plus a multi-get of 100 keys and one missing
                .containsEntry("cmd_get", "201")
                .containsEntry("get_hits", "200")
                .containsEntry("get_misses", "1")
                .containsEntry("limit_maxbytes", Long.toString(64L * 1024 * 1024));
        assertThat(Long.parseLong(stats.get("bytes"))).as("bytes").isPositive();
    }

    @Test
    void itemsAndSlabsStatsPutThe100SmallItemsInSlabClass1() {
        // the script rereads `stats items` until the per-class counts add up to curr_items: both servers move
        // items between LRU queues in the background, and one read can miss an item in transit
        Map<String, String> items = script.section("items");
        Map<String, String> slabs = script.section("slabs");

        assertThat(items).as(script.describe())
                .containsEntry("items:1:number", "100")
                .containsKeys("items:1:number_hot", "items:1:number_warm", "items:1:number_cold", "items:1:age",
                        "items:1:mem_requested", "items:1:evicted", "items:1:outofmemory", "items:1:reclaimed");
        assertThat(items.keySet()).as("only slab class 1 holds items").allMatch(name -> name.startsWith("items:1:"));
        assertThat(slabs).as(script.describe())
                .containsEntry("1:used_chunks", "100")
                .containsEntry("1:cmd_set", "100")
                .containsEntry("1:get_hits", "200")
                .containsKeys("1:chunk_size", "1:chunks_per_page", "1:total_pages", "1:total_chunks",
                        "1:free_chunks", "1:free_chunks_end", "active_slabs", "total_malloced");
    }

    @Test
    void cachedumpOfSlabClass1ListsTheScriptsKeysWithSizeAndExptime() {
        Map<String, String> dump = script.section("cachedump");

        // each line is "ITEM <key> [<bytes> b; <exptime> s]"; python-memcache maps key -> "[4 b; 0 s]"
        assertThat(dump.keySet()).as(script.describe()).isSubsetOf(KEYS);
        assertThat(dump.values()).as("sizes and exptimes").allMatch("[4 b; 0 s]"::equals);
        if (!node) {
            // memcached 1.6 dumps only the COLD LRU of the class. Its LRU maintainer thread moves items from HOT
            // to COLD in the background (keeping HOT near 20% of the class), so right after the sets the dump
            // shows a varying part of the 100 keys: 0, 60 or 80 in trials. That weakness is what memfleet
            // improves on, so "all of them" is asserted for memfleet only.
            return;
        }
        assertThat(new TreeSet<>(dump.keySet())).as("cachedump lists every key of the class").isEqualTo(KEYS);
    }
}
