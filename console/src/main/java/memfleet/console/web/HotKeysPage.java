package memfleet.console.web;

import java.util.ArrayList;
import java.util.List;
import memfleet.console.collect.NodeCommands;
import memfleet.console.fleet.Fleet;
import memfleet.console.fleet.NodeAddress;
import memfleet.protocol.text.HotKeysReply;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Hot keys: every node's {@code stats hotkeys} (each worker samples the keys its clients hit, see the node's
 * {@code HotKeys}), asked for when the page is opened, as the top {@link #TOP} per group (a key hit on several
 * nodes adds up) and per node. {@code ?live=1} reloads the page every two seconds (a refresh header, so no
 * script is needed). Keys are shown as the node sends them, URL-encoded, and escaped like everything else.
 */
@Controller
public class HotKeysPage {
    static final int TOP = 20;

    /** One node's answer: its top keys, or why there are none. */
    public record NodeHot(String node, int sampleRate, List<HotKeysReply.Entry> keys, String note) {
    }

    /** One group: its merged top keys and each node's. */
    public record GroupHot(String group, List<HotKeysReply.Entry> keys, List<NodeHot> nodes) {
    }

    private final Fleet fleet;
    private final NodeCommands commands;

    public HotKeysPage(Fleet fleet, NodeCommands commands) {
        this.fleet = fleet;
        this.commands = commands;
    }

    @GetMapping("/hotkeys")
    Mono<String> hotKeys(@RequestParam(required = false) String live, Model model,
                         org.springframework.web.server.ServerWebExchange exchange) {
        boolean refresh = "1".equals(live);
        if (refresh) {
            exchange.getResponse().getHeaders().set("Refresh", "2");
        }
        return Flux.fromIterable(fleet.groups().entrySet())
                .concatMap(g -> group(g.getKey(), g.getValue()))
                .collectList()
                .map(groups -> {
                    model.addAttribute("groups", groups);
                    model.addAttribute("live", refresh);
                    return "hotkeys";
                });
    }

    /** A node's reply, or why there is none. */
    private record Answer(String node, HotKeysReply reply, String unreachable) {
    }

    private Mono<GroupHot> group(String name, List<NodeAddress> nodes) {
        return Flux.fromIterable(nodes)
                .flatMapSequential(n -> commands.hotKeys(n)
                        .map(r -> new Answer(n.id(), r, null))
                        .onErrorResume(e -> Mono.just(new Answer(n.id(), HotKeysReply.NONE, String.valueOf(e.getMessage())))))
                .collectList()
                .map(answers -> {
                    List<NodeHot> rows = new ArrayList<>();
                    for (Answer a : answers) {
                        HotKeysReply r = a.reply();
                        String note = a.unreachable() != null ? "unreachable: " + a.unreachable()
                                : !r.supported() ? "no stats hotkeys (not a memfleet node)"
                                : r.sampleRate() == 0 ? "sampling off (--hot-keys-sample=0)"
                                : r.keys().isEmpty() ? "no hits sampled yet" : null;
                        rows.add(new NodeHot(a.node(), r.sampleRate(), r.keys().size() > TOP ? r.keys().subList(0, TOP) : r.keys(), note));
                    }
                    return new GroupHot(name, HotKeysReply.merge(answers.stream().map(Answer::reply).toList(), TOP), rows);
                });
    }
}
