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

    /** How many nodes of a group get a series of their own in {@link #groupChart}; the group's line covers all. */
    public static final int GROUP_CHART_NODES = 12;

    /**
     * A group's chart data since {@code since} (ms), its nodes' points aligned on poll intervals (each node is
     * polled once per interval, at slightly different instants): {@code t} in seconds, {@code nodes} (the first
     * {@link #GROUP_CHART_NODES}), and per {@link Series} one array per listed node plus {@code "group"}: the sum over
     * every node of the group (a node's last value standing in for a slot it missed), or for the hit ratio the mean.
     */
    public Map<String, Object> groupChart(List<NodeAddress> members, long since) {
        java.util.TreeSet<Long> slots = new java.util.TreeSet<>();
        List<PointRing.Points> points = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (NodeAddress n : members) {
            NodeHistory h = nodes.get(n.id());
            if (h == null) {
                continue;
            }
            PointRing.Points p = h.points(since);
            points.add(p);
            ids.add(n.id());
            for (long t : p.times()) {
                slots.add(slot(t));
            }
        }
        Long[] order = slots.toArray(new Long[0]);
        Map<Long, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < order.length; i++) {
            index.put(order[i], i);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        double[] t = new double[order.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = order[i] * intervalMillis / 1000.0;
        }
        out.put("t", t);
        out.put("nodes", ids.subList(0, Math.min(ids.size(), GROUP_CHART_NODES)));
        Map<String, Object> series = new LinkedHashMap<>();
        for (Series s : Series.values()) {
            Map<String, Double[]> lines = new LinkedHashMap<>();
            double[] sum = new double[t.length];
            int[] count = new int[t.length];
            for (int n = 0; n < points.size(); n++) {
                PointRing.Points p = points.get(n);
                Double[] line = new Double[t.length];
                for (int i = 0; i < p.times().length; i++) {
                    double v = p.values()[i][s.ordinal()];
                    line[index.get(slot(p.times()[i]))] = Double.isNaN(v) ? null : v; // two polls in one slot: the last
                }
                // the group's line carries a node's last value over a slot it missed, so a late poll is no dip
                Double last = null;
                for (int i = 0; i < t.length; i++) {
                    Double v = line[i] != null ? line[i] : last;
                    if (v != null) {
                        sum[i] += v;
                        count[i]++;
                    }
                    if (line[i] != null) {
                        last = line[i];
                    }
                }
                if (n < GROUP_CHART_NODES) {
                    lines.put(ids.get(n), line);
                }
            }
            Double[] group = new Double[t.length];
            for (int i = 0; i < t.length; i++) {
                group[i] = count[i] == 0 ? null : s == Series.HIT_RATIO ? sum[i] / count[i] : sum[i];
            }
            lines.put("group", group);
            series.put(s.name(), lines);
        }
        out.put("series", series);
        return out;
    }

    private long slot(long timeMillis) {
        return Math.round((double) timeMillis / intervalMillis);
    }
}
