package memfleet.console.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import memfleet.console.fleet.Fleet;
import memfleet.console.fleet.NodeAddress;
import memfleet.console.history.History;
import memfleet.console.history.NodeStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Slab classes: for one node, every class from {@code stats slabs} and {@code stats items}, with its memory
 * (allocated chunks × chunk size) as a stacked bar of what items asked for, what their chunks waste and the free
 * chunks, like memcached-tool's display drawn; for the fleet, per group a class × node heat map of memory per class
 * and the grid of chunk usage.
 */
@Controller
public class SlabsPage {
    /** One slab class of one node, formatted. {@code usedRatio} drives the meter; the widths, the stacked memory bar. */
    public record SlabRow(int id, String chunkSize, long pages, String chunks, double usedRatio, String used,
                          String memRequested, String wasted, long evicted, long outOfMemory, String age,
                          long hot, long warm, long cold, long items,
                          long allocatedBytes, String allocated, double requestedWidth, double wastedWidth, double freeWidth) {
    }

    /** One group's class × node heat map of memory per class (allocated chunks × chunk size). */
    public record HeatMap(String group, List<String> nodes, List<HeatRow> rows, int width, int height) {
    }

    /** One class of a heat map: a cell per node. */
    public record HeatRow(int id, List<HeatCell> cells) {
    }

    /** One cell: memory text and shade (0–1 of the group's biggest cell); absent when the node lacks the class. */
    public record HeatCell(String text, double shade, boolean present) {
    }

    /** One cell of the fleet grid. */
    public record GridCell(String text, double usedRatio, boolean present) {
    }

    private final Fleet fleet;
    private final History history;

    public SlabsPage(Fleet fleet, History history) {
        this.fleet = fleet;
        this.history = history;
    }

    @GetMapping("/slabs")
    String slabs(@RequestParam(required = false) String id, Model model) {
        if (id == null || id.isEmpty()) {
            return fleetGrid(model);
        }
        NodeAddress node = NodePage.node(fleet, id);
        model.addAttribute("node", node);
        model.addAttribute("slabs", rows(history.status(node)));
        return "slabs";
    }

    static List<SlabRow> rows(NodeStatus status) {
        List<SlabRow> rows = new ArrayList<>();
        if (status.latest() == null || status.latest().slabs() == null) {
            return rows;
        }
        Map<Integer, Map<String, String>> slabs = status.latest().slabs().byClass("");
        Map<Integer, Map<String, String>> items = status.latest().items().byClass("items:");
        long max = 1;
        for (Map<String, String> s : slabs.values()) {
            max = Math.max(max, num(s, "total_chunks") * num(s, "chunk_size"));
        }
        for (Map.Entry<Integer, Map<String, String>> e : slabs.entrySet()) {
            Map<String, String> s = e.getValue();
            Map<String, String> it = items.getOrDefault(e.getKey(), Map.of());
            long chunkSize = num(s, "chunk_size");
            long total = num(s, "total_chunks");
            long used = num(s, "used_chunks");
            long requested = num(it, "mem_requested") > 0 ? num(it, "mem_requested") : num(s, "mem_requested");
            double ratio = total > 0 ? (double) used / total : 0;
            long allocated = total * chunkSize;
            long inUse = Math.min(allocated, used * chunkSize);
            long req = Math.min(inUse, requested);
            // stacked bar, 0-100 wide for the node's biggest class: requested | wasted in used chunks | free chunks
            double scale = 100.0 / max;
            rows.add(new SlabRow(e.getKey(), Units.bytes(chunkSize), num(s, "total_pages"),
                    Units.count(used) + " / " + Units.count(total), ratio, Units.percent(ratio),
                    Units.bytes(requested), Units.bytes(Math.max(0, used * chunkSize - requested)),
                    num(it, "evicted"), num(it, "outofmemory"), Units.duration(num(it, "age")),
                    num(it, "number_hot"), num(it, "number_warm"), num(it, "number_cold"), num(it, "number"),
                    allocated, Units.bytes(allocated), req * scale, (inUse - req) * scale,
                    (allocated - inUse) * scale));
        }
        return rows;
    }

    /** Each group's heat map: classes down, nodes across, shaded by the class's memory on that node. */
    static List<HeatMap> heatMaps(Map<String, List<NodeAddress>> groups, History history) {
        List<HeatMap> maps = new ArrayList<>();
        for (Map.Entry<String, List<NodeAddress>> g : groups.entrySet()) {
            TreeMap<Integer, Map<String, SlabRow>> byClass = new TreeMap<>();
            long max = 1;
            for (NodeAddress n : g.getValue()) {
                for (SlabRow r : rows(history.status(n))) {
                    byClass.computeIfAbsent(r.id(), k -> new TreeMap<>()).put(n.id(), r);
                    max = Math.max(max, r.allocatedBytes());
                }
            }
            List<HeatRow> rows = new ArrayList<>();
            for (Map.Entry<Integer, Map<String, SlabRow>> c : byClass.entrySet()) {
                List<HeatCell> cells = new ArrayList<>();
                for (NodeAddress n : g.getValue()) {
                    SlabRow r = c.getValue().get(n.id());
                    cells.add(r == null ? new HeatCell("–", 0, false)
                            : new HeatCell(r.allocated(), Math.max(0.05, (double) r.allocatedBytes() / max), true));
                }
                rows.add(new HeatRow(c.getKey(), cells));
            }
            List<String> ids = g.getValue().stream().map(NodeAddress::id).toList();
            maps.add(new HeatMap(g.getKey(), ids, rows, 40 + ids.size() * 90, 24 + rows.size() * 18));
        }
        return maps;
    }

    private String fleetGrid(Model model) {
        List<NodeStatus> statuses = history.statuses();
        TreeSet<Integer> classes = new TreeSet<>();
        Map<String, Map<Integer, SlabRow>> byNode = new TreeMap<>();
        for (NodeStatus s : statuses) {
            Map<Integer, SlabRow> m = new TreeMap<>();
            for (SlabRow r : rows(s)) {
                m.put(r.id(), r);
                classes.add(r.id());
            }
            byNode.put(s.node().id(), m);
        }
        List<Map.Entry<Integer, List<GridCell>>> grid = new ArrayList<>();
        for (int c : classes) {
            List<GridCell> cells = new ArrayList<>();
            for (NodeStatus s : statuses) {
                SlabRow r = byNode.get(s.node().id()).get(c);
                cells.add(r == null ? new GridCell("–", 0, false)
                        : new GridCell(r.chunks() + " (" + r.used() + ")", r.usedRatio(), true));
            }
            grid.add(Map.entry(c, cells));
        }
        model.addAttribute("nodes", statuses.stream().map(NodeStatus::node).toList());
        model.addAttribute("grid", grid);
        model.addAttribute("heatMaps", heatMaps(fleet.groups(), history));
        return "slabs-fleet";
    }

    private static long num(Map<String, String> m, String k) {
        String v = m.get(k);
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
