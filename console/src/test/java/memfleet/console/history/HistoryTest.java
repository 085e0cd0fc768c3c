package memfleet.console.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import memfleet.console.collect.CollectProperties;
import memfleet.console.collect.NodeSample;
import memfleet.console.fleet.Fleet;
import memfleet.console.fleet.FleetProperties;
import memfleet.console.fleet.NodeAddress;
import memfleet.protocol.text.ReplicationStats;
import memfleet.protocol.text.StatsReply;
import org.junit.jupiter.api.Test;

/** Rates, hit ratios, restarts and downsampling from a sequence of samples as the collector produces them. */
class HistoryTest {
    static final NodeAddress NODE = NodeAddress.parse("127.0.0.1:11211@a");

    static NodeSample sample(long timeMs, long uptime, long gets, long hits, long sets, long evictions) {
        return sample(NODE, timeMs, uptime, gets, hits, sets, evictions);
    }

    static NodeSample sample(NodeAddress node, long timeMs, long uptime, long gets, long hits, long sets, long evictions) {
        StatsReply stats = StatsReply.parse("STAT uptime " + uptime + "\r\nSTAT version 1.6.18\r\nSTAT cmd_get " + gets
                + "\r\nSTAT get_hits " + hits + "\r\nSTAT get_misses " + (gets - hits) + "\r\nSTAT cmd_set " + sets
                + "\r\nSTAT evictions " + evictions + "\r\nSTAT bytes 100\r\nSTAT limit_maxbytes 1000\r\nEND\r\n");
        StatsReply empty = StatsReply.parse("END\r\n");
        return new NodeSample(node, timeMs, true, null, 100, stats, empty, empty, empty, ReplicationStats.NONE);
    }

    History history() {
        return history(List.of("127.0.0.1:11211@a"));
    }

    History history(List<String> nodes) {
        return new History(new HistoryProperties(Duration.ofMinutes(2), Duration.ofHours(1), Duration.ofMinutes(1),
                Duration.ofSeconds(10)), new CollectProperties(Duration.ofSeconds(2), Duration.ofSeconds(1), 8,
                CollectProperties.Tls.OFF, CollectProperties.Auth.NONE, java.util.Map.of()),
                new Fleet(new FleetProperties(nodes, List.of(), Duration.ofSeconds(30))));
    }

    @Test
    void ratesComeFromConsecutiveSamplesAndTheHitRatioFromTheWindow() {
        History h = history();
        h.sampled(sample(0, 10, 0, 0, 0, 0));
        assertThat(h.status(NODE).getsPerSec()).isNaN();
        h.sampled(sample(2000, 12, 200, 200, 40, 0));
        NodeStatus s = h.status(NODE);
        assertThat(s.getsPerSec()).isEqualTo(100.0);
        assertThat(s.setsPerSec()).isEqualTo(20.0);
        assertThat(s.hitRatioWindow()).isEqualTo(1.0);
        // 12 s later the window (10 s) no longer holds the all-hit start: 100 gets, 50 hits
        h.sampled(sample(14000, 24, 300, 250, 40, 6));
        s = h.status(NODE);
        assertThat(s.hitRatioWindow()).isCloseTo(0.5, within(1e-9));
        assertThat(s.hitRatioLifetime()).isCloseTo(250.0 / 300, within(1e-9));
        assertThat(s.evictionsPerSec()).isCloseTo(0.5, within(1e-9));
        assertThat(s.memoryRatio()).isEqualTo(0.1);
    }

    @Test
    void aRestartOrADownNodeResetsTheRates() {
        History h = history();
        h.sampled(sample(0, 100, 1000, 900, 0, 0));
        h.sampled(sample(2000, 1, 5, 5, 0, 0));
        assertThat(h.status(NODE).getsPerSec()).as("counters went back: restart").isNaN();
        h.sampled(new NodeSample(NODE, 4000, false, "connection refused", -1, null, null, null, null, ReplicationStats.NONE));
        NodeStatus down = h.status(NODE);
        assertThat(down.up()).isFalse();
        assertThat(down.error()).isEqualTo("connection refused");
        assertThat(down.latest().stats().get("uptime")).as("last good sample kept").isEqualTo("1");
    }

    @Test
    void olderPointsAreMinuteAveragesNewerOnesFullResolution() {
        History h = history();
        // 10 minutes at 2 s; gets grow 10/s for 5 minutes, then 30/s
        long gets = 0;
        for (int i = 0; i <= 300; i++) {
            long t = i * 2000L;
            gets += i == 0 ? 0 : (t <= 300_000 ? 20 : 60);
            h.sampled(sample(t, 10 + i * 2L, gets, gets, 0, 0));
        }
        Map<String, Object> chart = h.chart(NODE, 0).orElseThrow();
        double[] t = (double[]) chart.get("t");
        Double[] rate = (Double[]) chart.get(Series.GETS_PER_SEC.name());
        // the recent ring holds 2 minutes at 2 s (61 points); before that, one point per minute
        assertThat(t.length).isBetween(61 + 6, 61 + 9);
        assertThat(t[1] - t[0]).isEqualTo(60.0);
        assertThat(t[t.length - 1] - t[t.length - 2]).isEqualTo(2.0);
        assertThat(rate[1]).isEqualTo(10.0);
        assertThat(rate[rate.length - 1]).isEqualTo(30.0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aGroupChartAlignsItsNodesOnPollIntervalsAndSumsThem() {
        NodeAddress b = NodeAddress.parse("127.0.0.1:11212@a");
        History h = history(List.of("127.0.0.1:11211@a", "127.0.0.1:11212@a"));
        // polled 2 s apart each, b 150 ms after a; b misses the last poll
        h.sampled(sample(NODE, 10_000, 10, 0, 0, 0, 0));
        h.sampled(sample(b, 10_150, 10, 0, 0, 0, 0));
        h.sampled(sample(NODE, 12_000, 12, 200, 100, 0, 0));
        h.sampled(sample(b, 12_150, 12, 400, 400, 0, 0));
        h.sampled(sample(NODE, 14_000, 14, 400, 200, 0, 0));
        Map<String, Object> chart = h.groupChart(List.of(NODE, b), 0);
        assertThat((double[]) chart.get("t")).containsExactly(10.0, 12.0, 14.0);
        assertThat((List<String>) chart.get("nodes")).containsExactly(NODE.id(), b.id());
        Map<String, Map<String, Double[]>> series = (Map<String, Map<String, Double[]>>) chart.get("series");
        assertThat(series.get("GETS_PER_SEC").get(NODE.id())).containsExactly(null, 100.0, 100.0);
        assertThat(series.get("GETS_PER_SEC").get(b.id())).containsExactly(null, 200.0, null);
        assertThat(series.get("GETS_PER_SEC").get("group")).as("b missed the last poll: its last rate stands in").containsExactly(null, 300.0, 300.0);
        // the hit ratio is the nodes' mean, not a sum
        assertThat(series.get("HIT_RATIO").get("group")[1]).isCloseTo(0.75, within(1e-9));
        assertThat(series.get("MEMORY_LIMIT_BYTES").get("group")).containsExactly(2000.0, 2000.0, 2000.0);
    }
}
