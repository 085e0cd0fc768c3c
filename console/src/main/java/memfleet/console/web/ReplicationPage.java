package memfleet.console.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import memfleet.console.collect.NodeCommands;
import memfleet.console.fleet.Fleet;
import memfleet.console.fleet.NodeAddress;
import memfleet.console.history.History;
import memfleet.console.history.NodeStatus;
import memfleet.protocol.text.ReplicationStats;
import memfleet.protocol.text.StatsReply;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Replication by group: each node's state, id, log offset and ops, each of its links with lag and resync
 * counts, and the consistency check, which asks every node of a group for {@code stats digest} and compares
 * item counts and digests. Nodes without replication ({@code ERROR} to {@code stats replication}) show as
 * {@code alone}.
 */
@Controller
public class ReplicationPage {
    /** A node of a group as the page shows it. */
    public record NodeRow(NodeAddress node, boolean up, ReplicationStats replication) {
    }

    /** One node's answer to the consistency probe. */
    public record DigestRow(String node, String items, String digest, String note, boolean agrees) {
    }

    private final Fleet fleet;
    private final History history;
    private final NodeCommands commands;

    public ReplicationPage(Fleet fleet, History history, NodeCommands commands) {
        this.fleet = fleet;
        this.history = history;
        this.commands = commands;
    }

    @GetMapping("/replication")
    String replication(Model model) {
        model.addAttribute("groups", groups());
        model.addAttribute("checked", null);
        return "replication";
    }

    @PostMapping("/replication/check")
    Mono<String> check(ServerWebExchange exchange, Model model) {
        return exchange.getFormData().flatMap(form -> {
            String group = Optional.ofNullable(form.getFirst("group")).orElse("");
            List<NodeAddress> nodes = fleet.groups().get(group);
            if (nodes == null) {
                return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND, "no such group"));
            }
            return Flux.fromIterable(nodes)
                    .concatMap(n -> commands.digest(n)
                            .map(r -> Map.entry(n.id(), r))
                            .onErrorResume(e -> Mono.just(Map.entry(n.id(), StatsReply.parse("SERVER_ERROR " + e.getMessage() + "\r\n")))))
                    .collectList()
                    .map(answers -> {
                        model.addAttribute("groups", groups());
                        model.addAttribute("checked", group);
                        List<DigestRow> rows = compare(answers);
                        model.addAttribute("digests", rows);
                        long answered = rows.stream().filter(r -> r.note() == null).count();
                        boolean consistent = answered == rows.size() && rows.stream().allMatch(DigestRow::agrees);
                        model.addAttribute("verdict", answered < 2 && answered < rows.size()
                                ? "cannot tell: fewer than two nodes answered stats digest"
                                : consistent ? "consistent: every node holds the same items"
                                : "INCONSISTENT: item counts or digests differ");
                        model.addAttribute("consistent", consistent);
                        return "replication";
                    });
        });
    }

    static List<DigestRow> compare(List<Map.Entry<String, StatsReply>> answers) {
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (Map.Entry<String, StatsReply> a : answers) {
            if (!a.getValue().isError()) {
                votes.merge(a.getValue().get("items") + "/" + a.getValue().get("digest"), 1, Integer::sum);
            }
        }
        String majority = votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("");
        List<DigestRow> rows = new ArrayList<>();
        for (Map.Entry<String, StatsReply> a : answers) {
            StatsReply r = a.getValue();
            if (r.isError()) {
                rows.add(new DigestRow(a.getKey(), "–", "–", "no stats digest: " + r.error(), false));
            } else {
                String k = r.get("items") + "/" + r.get("digest");
                rows.add(new DigestRow(a.getKey(), r.get("items"), r.get("digest"), null, k.equals(majority)));
            }
        }
        return rows;
    }

    private Map<String, List<NodeRow>> groups() {
        Map<String, List<NodeRow>> groups = new LinkedHashMap<>();
        fleet.groups().forEach((g, nodes) -> {
            List<NodeRow> rows = new ArrayList<>();
            for (NodeAddress n : nodes) {
                NodeStatus s = history.status(n);
                rows.add(new NodeRow(n, s.up(), s.latest() == null ? ReplicationStats.NONE : s.latest().replication()));
            }
            groups.put(g, rows);
        });
        return groups;
    }
}
