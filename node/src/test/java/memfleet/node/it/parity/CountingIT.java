package memfleet.node.it.parity;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.TextConnection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What memcached counts for a get, a gat, a touch and a meta get, read back from {@code stats}, {@code stats
 * items}, {@code stats slabs} and {@code stats detail dump}: a gat is a touch (cmd_touch, touch_hits), not a
 * get, and no LRU hit ({@code hits_to_*}); the detail dump counts a prefix's hits.
 */
@ServerTest
@Timeout(value = 60, unit = SECONDS)
class CountingIT {
    private final ServerProcess server;

    CountingIT(ServerProcess server) {
        this.server = server;
    }

    @BeforeEach
    void reset() {
        try (TextConnection c = new TextConnection(server)) {
            assertThat(c.call("flush_all\r\n")).isEqualTo("OK\r\n");
            assertThat(c.call("stats reset\r\n")).isEqualTo("RESET\r\n");
            assertThat(c.call("stats detail off\r\n")).isEqualTo("OK\r\n");
        }
    }

    /** One stats group as name to value. */
    static Map<String, String> stats(TextConnection c, String group) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : c.send("stats" + (group.isEmpty() ? "" : " " + group) + "\r\n").readUntil("END\r\n").split("\r\n")) {
            String[] p = line.split(" ", 3);
            if (p.length == 3 && p[0].equals("STAT")) {
                m.put(p[1], p[2]);
            }
        }
        return m;
    }

    @Test
    void aGatIsCountedAsATouchAndNotAsAnLruHit() {
        try (TextConnection c = new TextConnection(server)) {
            c.call("set a 0 0 1\r\nx\r\n");
            assertThat(c.send("gat 100 a nope\r\n").readUntil("END\r\n")).startsWith("VALUE a 0 1\r\n");
            assertThat(c.call("touch a 50\r\n")).isEqualTo("TOUCHED\r\n");
            assertThat(c.send("get a\r\n").readUntil("END\r\n")).startsWith("VALUE a");
            assertThat(c.call("mg a v T30\r\n")).isEqualTo("VA 1\r\n");
            c.readLine();
            // an mg with T that misses is a get miss, not a touch miss, with or without a new TTL
            assertThat(c.call("mg nope v T30\r\n")).isEqualTo("EN\r\n");
            assertThat(c.call("mg nope s T0 v\r\n")).isEqualTo("EN\r\n");
            Map<String, String> s = stats(c, "");
            assertThat(s).containsEntry("cmd_get", "3").containsEntry("cmd_touch", "4")
                    .containsEntry("get_hits", "1").containsEntry("get_misses", "2")
                    .containsEntry("touch_hits", "3").containsEntry("touch_misses", "1");
            Map<String, String> items = stats(c, "items");
            long lruHits = 0;
            for (String seg : new String[] {"hot", "warm", "cold", "temp"}) {
                lruHits += Long.parseLong(items.get("items:1:hits_to_" + seg));
            }
            assertThat(lruHits).as("hits_to_* over the LRU segments").isEqualTo(1);
            Map<String, String> slabs = stats(c, "slabs");
            assertThat(slabs).containsEntry("1:get_hits", "1").containsEntry("1:touch_hits", "3");
        }
    }

    @Test
    void statsDetailDumpCountsHits() {
        try (TextConnection c = new TextConnection(server)) {
            assertThat(c.call("stats detail on\r\n")).isEqualTo("OK\r\n");
            c.call("set user:1 0 0 1\r\nx\r\n");
            c.send("get user:1 user:2 user:1\r\n").readUntil("END\r\n");
            assertThat(c.call("delete user:2\r\n")).isEqualTo("NOT_FOUND\r\n");
            assertThat(c.send("stats detail dump\r\n").readUntil("END\r\n"))
                    .isEqualTo("PREFIX user get 3 hit 2 set 1 del 1\r\nEND\r\n");
        }
    }
}
