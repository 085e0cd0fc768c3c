package memfleet.console.web;

import java.time.Duration;
import memfleet.console.collect.StatsCollector;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;
import reactor.core.publisher.Flux;

/** The fleet page and its live feed: after every poll of the fleet, the whole table as one event. */
@Controller
public class FleetPage {
    private final FleetTable table;
    private final StatsCollector collector;

    public FleetPage(FleetTable table, StatsCollector collector) {
        this.table = table;
        this.collector = collector;
    }

    @GetMapping("/")
    String fleet(Model model) {
        model.addAttribute("columns", FleetTable.COLUMNS);
        model.addAttribute("fleet", table.snapshot());
        return "fleet";
    }

    @GetMapping(path = "/events/fleet", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @ResponseBody
    Flux<ServerSentEvent<FleetTable.Snapshot>> events() {
        Flux<FleetTable.Snapshot> updates = collector.ticks().onBackpressureLatest().map(t -> table.snapshot());
        Flux<ServerSentEvent<FleetTable.Snapshot>> data = Flux.concat(Flux.just(table.snapshot()), updates)
                .map(s -> ServerSentEvent.builder(s).event("fleet").build());
        // a comment every 15 s keeps proxies from closing an idle stream
        Flux<ServerSentEvent<FleetTable.Snapshot>> heartbeat = Flux.interval(Duration.ofSeconds(15))
                .map(i -> ServerSentEvent.<FleetTable.Snapshot>builder().comment("heartbeat").build());
        return Flux.merge(data, heartbeat);
    }
}
