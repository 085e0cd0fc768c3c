package memfleet.console.web;

import java.time.Duration;
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
 * counts, and the consistency check, which asks every replicating node of a group for {@code stats digest} at
 * once and compares item counts and digests. Writes in flight make two nodes differ for a moment, so a difference
 * counts only when a second probe a second later still finds one. Nodes without replication ({@code ERROR} to
 * {@code stats replication}, or no {@code -x}) show as {@code alone} and are not compared.
 */
@Controller
public class ReplicationPage {
    /** A node of a group as the page shows it. */
    public record NodeRow(NodeAddress node, boolean up, ReplicationStats replication, Map<Integer, String> group) {
        /** The console's name ({@code host:port}) of the group's node that a link leads to, by its node id, or null. */
        public String peerNode(ReplicationStats.Peer peer) {
            return peer.nodeId() < 0 ? null : group.get(peer.nodeId());
        }

        /** The offsets a peer can still resume from and the ring's capacity, or a dash without replication. */
        public String backlog() {
            return replication.enabled() ? replication.backlogFirstOffset() + "–" + replication.offset() + " of "
                    + Units.bytes(replication.backlogSize()) : "–";
        }
    }

    /** One link's anti-entropy round started by the repair: what differed and what was repaired. */
    public record RepairRow(String from, String peer, String state, long rangesDiffered, long itemsExchanged,
                            long keysRepaired, long millis) {
    }

    /** One node's answer to the consistency probe. */
    public record DigestRow(String node, String items, String digest, String note, boolean agrees) {
    }

    private final Fleet fleet;
    private final History history;
    private final NodeCommands commands;

    private final memfleet.console.security.AuditLog audit;

    public ReplicationPage(Fleet fleet, History history, NodeCommands commands, memfleet.console.security.AuditLog audit) {
        this.fleet = fleet;
        this.history = history;
        this.commands = commands;
        this.audit = audit;
    }

    @GetMapping("/replication")
    String replication(Model model) {
        addGroups(model);
        model.addAttribute("checked", null);
        model.addAttribute("repairs", null);
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
            List<NodeAddress> replicating = nodes.stream().filter(this::mayReplicate).toList();
            return probe(replicating).flatMap(first -> verdict(nodes, first).consistent() || verdict(nodes, first).answered() < 2
                    ? Mono.just(verdict(nodes, first))
                    // writes in flight differ for a moment: only a difference that is still there a second later counts
                    : Mono.delay(REPROBE).then(probe(replicating)).map(second -> verdict(nodes, second).reprobed()))
                    .map(v -> checked(model, group, v, null));
        });
    }

    static final Duration REPROBE = Duration.ofSeconds(1);

    /** The page after a check of {@code group}, and after a repair when {@code repairs} is not null. */
    private String checked(Model model, String group, Verdict v, List<RepairRow> repairs) {
        addGroups(model);
        model.addAttribute("checked", group);
        model.addAttribute("digests", v.rows());
        model.addAttribute("verdict", v.text());
        model.addAttribute("consistent", v.consistent());
        model.addAttribute("repairs", repairs);
        if (repairs != null) {
            model.addAttribute("repaired", "anti-entropy: " + repairs.stream().mapToLong(RepairRow::rangesDiffered).sum()
                    + " key ranges differed, " + repairs.stream().mapToLong(RepairRow::keysRepaired).sum() + " keys repaired");
        }
        return "replication";
    }
    /** How long the repair waits for a node's rounds to finish. */
    static final Duration ROUNDS = Duration.ofSeconds(60);

    /**
     * Repair (admins): asks the group's replicating nodes one after the other for {@code replication check}
     * (an anti-entropy round with each of its peers: digests by key range, then only the items of the ranges
     * that differ, both ways, last-writer-wins), waits for each node's rounds, then checks consistency again
     * and shows per link how many ranges differed and keys were repaired. One node after the other, so the
     * second finds what the first left (nothing, when the first repaired it all).
     */
    @PostMapping("/admin/replication/repair")
    Mono<String> repair(ServerWebExchange exchange, Model model) {
        return Mono.zip(exchange.getFormData(), exchange.getPrincipal().map(p -> (java.security.Principal) p)).flatMap(t -> {
            String group = Optional.ofNullable(t.getT1().getFirst("group")).orElse("");
            List<NodeAddress> nodes = fleet.groups().get(group);
            if (nodes == null) {
                return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND, "no such group"));
            }
            List<NodeAddress> replicating = nodes.stream().filter(this::mayReplicate).toList();
            return Flux.fromIterable(replicating)
                    .concatMap(n -> rounds(n)
                            .doOnNext(rows -> audit.change(t.getT2(), "replication check", n.id(), "group=" + group,
                                    rows.stream().mapToLong(RepairRow::keysRepaired).sum() + " keys repaired"))
                            .onErrorResume(e -> Mono.just(List.of(new RepairRow(n.id(), "–", "failed: " + e.getMessage(), 0, 0, 0, 0)))))
                    .collectList()
                    .flatMap(perNode -> probe(replicating).map(answers -> checked(model, group, verdict(nodes, answers),
                            perNode.stream().flatMap(List::stream).toList())));
        });
    }

    /** Starts node {@code n}'s rounds and waits until each link that was up has finished one. */
    private Mono<List<RepairRow>> rounds(NodeAddress n) {
        return commands.replication(n).flatMap(before -> commands.replicationCheck(n).flatMap(reply -> {
            if (!reply.equals("OK")) {
                return Mono.error(new IllegalStateException(reply));
            }
            return Flux.interval(Duration.ZERO, Duration.ofMillis(200))
                    .concatMap(i -> commands.replication(n))
                    .filter(after -> finished(before, after))
                    .next()
                    .timeout(ROUNDS)
                    .map(after -> {
                        List<RepairRow> rows = new ArrayList<>();
                        for (int i = 0; i < after.peers().size(); i++) {
                            ReplicationStats.Peer p = after.peers().get(i);
                            if (i < before.peers().size() && before.peers().get(i).link().equals("up")) {
                                ReplicationStats.Round r = p.antiEntropy();
                                rows.add(new RepairRow(n.id(), p.address(), r.state(), r.rangesDiffered(), r.itemsExchanged(),
                                        r.keysRepaired(), r.millis()));
                            }
                        }
                        return rows;
                    });
        }));
    }

    /** True when every link that was up before has run one more round than then, and none runs now. */
    static boolean finished(ReplicationStats before, ReplicationStats after) {
        for (int i = 0; i < before.peers().size() && i < after.peers().size(); i++) {
            ReplicationStats.Round was = before.peers().get(i).antiEntropy();
            ReplicationStats.Round now = after.peers().get(i).antiEntropy();
            if (before.peers().get(i).link().equals("up") && (now.runs() <= was.runs() || now.state().equals("running"))) {
                return false;
            }
        }
        return true;
    }

    /** A node is asked unless its last sample says it does not replicate (memcached, or a node without -x). */
    private boolean mayReplicate(NodeAddress node) {
        NodeStatus s = history.status(node);
        return !s.up() || s.latest() == null || s.latest().replication().enabled();
    }

    private Mono<List<Answer>> probe(List<NodeAddress> nodes) {
        return Flux.fromIterable(nodes)
                .flatMapSequential(n -> commands.digest(n)
                        .map(r -> new Answer(n.id(), r, null))
                        .onErrorResume(e -> Mono.just(new Answer(n.id(), null, e.getMessage()))))
                .collectList();
    }

    /** The check's outcome: one row per node of the group, and the sentence saying what they mean. */
    record Verdict(List<DigestRow> rows, long answered, boolean consistent, String text) {
        Verdict reprobed() {
            return consistent ? this : new Verdict(rows, answered, false, text + " (still after a second probe "
                    + REPROBE.toMillis() + " ms later)");
        }
    }

    static Verdict verdict(List<NodeAddress> group, List<Answer> answers) {
        List<DigestRow> compared = compare(answers);
        List<DigestRow> rows = new ArrayList<>();
        for (NodeAddress n : group) {
            rows.add(compared.stream().filter(r -> r.node().equals(n.id())).findFirst()
                    .orElse(new DigestRow(n.id(), "–", "–", "not replicating: not compared", true)));
        }
        long answered = compared.stream().filter(r -> r.note() == null).count();
        boolean consistent = answered == compared.size() && compared.stream().allMatch(DigestRow::agrees);
        String text = compared.isEmpty() ? "nothing to compare: no node of this group replicates"
                : answered < 2 && answered < compared.size() ? "cannot tell: fewer than two nodes answered stats digest"
                : consistent ? "consistent: every node holds the same items"
                : "INCONSISTENT: item counts or digests differ";
        return new Verdict(rows, answered, consistent && !compared.isEmpty(), text);
    }

    /** One node's answer to {@code stats digest}, or why there is none ({@code unreachable}). */
    record Answer(String node, StatsReply reply, String unreachable) {
        boolean ok() {
            return reply != null && !reply.isError();
        }
    }

    static List<DigestRow> compare(List<Answer> answers) {
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (Answer a : answers) {
            if (a.ok()) {
                votes.merge(a.reply().get("items") + "/" + a.reply().get("digest"), 1, Integer::sum);
            }
        }
        String majority = votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("");
        List<DigestRow> rows = new ArrayList<>();
        for (Answer a : answers) {
            StatsReply r = a.reply();
            if (r == null) {
                rows.add(new DigestRow(a.node(), "–", "–", "unreachable: " + a.unreachable(), false));
            } else if (r.isError()) {
                rows.add(new DigestRow(a.node(), "–", "–", "no stats digest: " + r.error(), false));
            } else {
                String k = r.get("items") + "/" + r.get("digest");
                rows.add(new DigestRow(a.node(), r.get("items"), r.get("digest"), null, k.equals(majority)));
            }
        }
        return rows;
    }

    /** The groups' tables and, per group, its {@link ReplicationDiagram}. */
    private void addGroups(Model model) {
        Map<String, List<NodeRow>> groups = groups();
        Map<String, ReplicationDiagram> diagrams = new LinkedHashMap<>();
        groups.forEach((g, rows) -> diagrams.put(g, ReplicationDiagram.of(rows)));
        model.addAttribute("groups", groups);
        model.addAttribute("diagrams", diagrams);
    }

    private Map<String, List<NodeRow>> groups() {
        Map<String, List<NodeRow>> groups = new LinkedHashMap<>();
        fleet.groups().forEach((g, nodes) -> {
            Map<NodeAddress, ReplicationStats> stats = new LinkedHashMap<>();
            Map<Integer, String> byNodeId = new java.util.HashMap<>();
            for (NodeAddress n : nodes) {
                NodeStatus s = history.status(n);
                ReplicationStats r = s.latest() == null ? ReplicationStats.NONE : s.latest().replication();
                stats.put(n, r);
                if (r.enabled()) {
                    byNodeId.putIfAbsent(r.nodeId(), n.id());
                }
            }
            List<NodeRow> rows = new ArrayList<>();
            stats.forEach((n, r) -> rows.add(new NodeRow(n, history.status(n).up(), r, Map.copyOf(byNodeId))));
            groups.put(g, rows);
        });
        return groups;
    }
}
