package memfleet.console.history;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import memfleet.console.collect.CollectProperties;
import memfleet.console.collect.NodeSample;
import memfleet.console.collect.StatsCollector;
import memfleet.console.fleet.Fleet;
import memfleet.console.fleet.NodeAddress;
import org.springframework.stereotype.Component;

/**
 * Every node's {@link NodeHistory}, kept as long as the node is in the fleet. Nodes the fleet no longer
 * lists (a discovery name stopped resolving to them) are forgotten on the next sample.
 */
@Component
public class History implements StatsCollector.SampleListener {
    private final Map<String, NodeHistory> nodes = new ConcurrentHashMap<>();
    private final HistoryProperties properties;
    private final long intervalMillis;
    private final Fleet fleet;

    public History(HistoryProperties properties, CollectProperties collect, Fleet fleet) {
        this.properties = properties;
        this.intervalMillis = collect.interval().toMillis();
        this.fleet = fleet;
    }

    @Override
    public void sampled(NodeSample sample) {
        nodes.computeIfAbsent(sample.node().id(), id -> new NodeHistory(properties, intervalMillis)).record(sample);
        if (nodes.size() > fleet.nodes().size()) {
            nodes.keySet().retainAll(fleet.nodes().stream().map(NodeAddress::id).toList());
        }
    }

    /** The node's status, or one saying it has not been polled yet. */
    public NodeStatus status(NodeAddress node) {
        NodeHistory h = nodes.get(node.id());
        NodeStatus s = h == null ? null : h.status();
        return s != null ? s : new NodeStatus(node, false, "not polled yet", null, 0, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
    }

    /** Every node of the fleet in fleet order. */
    public List<NodeStatus> statuses() {
        List<NodeStatus> all = new ArrayList<>();
        for (NodeAddress n : fleet.nodes()) {
            all.add(status(n));
        }
        return all;
    }

    /** Chart data since {@code since} (ms): {@code t} in seconds and one array per {@link Series}. */
    public Optional<Map<String, Object>> chart(NodeAddress node, long since) {
        NodeHistory h = nodes.get(node.id());
        if (h == null) {
            return Optional.empty();
        }
        PointRing.Points p = h.points(since);
        Map<String, Object> out = new LinkedHashMap<>();
        double[] t = new double[p.times().length];
        for (int i = 0; i < t.length; i++) {
            t[i] = p.times()[i] / 1000.0;
        }
        out.put("t", t);
        for (Series s : Series.values()) {
            Double[] col = new Double[t.length];
            for (int i = 0; i < t.length; i++) {
                double v = p.values()[i][s.ordinal()];
                col[i] = Double.isNaN(v) ? null : v;
            }
            out.put(s.name(), col);
        }
        return Optional.of(out);
    }
}
