package memfleet.console.web;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import memfleet.console.collect.StatsCollector;
import memfleet.console.fleet.Fleet;
import memfleet.console.fleet.NodeAddress;
import memfleet.console.history.History;
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
 * The fleet page and its live feed: after every poll of the fleet, the whole table as one event. Each group also
 * gets charts over the kept history ({@code /api/history/group}: per-node series and the group's line), drawn by
 * {@code fleet.js} when the group's chart section is open; the first {@link #OPEN_CHART_GROUPS} are open.
 */
@Controller
public class FleetPage {
    static final int OPEN_CHART_GROUPS = 3;

    /** One chart of a group: the series it draws (and a second one drawn dashed on it), its title and unit. */
    public record GroupChart(String series, String overlay, String title, String unit) {
    }

    static final List<GroupChart> GROUP_CHARTS = List.of(
            new GroupChart("GETS_PER_SEC", null, "gets/s", "rate"),
            new GroupChart("SETS_PER_SEC", null, "sets/s", "rate"),
            new GroupChart("DELETES_PER_SEC", null, "deletes/s", "rate"),
            new GroupChart("HIT_RATIO", null, "hit ratio (window)", "ratio"),
            new GroupChart("MEMORY_BYTES", "MEMORY_LIMIT_BYTES", "memory used (dashed: limit)", "bytes"),
            new GroupChart("EVICTIONS_PER_SEC", null, "evictions/s", "rate"),
            new GroupChart("CONNECTIONS", null, "connections", "count"));

    private final FleetTable table;
    private final StatsCollector collector;
    private final Fleet fleet;
    private final History history;

    public FleetPage(FleetTable table, StatsCollector collector, Fleet fleet, History history) {
        this.table = table;
        this.collector = collector;
        this.fleet = fleet;
        this.history = history;
    }

    @GetMapping("/")
    String fleet(@RequestParam(defaultValue = "") String q, @RequestParam(defaultValue = "") String group,
                 @RequestParam(defaultValue = "") String state, @RequestParam(defaultValue = "node") String sort,
                 @RequestParam(defaultValue = "asc") String dir, @RequestParam(defaultValue = "1") int page, Model model) {
        FleetTable.Query query = new FleetTable.Query(q, group, state, sort, dir, page);
        FleetTable.Snapshot snapshot = table.snapshot(query);
        model.addAttribute("columns", FleetTable.COLUMNS);
        model.addAttribute("sortable", FleetTable.SORTS.keySet());
        model.addAttribute("query", query);
        model.addAttribute("groupNames", fleet.groups().keySet());
        model.addAttribute("fleet", snapshot);
        model.addAttribute("chartGroups", snapshot.groups().stream()
                .filter(g -> query.group().isEmpty() || g.group().equals(query.group())).toList());
        model.addAttribute("charts", GROUP_CHARTS);
        model.addAttribute("openChartGroups", OPEN_CHART_GROUPS);
        return "fleet";
    }

    @GetMapping(path = "/api/history/group", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    Map<String, Object> groupHistory(@RequestParam String group, @RequestParam(defaultValue = "0") long since) {
        List<NodeAddress> members = fleet.groups().get(group);
        if (members == null) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no such group");
        }
        return history.groupChart(members, since);
    }

    @GetMapping(path = "/events/fleet", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @ResponseBody
    Flux<ServerSentEvent<FleetTable.Snapshot>> events(@RequestParam(defaultValue = "") String q,
                                                       @RequestParam(defaultValue = "") String group,
                                                       @RequestParam(defaultValue = "") String state,
                                                       @RequestParam(defaultValue = "node") String sort,
                                                       @RequestParam(defaultValue = "asc") String dir,
                                                       @RequestParam(defaultValue = "1") int page) {
        // the same page as the table shows: a browser gets 50 rows per poll, not the whole fleet
        FleetTable.Query query = new FleetTable.Query(q, group, state, sort, dir, page);
        Flux<FleetTable.Snapshot> updates = collector.ticks().onBackpressureLatest().map(t -> table.snapshot(query));
        Flux<ServerSentEvent<FleetTable.Snapshot>> data = Flux.concat(Flux.defer(() -> Flux.just(table.snapshot(query))), updates)
                .map(s -> ServerSentEvent.builder(s).event("fleet").build());
        // a comment every 15 s keeps proxies from closing an idle stream
        Flux<ServerSentEvent<FleetTable.Snapshot>> heartbeat = Flux.interval(Duration.ofSeconds(15))
                .map(i -> ServerSentEvent.<FleetTable.Snapshot>builder().comment("heartbeat").build());
        return Flux.merge(data, heartbeat);
    }
}
