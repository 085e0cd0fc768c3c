package memfleet.console.web;

import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import memfleet.console.collect.NodeCommands;
import memfleet.console.fleet.Fleet;
import memfleet.console.fleet.NodeAddress;
import memfleet.console.security.AuditLog;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code flush_all} on one node or a whole group. The form asks the admin to type the target's name again;
 * nothing is sent unless it matches, which works without JavaScript and cannot be clicked through by accident.
 */
@Controller
public class AdminPage {
    private final Fleet fleet;
    private final NodeCommands commands;
    private final AuditLog audit;

    public AdminPage(Fleet fleet, NodeCommands commands, AuditLog audit) {
        this.fleet = fleet;
        this.commands = commands;
        this.audit = audit;
    }

    @GetMapping("/admin")
    String admin(Model model) {
        model.addAttribute("groups", fleet.groups());
        model.addAttribute("results", null);
        return "admin";
    }

    @PostMapping("/admin/flush")
    Mono<String> flush(ServerWebExchange exchange, Model model) {
        return Mono.zip(exchange.getFormData(), exchange.getPrincipal().map(p -> (Principal) p)).flatMap(t -> {
            String target = Optional.ofNullable(t.getT1().getFirst("target")).orElse("");
            String confirm = Optional.ofNullable(t.getT1().getFirst("confirm")).orElse("").strip();
            model.addAttribute("groups", fleet.groups());
            model.addAttribute("results", null);
            List<NodeAddress> nodes = target.startsWith("group:")
                    ? fleet.groups().getOrDefault(target.substring(6), List.of())
                    : fleet.find(target).map(List::of).orElse(List.of());
            String name = target.startsWith("group:") ? target.substring(6) : target;
            if (nodes.isEmpty()) {
                exchange.getResponse().setStatusCode(HttpStatus.NOT_FOUND);
                model.addAttribute("error", "no such node or group");
                return Mono.just("admin");
            }
            if (!confirm.equals(name)) {
                exchange.getResponse().setStatusCode(HttpStatus.BAD_REQUEST);
                model.addAttribute("error", "not flushed: type \u201c" + name + "\u201d to confirm");
                return Mono.just("admin");
            }
            return Flux.fromIterable(nodes)
                    .concatMap(n -> commands.flushAll(n)
                            .onErrorResume(e -> Mono.just("failed: " + e.getMessage()))
                            .doOnNext(reply -> audit.change(t.getT2(), "flush_all", n.id(), "target=" + target, reply))
                            .map(reply -> Map.entry(n.id(), reply)))
                    .collectList()
                    .map(results -> {
                        model.addAttribute("results", results);
                        return "admin";
                    });
        });
    }
}
