package memfleet.node.it.parity;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.TextConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code total_malloced} as memcached keeps it: {@code T_MEMD_INITIAL_MALLOC} counts as malloced from the start
 * (memcached's own test suite uses it); after {@code cache_memlimit} is lowered, pages that {@code slabs
 * reassign <class> 0} takes from a class are freed until the total is back under the limit, and join the global
 * page pool after that. {@code slabs reassign <src> <dst>} to a class gives the page to that class at once, all its
 * chunks free, {@code total_malloced} unchanged; a class with one page has none to spare.
 */
@ServerTest(shared = false)
@Timeout(value = 90, unit = SECONDS)
class MallocIT {
    private static final long MB = 1 << 20;

    private final ServerRun run;

    MallocIT(ServerRun run) {
        this.run = run;
    }

    private ServerProcess start(Map<String, String> env) {
        return run.start(env, "-m", "64");
    }

    private static long stat(TextConnection c, String group, String name) {
        return Long.parseLong(CountingIT.stats(c, group).get(name));
    }

    @Test
    void anInitialMallocCountsFromTheStart() {
        try (ServerProcess server = start(Map.of("T_MEMD_INITIAL_MALLOC", "4294967328"));
                TextConnection c = new TextConnection(server)) {
            assertThat(stat(c, "slabs", "total_malloced")).isEqualTo(4294967328L);
            assertThat(c.call("set a 0 0 1\r\nx\r\n")).isEqualTo("STORED\r\n");
            assertThat(stat(c, "slabs", "total_malloced")).isEqualTo(4294967328L + MB);
        }
    }

    @Test
    void aPageReassignedToAClassIsThatClasssAtOnce() throws Exception {
        try (ServerProcess server = start(Map.of()); TextConnection c = new TextConnection(server)) {
            StringBuilder sets = new StringBuilder();
            for (int i = 0; i < 200_000; i++) {
                sets.append("set k").append(i).append(" 0 0 10 noreply\r\n0123456789\r\n");
            }
            c.send(sets.toString());
            assertThat(c.call("version\r\n")).startsWith("VERSION");
            long malloced = stat(c, "slabs", "total_malloced");
            long pages = stat(c, "slabs", "1:total_pages");
            assertThat(pages).isGreaterThan(10);

            assertThat(c.call("slabs reassign 1 0\r\n")).isEqualTo("OK\r\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> stat(c, "", "slabs_moved") == 1);
            assertThat(stat(c, "", "slab_global_page_pool")).isEqualTo(1);
            assertThat(stat(c, "slabs", "1:total_pages")).isEqualTo(pages - 1);

            assertThat(c.call("slabs reassign 1 12\r\n")).isEqualTo("OK\r\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> stat(c, "", "slabs_moved") == 2);
            Map<String, String> slabs = CountingIT.stats(c, "slabs");
            assertThat(slabs).containsEntry("12:total_pages", "1").containsEntry("1:total_pages", Long.toString(pages - 2));
            long chunk = Long.parseLong(slabs.get("12:chunk_size"));
            assertThat(Long.parseLong(slabs.get("12:total_chunks"))).isEqualTo(MB / chunk);
            assertThat(slabs.get("12:free_chunks")).isEqualTo(slabs.get("12:total_chunks"));
            assertThat(stat(c, "", "slab_global_page_pool")).as("the page did not pass through the pool").isEqualTo(1);
            assertThat(stat(c, "slabs", "total_malloced")).isEqualTo(malloced);

            assertThat(c.call("slabs reassign 12 1\r\n")).isEqualTo("NOSPARE source class has no spare pages\r\n");
            // the server goes on storing
            assertThat(c.call("set big 0 0 1000\r\n" + "b".repeat(1000) + "\r\n")).isEqualTo("STORED\r\n");
            assertThat(c.call("get big\r\n")).startsWith("VALUE big 0 1000");
        }
    }

    @Test
    void pagesTakenAfterTheLimitWasLoweredAreFreedThenPooled() throws Exception {
        try (ServerProcess server = start(Map.of()); TextConnection c = new TextConnection(server)) {
            StringBuilder sets = new StringBuilder();
            String value = "x".repeat(1000);
            for (int i = 0; i < 30000; i++) {
                sets.append("set k").append(i).append(" 0 0 1000 noreply\r\n").append(value).append("\r\n");
            }
            c.send(sets.toString());
            assertThat(c.call("version\r\n")).startsWith("VERSION");
            long before = stat(c, "slabs", "total_malloced");
            assertThat(before).isGreaterThan(20 * MB);
            String cls = CountingIT.stats(c, "items").keySet().iterator().next().split(":")[1];
            assertThat(c.call("cache_memlimit 8\r\n")).isEqualTo("OK\r\n");
            for (int i = 0; i < 400 && stat(c, "", "slab_global_page_pool") < 2; i++) {
                String reply = c.call("slabs reassign " + cls + " 0\r\n");
                assertThat(reply).isIn("OK\r\n", "BUSY currently processing reassign request\r\n");
                Thread.sleep(20);
            }
            assertThat(stat(c, "slabs", "total_malloced")).isEqualTo(8 * MB);
            assertThat(stat(c, "", "slab_global_page_pool")).isGreaterThanOrEqualTo(2);
        }
    }
}
