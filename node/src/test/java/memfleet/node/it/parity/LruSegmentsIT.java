package memfleet.node.it.parity;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.TextConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The segmented LRU as memcached 1.6.18's maintainer runs it, the same expectations on both servers: new
 * items go into HOT, the maintainer moves them to COLD; an item hit twice while in COLD goes back to WARM at
 * once (memcached's asynchronous bump, {@code moves_to_warm}), not only when it reaches the COLD tail; hits
 * are counted by the segment the item was in ({@code hits_to_cold}, {@code hits_to_warm}); an ACTIVE item at
 * the WARM tail stays in WARM ({@code moves_within_lru}).
 */
@ServerTest(args = {"-m", "64"})
@Timeout(value = 90, unit = SECONDS)
class LruSegmentsIT {
    private final ServerRun run;

    LruSegmentsIT(ServerRun run) {
        this.run = run;
    }

    private static Map<String, Long> items(TextConnection c, int clsid) {
        Map<String, Long> m = new TreeMap<>();
        String prefix = "STAT items:" + clsid + ":";
        for (String line : c.send("stats items\r\n").readUntil("END\r\n").split("\r\n")) {
            if (line.startsWith(prefix)) {
                String[] kv = line.substring(prefix.length()).split(" ");
                m.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return m;
    }

    private static void getEveryThird(TextConnection c, int from) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < 1000; i += 3) {
            b.append("get lru:").append(i).append("\r\n");
        }
        c.send(b.toString());
        for (int i = from; i < 1000; i += 3) {
            c.readUntil("END\r\n");
        }
    }

    @Test
    void itemsMoveHotToColdAndBackToWarmWhenHitTwice() {
        try (TextConnection c = new TextConnection(run.host(), run.port())) {
            StringBuilder sets = new StringBuilder();
            for (int i = 0; i < 1000; i++) {
                sets.append("set lru:").append(i).append(" 0 0 10 noreply\r\n0123456789\r\n");
            }
            c.send(sets.toString());
            assertThat(c.call("version\r\n")).startsWith("VERSION ");
            await().atMost(Duration.ofSeconds(20)).until(() -> items(c, 1).get("number_cold") == 1000);
            assertThat(items(c, 1)).containsEntry("number", 1000L).containsEntry("moves_to_cold", 1000L)
                    .containsEntry("number_hot", 0L).containsEntry("number_warm", 0L);

            // the first hit marks an item fetched, the second active: in COLD that sends it back to WARM
            getEveryThird(c, 0);
            assertThat(items(c, 1)).containsEntry("hits_to_cold", 334L).containsEntry("moves_to_warm", 0L);
            getEveryThird(c, 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> items(c, 1).get("number_warm") == 334);
            assertThat(items(c, 1)).containsEntry("hits_to_cold", 668L).containsEntry("moves_to_warm", 334L)
                    .containsEntry("number_cold", 666L).containsEntry("hits_to_warm", 0L);

            // hits in WARM count there; the maintainer keeps the active ones in WARM
            getEveryThird(c, 0);
            assertThat(items(c, 1)).containsEntry("hits_to_warm", 334L);
            await().atMost(Duration.ofSeconds(20)).until(() -> items(c, 1).get("moves_within_lru") == 334);
            assertThat(items(c, 1)).containsEntry("number_warm", 334L);
        }
    }
}
