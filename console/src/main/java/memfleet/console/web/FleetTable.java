package memfleet.console.web;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import memfleet.console.history.History;
import memfleet.console.history.NodeStatus;
import org.springframework.stereotype.Component;

/**
 * The fleet page's table as formatted text: one row per node, one total per group, each cell flagged when it
 * crosses a threshold (memory over 80 %, windowed hit ratio under 90 %, evictions, connections over 80 % of the
 * maximum). The same rows render the page and feed its live updates, so both always agree.
 */
@Component
public class FleetTable {
    /** A column: the field name used by the page's live updates and its header. */
    public record Column(String field, String header) {
    }

    /** One formatted value; {@code warn} marks a crossed threshold. */
    public record Cell(String field, String text, boolean warn) {
    }

    public record Row(String id, String group, boolean up, List<Cell> cells) {
    }

    public record GroupTotal(String group, int up, int total, String memory, String items, String getsPerSec,
                             String setsPerSec, String evictionsPerSec, String connections) {
    }

    /**
     * One page of the table: the rows that match, sorted, {@link #PAGE} at a time; {@code total} nodes in the fleet,
     * {@code matched} of them match, on {@code pages} pages.
     */
    public record Snapshot(List<Row> rows, List<GroupTotal> groups, long time, int total, int matched, int page,
                           int pages) {
    }

    /** Rows per page. */
    public static final int PAGE = 50;

    /** Sort keys of the table, by their names in {@code ?sort=}. */
    static final Map<String, Comparator<NodeStatus>> SORTS = sorts();

    /**
     * What the page asks for: {@code q} in the node's address (case-insensitive), one {@code group} (empty: all),
     * {@code state} up / down / warn (a crossed threshold) or all, a sort key of {@link #SORTS} with its direction,
     * and the page. Anything unknown falls back to the default, so a hand-written URL cannot fail.
     */
    public record Query(String q, String group, String state, String sort, String dir, int page) {
        public static final Query ALL = new Query("", "", "", "node", "asc", 1);

        public Query {
            q = q == null ? "" : q.strip();
            if (q.length() > 100) {
                q = q.substring(0, 100);
            }
            group = group == null ? "" : group;
            state = state == null || !List.of("up", "down", "warn").contains(state) ? "" : state;
            sort = sort == null || !SORTS.containsKey(sort) ? "node" : sort;
            dir = "desc".equals(dir) ? "desc" : "asc";
            page = Math.max(1, page);
        }
    }

    public static final List<Column> COLUMNS = List.of(
            new Column("status", "status"), new Column("version", "version"), new Column("uptime", "uptime"),
            new Column("role", "role"), new Column("memory", "memory used / limit"), new Column("items", "items"),
            new Column("hitWindow", "hit ratio (last minute)"), new Column("hitLifetime", "hit ratio (lifetime)"),
            new Column("gets", "gets/s"), new Column("sets", "sets/s"), new Column("deletes", "deletes/s"),
            new Column("evictions", "evictions/s"), new Column("connections", "connections (current / max)"),
            new Column("rtt", "stats round trip"));

    private final History history;

    public FleetTable(History history) {
        this.history = history;
    }

    public Snapshot snapshot() {
        return snapshot(Query.ALL, Integer.MAX_VALUE);
    }

    /** The page {@code query} asks for, {@link #PAGE} rows at most; group totals always cover every node. */
    public Snapshot snapshot(Query query) {
        return snapshot(query, PAGE);
    }

    private Snapshot snapshot(Query query, int pageSize) {
        List<NodeStatus> all = history.statuses();
        List<NodeStatus> matching = new ArrayList<>();
        Map<String, double[]> totals = new LinkedHashMap<>();
        String q = query.q().toLowerCase(Locale.ROOT);
        for (NodeStatus s : all) {
            double[] t = totals.computeIfAbsent(s.node().group(), g -> new double[9]);
            t[1]++;
            if (s.up()) {
                t[0]++;
                t[2] += s.stat("bytes");
                t[3] += s.stat("limit_maxbytes");
                t[4] += s.stat("curr_items");
                t[5] += nz(s.getsPerSec());
                t[6] += nz(s.setsPerSec());
                t[7] += nz(s.evictionsPerSec());
                t[8] += s.stat("curr_connections");
            }
            if ((q.isEmpty() || s.node().id().toLowerCase(Locale.ROOT).contains(q))
                    && (query.group().isEmpty() || query.group().equals(s.node().group()))
                    && matchesState(s, query.state())) {
                matching.add(s);
            }
        }
        Comparator<NodeStatus> order = SORTS.get(query.sort());
        matching.sort("desc".equals(query.dir()) ? order.reversed() : order);
        int pages = Math.max(1, (matching.size() + pageSize - 1) / pageSize);
        int page = Math.min(query.page(), pages);
        int from = (int) Math.min(matching.size(), (long) (page - 1) * pageSize);
        List<Row> rows = new ArrayList<>();
        for (NodeStatus s : matching.subList(from, (int) Math.min(matching.size(), (long) from + pageSize))) {
            rows.add(row(s));
        }
        List<GroupTotal> groups = new ArrayList<>();
        totals.forEach((g, t) -> groups.add(new GroupTotal(g, (int) t[0], (int) t[1],
                Units.bytes(t[2]) + " / " + Units.bytes(t[3]), Units.count((long) t[4]), Units.rate(t[5]),
                Units.rate(t[6]), Units.rate(t[7]), Units.count((long) t[8]))));
        return new Snapshot(rows, groups, System.currentTimeMillis(), all.size(), matching.size(), page, pages);
    }

    private static boolean matchesState(NodeStatus s, String state) {
        return switch (state) {
            case "up" -> s.up();
            case "down" -> !s.up();
            case "warn" -> !s.up() || row(s).cells().stream().anyMatch(Cell::warn);
            default -> true;
        };
    }

    private static Map<String, Comparator<NodeStatus>> sorts() {
        Comparator<NodeStatus> byNode = Comparator.comparing((NodeStatus s) -> s.node());
        Map<String, Comparator<NodeStatus>> m = new LinkedHashMap<>();
        m.put("node", byNode);
        m.put("group", Comparator.comparing((NodeStatus s) -> s.node().group()).thenComparing(byNode));
        m.put("status", Comparator.comparing(NodeStatus::up).thenComparing(byNode));
        m.put("memory", number(NodeStatus::memoryRatio).thenComparing(byNode));
        m.put("items", number(s -> s.stat("curr_items")).thenComparing(byNode));
        m.put("hitWindow", number(NodeStatus::hitRatioWindow).thenComparing(byNode));
        m.put("gets", number(NodeStatus::getsPerSec).thenComparing(byNode));
        m.put("sets", number(NodeStatus::setsPerSec).thenComparing(byNode));
        m.put("evictions", number(NodeStatus::evictionsPerSec).thenComparing(byNode));
        m.put("connections", number(s -> s.stat("curr_connections")).thenComparing(byNode));
        m.put("rtt", number(s -> s.latest() == null ? Double.NaN : s.latest().rttMicros()).thenComparing(byNode));
        return java.util.Collections.unmodifiableMap(m);
    }

    /** By a figure, nodes without one (down, not polled yet) last in ascending order. */
    private static Comparator<NodeStatus> number(java.util.function.ToDoubleFunction<NodeStatus> f) {
        return Comparator.comparingDouble(s -> {
            double v = f.applyAsDouble(s);
            return Double.isNaN(v) ? Double.MAX_VALUE : v;
        });
    }

    static Row row(NodeStatus s) {
        List<Cell> cells = new ArrayList<>();
        cells.add(new Cell("status", s.up() ? "up" : "down", !s.up()));
        if (!s.up() && s.latest() == null) {
            for (Column c : COLUMNS.subList(1, COLUMNS.size())) {
                cells.add(new Cell(c.field(), c.field().equals("version") ? s.error() : "–", false));
            }
            return new Row(s.node().id(), s.node().group(), false, cells);
        }
        boolean up = s.up();
        cells.add(new Cell("version", up ? s.statText("version") : s.error(), !up));
        cells.add(new Cell("uptime", up ? Units.duration(s.stat("uptime")) : "–", false));
        // a replicating node that is not in sync (alone, syncing, degraded) is missing writes or a peer
        boolean replicates = s.latest() != null && s.latest().replication().enabled();
        cells.add(new Cell("role", s.role(), up && replicates && !"in_sync".equals(s.role())));
        cells.add(new Cell("memory", Units.bytes(s.stat("bytes")) + " / " + Units.bytes(s.stat("limit_maxbytes"))
                + " (" + Units.percent(s.memoryRatio()) + ")", s.memoryRatio() > 0.8));
        cells.add(new Cell("items", Units.count(s.stat("curr_items")), false));
        cells.add(new Cell("hitWindow", Units.percent(s.hitRatioWindow()), s.hitRatioWindow() < 0.9));
        cells.add(new Cell("hitLifetime", Units.percent(s.hitRatioLifetime()), s.hitRatioLifetime() < 0.9));
        cells.add(new Cell("gets", Units.rate(s.getsPerSec()), false));
        cells.add(new Cell("sets", Units.rate(s.setsPerSec()), false));
        cells.add(new Cell("deletes", Units.rate(s.deletesPerSec()), false));
        cells.add(new Cell("evictions", Units.rate(s.evictionsPerSec()), s.evictionsPerSec() > 0));
        cells.add(new Cell("connections", Units.count(s.stat("curr_connections")) + " / "
                + Units.count(s.maxConnections()), s.connectionRatio() > 0.8));
        cells.add(new Cell("rtt", up ? Units.millis(s.latest().rttMicros()) : "–", false));
        return new Row(s.node().id(), s.node().group(), up, cells);
    }

    private static double nz(double v) {
        return Double.isNaN(v) ? 0 : v;
    }
}
