package memfleet.console.fleet;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code memfleet.nodes} ({@code host:port[@group]}, from application.yml, {@code MEMFLEET_NODES} or
 * {@code --memfleet.nodes=a:11211,b:11211@eu}) and {@code memfleet.discovery}: DNS names resolved to every
 * address they have, every {@code discovery-interval}.
 */
@ConfigurationProperties("memfleet")
public record FleetProperties(@DefaultValue List<String> nodes, @DefaultValue List<Discovery> discovery,
                              @DefaultValue("30s") Duration discoveryInterval) {

    /** A DNS name (such as a Kubernetes headless service) whose every address is a node on {@code port}. */
    public record Discovery(String name, @DefaultValue("11211") int port, @DefaultValue("default") String group) {
    }
}
