package memfleet.console.fleet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Resolves each {@code memfleet.discovery} name to all of its addresses every {@code discovery-interval}, as a
 * Kubernetes headless service lists its pods. The JDK resolver blocks, so it runs on the bounded elastic
 * scheduler; a failed lookup keeps the addresses found last time rather than dropping the nodes.
 */
@Component
public class DnsDiscovery implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(DnsDiscovery.class);
    private final FleetProperties properties;
    private final Fleet fleet;
    private volatile Disposable task;

    public DnsDiscovery(FleetProperties properties, Fleet fleet) {
        this.properties = properties;
        this.fleet = fleet;
    }

    /** Resolves every discovery name once and updates the fleet. */
    public void resolveAll() {
        for (FleetProperties.Discovery d : properties.discovery()) {
            try {
                List<NodeAddress> found = new ArrayList<>();
                for (InetAddress a : InetAddress.getAllByName(d.name())) {
                    found.add(new NodeAddress(a.getHostAddress(), d.port(), d.group()));
                }
                fleet.discovered(d.name() + ":" + d.port(), found);
            } catch (UnknownHostException e) {
                log.warn("discovery: {} does not resolve ({}); keeping the last addresses", d.name(), e.getMessage());
            }
        }
    }

    @Override
    public void start() {
        if (properties.discovery().isEmpty()) {
            return;
        }
        resolveAll();
        task = Flux.interval(properties.discoveryInterval(), Schedulers.boundedElastic())
                .concatMap(tick -> Mono.fromRunnable(this::resolveAll))
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable t = task;
        if (t != null) {
            t.dispose();
        }
        task = null;
    }

    @Override
    public boolean isRunning() {
        return task != null;
    }

    @Override
    public int getPhase() {
        // before the collector, so the first poll already sees discovered nodes
        return 0;
    }
}
