package memfleet.console.web;

import java.util.ArrayList;
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

    public record Snapshot(List<Row> rows, List<GroupTotal> groups, long time) {
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
        List<Row> rows = new ArrayList<>();
        Map<String, double[]> totals = new LinkedHashMap<>();
        for (NodeStatus s : history.statuses()) {
            rows.add(row(s));
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
        }
        List<GroupTotal> groups = new ArrayList<>();
        totals.forEach((g, t) -> groups.add(new GroupTotal(g, (int) t[0], (int) t[1],
                Units.bytes(t[2]) + " / " + Units.bytes(t[3]), Units.count((long) t[4]), Units.rate(t[5]),
                Units.rate(t[6]), Units.rate(t[7]), Units.count((long) t[8]))));
        return new Snapshot(rows, groups, System.currentTimeMillis());
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
