package memfleet.console.collect;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import memfleet.console.fleet.Fleet;
import memfleet.console.fleet.NodeAddress;
import memfleet.protocol.text.ReplicationStats;
import memfleet.protocol.text.StatsReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Polls every node of the fleet each {@code memfleet.collect.interval}: {@code stats}, {@code stats settings},
 * {@code stats items}, {@code stats slabs} and {@code stats replication} pipelined on one connection. At most
 * {@code concurrency} nodes are in flight; each has its own timeout, and a node still in flight from the last
 * tick is skipped rather than queued, so a dead node never delays another.
 */
@Component
public class StatsCollector implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(StatsCollector.class);
    static final List<TextRequest> POLL = List.of(TextRequest.stats(""), TextRequest.stats("settings"),
            TextRequest.stats("items"), TextRequest.stats("slabs"), TextRequest.stats("replication"));

    private final Fleet fleet;
    private final NodeClient client;
    private final CollectProperties properties;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Sinks.Many<NodeSample> samples = Sinks.many().multicast().directBestEffort();
    private final Sinks.Many<Long> ticks = Sinks.many().multicast().directBestEffort();
    private final List<SampleListener> listeners;
    private volatile Disposable task;

    /** Told about every sample, on the collector's thread, before the tick completes. */
    public interface SampleListener {
        void sampled(NodeSample sample);
    }

    public StatsCollector(Fleet fleet, NodeClient client, CollectProperties properties, List<SampleListener> listeners) {
        this.fleet = fleet;
        this.client = client;
        this.properties = properties;
        this.listeners = listeners;
    }

    /** Polls every node once; completes when every node answered, failed or timed out. */
    public Mono<Void> pollAll() {
        long tick = System.currentTimeMillis();
        return Flux.fromIterable(fleet.nodes())
                .filter(node -> inFlight.add(node.id()))
                .flatMap(node -> poll(node).doFinally(s -> inFlight.remove(node.id())), properties.concurrency())
                .doOnNext(this::publish)
                .then(Mono.fromRunnable(() -> ticks.tryEmitNext(tick)));
    }

    /** One node, never failing: a node that cannot be polled yields a down sample. */
    public Mono<NodeSample> poll(NodeAddress node) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return client.exchange(node, POLL, properties.timeout())
                    .map(replies -> {
                        long rtt = (System.nanoTime() - start) / 1000;
                        StatsReply stats = StatsReply.parse(replies.get(0));
                        if (stats.isError() || stats.get("version") == null) {
                            String error = String.valueOf(stats.error());
                            return NodeSample.down(node, System.currentTimeMillis(), error.contains("unauthenticated")
                                    ? "the node requires authentication (-Y), and memfleet.collect.auth has no"
                                    + " credentials for group " + node.group() + ": " + error
                                    : "stats refused: " + error);
                        }
                        return new NodeSample(node, System.currentTimeMillis(), true, null, rtt, stats,
                                StatsReply.parse(replies.get(1)), StatsReply.parse(replies.get(2)),
                                StatsReply.parse(replies.get(3)),
                                ReplicationStats.of(StatsReply.parse(replies.get(4))));
                    })
                    .onErrorResume(e -> Mono.just(NodeSample.down(node, System.currentTimeMillis(),
                            e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())));
        });
    }

    private void publish(NodeSample sample) {
        for (SampleListener l : listeners) {
            try {
                l.sampled(sample);
            } catch (RuntimeException e) {
                log.error("sample listener {} failed for {}", l.getClass().getSimpleName(), sample.node().id(), e);
            }
        }
        samples.tryEmitNext(sample);
    }

    /** Every sample as it arrives. */
    public Flux<NodeSample> samples() {
        return samples.asFlux();
    }

    /** The start time of each completed poll of the whole fleet. */
    public Flux<Long> ticks() {
        return ticks.asFlux();
    }

    public CollectProperties properties() {
        return properties;
    }

    @Override
    public void start() {
        task = Flux.interval(java.time.Duration.ZERO, properties.interval())
                .onBackpressureDrop()
                // each tick starts its polls at once; nodes still in flight are skipped by pollAll
                .flatMap(t -> pollAll().onErrorResume(e -> {
                    log.error("poll failed", e);
                    return Mono.empty();
                }), 4)
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
        return 10;
    }
}
