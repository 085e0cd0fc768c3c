package memfleet.console.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import memfleet.console.history.History;
import memfleet.console.history.NodeStatus;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * The {@code fleet} component of {@code /actuator/health}: each node up or down with its version or error.
 * Some nodes down is {@code DEGRADED} (HTTP 200: the console itself works and restarting it would not help);
 * {@code DOWN} only when every node is down.
 */
@Component
public class FleetHealthIndicator implements HealthIndicator {
    static final Status DEGRADED = new Status("DEGRADED", "some nodes are down");
    private final History history;

    public FleetHealthIndicator(History history) {
        this.history = history;
    }

    @Override
    public Health health() {
        Map<String, Object> nodes = new LinkedHashMap<>();
        int up = 0;
        int total = 0;
        for (NodeStatus s : history.statuses()) {
            total++;
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("status", s.up() ? "UP" : "DOWN");
            d.put("group", s.node().group());
            if (s.up()) {
                up++;
                d.put("version", s.statText("version"));
                d.put("replication", s.role());
            } else {
                d.put("error", s.error());
            }
            nodes.put(s.node().id(), d);
        }
        Health.Builder b = total == 0 || up == total ? Health.up() : up == 0 ? Health.down() : Health.status(DEGRADED);
        return b.withDetail("up", up).withDetail("total", total).withDetail("nodes", nodes).build();
    }
}
