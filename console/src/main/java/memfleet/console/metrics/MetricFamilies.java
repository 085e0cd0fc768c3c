package memfleet.console.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects data points by metric name during one scrape and builds the snapshots at the end, so every node's
 * points of one name land in one family. Counter names are given as exposed ({@code ..._total}); the client
 * library adds the suffix itself, so it is cut here.
 */
final class MetricFamilies {
    private final Map<String, GaugeSnapshot.Builder> gauges = new LinkedHashMap<>();
    private final Map<String, CounterSnapshot.Builder> counters = new LinkedHashMap<>();

    void gauge(String name, String help, double value, Labels labels) {
        if (Double.isNaN(value)) {
            return;
        }
        gauges.computeIfAbsent(name, n -> GaugeSnapshot.builder().name(n).help(help))
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).labels(labels).build());
    }

    void counter(String name, String help, double value, Labels labels) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException("counter name must end in _total: " + name);
        }
        if (Double.isNaN(value) || value < 0) {
            return;
        }
        counters.computeIfAbsent(name, n -> CounterSnapshot.builder().name(n.substring(0, n.length() - 6)).help(help))
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).labels(labels).build());
    }

    MetricSnapshots build() {
        List<MetricSnapshot> all = new ArrayList<>();
        gauges.values().forEach(b -> all.add(b.build()));
        counters.values().forEach(b -> all.add(b.build()));
        return new MetricSnapshots(all);
    }
}
