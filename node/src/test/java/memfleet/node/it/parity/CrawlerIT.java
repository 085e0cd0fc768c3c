package memfleet.node.it.parity;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.TextConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The LRU crawler's counters as memcached 1.6.18 keeps them, on both servers: the maintainer's first autocrawl
 * runs at start ({@code lru_crawler_starts} 1 on an idle server), each {@code lru_crawler crawl} counts a start
 * and every item it passes ({@code crawler_items_checked}, in {@code stats} and per class), expired items it
 * meets are reclaimed ({@code crawler_reclaimed}); {@code lru_crawler sleep|tocrawl} show in {@code stats
 * settings}; unknown sub-commands are {@code ERROR}.
 */
@ServerTest(args = {"-m", "64"})
@Timeout(value = 60, unit = SECONDS)
class CrawlerIT {
    private final ServerRun run;

    CrawlerIT(ServerRun run) {
        this.run = run;
    }

    private static long items(TextConnection c, String name) {
        String prefix = "STAT items:1:" + name + " ";
        for (String line : c.send("stats items\r\n").readUntil("END\r\n").split("\r\n")) {
            if (line.startsWith(prefix)) {
                return Long.parseLong(line.substring(prefix.length()));
            }
        }
        return -1;
    }

    @Test
    void crawlsCountTheirStartsAndTheItemsTheyPassAndReclaimTheExpired() throws InterruptedException {
        try (TextConnection c = new TextConnection(run.host(), run.port())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> c.stat("lru_crawler_starts") == 1);
            assertThat(c.stat("crawler_items_checked")).isZero();

            StringBuilder sets = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                sets.append("set cr:k").append(i).append(" 0 0 10 noreply\r\n0123456789\r\n");
                sets.append("set cr:e").append(i).append(" 0 1 10 noreply\r\n0123456789\r\n");
            }
            c.send(sets.toString());
            assertThat(c.call("version\r\n")).startsWith("VERSION ");
            Thread.sleep(2500); // the cr:e items expire
            assertThat(c.call("lru_crawler crawl all\r\n")).isEqualTo("OK\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> c.stat("lru_crawler_starts") == 2
                    && c.stat("lru_crawler_running") == 0);
            // each expired item went either to the crawler or (earlier) to the maintainer's tail pulls
            assertThat(c.stat("curr_items")).isEqualTo(100);
            assertThat(c.stat("crawler_reclaimed") + c.stat("reclaimed")).isEqualTo(100);
            assertThat(c.stat("crawler_items_checked")).isGreaterThanOrEqualTo(100);
            assertThat(items(c, "crawler_items_checked")).isEqualTo(c.stat("crawler_items_checked"));

            long checked = c.stat("crawler_items_checked");
            assertThat(c.call("lru_crawler crawl 1\r\n")).isEqualTo("OK\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> c.stat("lru_crawler_starts") == 3
                    && c.stat("lru_crawler_running") == 0);
            assertThat(c.stat("crawler_items_checked")).isEqualTo(checked + 100);

            assertThat(c.call("lru_crawler sleep 200\r\n")).isEqualTo("OK\r\n");
            assertThat(c.call("lru_crawler tocrawl 50\r\n")).isEqualTo("OK\r\n");
            String settings = c.send("stats settings\r\n").readUntil("END\r\n");
            assertThat(settings).contains("STAT lru_crawler_sleep 200\r\n", "STAT lru_crawler_tocrawl 50\r\n");
            assertThat(c.call("lru_crawler foo\r\n")).isEqualTo("ERROR\r\n");
            assertThat(c.call("lru_crawler\r\n")).isEqualTo("ERROR\r\n");
        }
    }
}
