package memfleet.node.it.clients;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An application's pymemcache calls ({@code clients/pymemcache_user.py}, Debian's python3-pymemcache) run once
 * against a fresh server; the tests judge the Python reprs of what each call answered.
 */
@ServerTest
@Timeout(value = 60, unit = SECONDS)
class PymemcacheIT {
    /** What the script printed: it runs once per server, before the first test judges it. */
    private final ClientProcess.Result script;

    PymemcacheIT(ServerRun run) {
        this.script = run.once("script", () -> ClientProcess.runPythonScript(Duration.ofSeconds(30), "pymemcache_user.py",
                run.host(), Integer.toString(run.port())));
    }

    @Test
    void theScriptRunsToTheEnd() {
        assertThat(script.exitCode()).as(script.describe()).isZero();
        assertThat(script.section("run")).as(script.describe()).containsEntry("done", "True");
        assertThat(script.section("run").get("version")).as("version").matches("b'\\d+\\.\\d+\\.\\d+.*'");
    }

    @Test
    void setManyThenGetManyReturnsEveryValue() {
        assertThat(section("many"))
                .containsEntry("set_many_failed", "[]")
                .containsEntry("get_many_size", "100")
                .containsEntry("get_many_equal", "True");
    }

    @Test
    void setWithPymemcachesDefaultNoreplyIsStored() {
        assertThat(section("noreply")).containsEntry("get", "b'quiet'");
    }

    @Test
    void casWithGetsStoresOnceThenAnswersExistsOrNotFound() {
        // pymemcache maps STORED to True, EXISTS to False and NOT_FOUND to None
        assertThat(section("cas"))
                .containsEntry("gets_value", "b'v1'")
                .containsEntry("first", "True")
                .containsEntry("stale", "False")
                .containsEntry("missing", "None")
                .containsEntry("get", "b'v2'")
                .containsEntry("gets_missing", "(None, None)");
    }

    @Test
    void incrAndDecrCountWrapAndFloorAndRefuseText() {
        assertThat(section("counter"))
                .containsEntry("incr", "15")
                .containsEntry("decr", "12")
                .containsEntry("decr_below_zero", "0")
                .containsEntry("incr_missing", "None")
                .containsEntry("incr_wraps", "0")
                .containsEntry("incr_text",
                        "\"MemcacheClientError: b'cannot increment or decrement non-numeric value'\"");
    }

    @Test
    void touchAnswersForExistingAndMissingKeysAndANegativeExptimeExpires() {
        assertThat(section("touch"))
                .containsEntry("existing", "True")
                .containsEntry("missing", "False")
                .containsEntry("expire_now", "True")
                .containsEntry("get_after_expire_now", "None");
    }

    @Test
    void deleteAnswersTrueOnceThenFalse() {
        assertThat(section("delete")).containsEntry("existing", "True").containsEntry("again", "False");
    }

    @Test
    void addAppendPrependAndReplaceFollowMemcachedsRules() {
        assertThat(section("store"))
                .containsEntry("add_new", "True")
                .containsEntry("add_existing", "False")
                .containsEntry("append", "True")
                .containsEntry("prepend", "True")
                .containsEntry("get", "b'abc'")
                .containsEntry("replace_missing", "False")
                .containsEntry("append_missing", "False");
    }

    @Test
    void flagsRoundTripOverAll32UnsignedBits() {
        assertThat(section("flags"))
                .containsEntry("0", "(b'flagged', 0)")
                .containsEntry("1", "(b'flagged', 1)")
                .containsEntry("2147483648", "(b'flagged', 2147483648)")
                .containsEntry("4294967295", "(b'flagged', 4294967295)");
    }

    @Test
    void aValueOverTheItemSizeLimitIsRefusedWithMemcachedsError() {
        assertThat(section("large"))
                .containsEntry("too_large", "\"MemcacheServerError: b'object too large for cache'\"")
                .containsEntry("after", "b'quiet'");
    }

    @Test
    void statsItemsAndSlabsHaveMemcachedsNames() {
        Map<String, String> stats = section("stats");

        assertThat(stats.get("names")).as("general stat names").contains(
                "'pid'", "'uptime'", "'time'", "'version'", "'curr_connections'", "'total_connections'",
                "'cmd_get'", "'cmd_set'", "'cmd_touch'", "'cmd_flush'", "'get_hits'", "'get_misses'",
                "'touch_hits'", "'touch_misses'", "'cas_hits'", "'cas_misses'", "'cas_badval'", "'incr_hits'",
                "'decr_hits'", "'bytes'", "'curr_items'", "'total_items'", "'evictions'", "'limit_maxbytes'");
        assertThat(stats.get("version")).isEqualTo(section("run").get("version"));
        assertThat(Long.parseLong(stats.get("curr_items"))).as("curr_items").isPositive();
        assertThat(stats.get("items_names")).as("items stat names").contains(
                "'number'", "'number_hot'", "'number_warm'", "'number_cold'", "'age'", "'evicted'",
                "'evicted_nonzero'", "'evicted_time'", "'outofmemory'", "'tailrepairs'", "'reclaimed'",
                "'expired_unfetched'", "'evicted_unfetched'", "'crawler_reclaimed'", "'mem_requested'");
        assertThat(stats.get("slabs_names")).as("slabs stat names").contains(
                "'active_slabs'", "'total_malloced'", "'chunk_size'", "'chunks_per_page'", "'total_pages'",
                "'total_chunks'", "'used_chunks'", "'free_chunks'", "'free_chunks_end'", "'get_hits'",
                "'cmd_set'", "'delete_hits'", "'incr_hits'", "'decr_hits'", "'cas_hits'", "'cas_badval'",
                "'touch_hits'");
    }

    @Test
    void flushAllAnswersOkAndEmptiesTheCache() {
        assertThat(section("flush")).containsEntry("flush_all", "True").containsEntry("get_after", "None");
    }

    private Map<String, String> section(String name) {
        Map<String, String> section = script.section(name);
        assertThat(section).as("section %s of\n%s", name, script.describe()).isNotEmpty();
        return section;
    }
}
