package memfleet.console.web;

import java.util.List;
import java.util.Map;
import memfleet.console.collect.StatsCollector;
import memfleet.console.fleet.Fleet;
import memfleet.console.fleet.NodeAddress;
import memfleet.console.history.History;
import memfleet.console.history.NodeStatus;
import memfleet.console.history.Series;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;

/**
 * One node: its row of the fleet table, live charts (uPlot, fed from {@code /api/history} and then
 * {@code /events/node}), every stat and every setting as tables.
 */
@Controller
public class NodePage {
    private final Fleet fleet;
    private final History history;
    private final StatsCollector collector;

    public NodePage(Fleet fleet, History history, StatsCollector collector) {
        this.fleet = fleet;
        this.history = history;
        this.collector = collector;
    }

    static NodeAddress node(Fleet fleet, String id) {
        return fleet.find(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no such node"));
    }

    @GetMapping("/node")
    String node(@RequestParam String id, Model model) {
        NodeAddress node = node(fleet, id);
        NodeStatus status = history.status(node);
        model.addAttribute("node", node);
        model.addAttribute("columns", FleetTable.COLUMNS);
        model.addAttribute("row", FleetTable.row(status));
        // the limit is drawn on the memory chart
        model.addAttribute("series", java.util.Arrays.stream(Series.values()).filter(x -> x != Series.MEMORY_LIMIT_BYTES).toList());
        model.addAttribute("stats", status.latest() == null ? Map.of() : status.latest().stats().stats());
        model.addAttribute("settings", status.latest() == null || status.latest().settings().isError() ? Map.of()
                : status.latest().settings().stats());
        return "node";
    }

    @GetMapping(path = "/api/history", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    Map<String, Object> chart(@RequestParam String id, @RequestParam(defaultValue = "0") long since) {
        return history.chart(node(fleet, id), since).orElse(Map.of());
    }

    @GetMapping(path = "/events/node", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @ResponseBody
    Flux<ServerSentEvent<Map<String, Object>>> events(@RequestParam String id) {
        NodeAddress node = node(fleet, id);
        return collector.samples()
                .filter(s -> s.node().id().equals(node.id()))
                .onBackpressureLatest()
                .map(s -> ServerSentEvent.<Map<String, Object>>builder(
                                history.chart(node, s.time()).orElse(Map.of()))
                        .event("point").build());
    }
}
