package memfleet.console.keyspace;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import memfleet.console.collect.NodeClient;
import memfleet.console.collect.TextRequest;
import memfleet.console.fleet.NodeAddress;
import memfleet.protocol.text.MetadumpLine;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs key-space analyses: streams a node's {@code lru_crawler metadump all} through {@link NodeClient#lines} into a
 * {@link KeySpace}, one line at a time, so the console holds the aggregate, never the dump. The last result per node
 * and separator is kept for {@code memfleet.keyspace.max-age}; a node asked for again while its analysis runs joins
 * that run instead of starting a second dump (the node's crawler serves one at a time anyway). A group's analysis
 * runs its nodes one after another and sums them.
 */
@Component
public class KeySpaceAnalysis {
    /** A finished analysis: what it found, when, how long the dump took and how many lines it read. */
    public record Result(String node, KeySpace keySpace, long finishedMillis, long tookMillis, long lines) {
    }

    private final NodeClient client;
    private final KeySpaceProperties properties;
    private final Map<String, Result> done = new ConcurrentHashMap<>();
    private final Map<String, Mono<Result>> running = new ConcurrentHashMap<>();

    public KeySpaceAnalysis(NodeClient client, KeySpaceProperties properties) {
        this.client = client;
        this.properties = properties;
    }

    public KeySpaceProperties properties() {
        return properties;
    }

    /** The node's latest analysis if younger than max-age (or any age when {@code fresh} is false), else a new one. */
    public Mono<Result> node(NodeAddress node, char separator, boolean fresh) {
        String id = node.id() + " " + separator;
        Result last = done.get(id);
        if (!fresh && last != null && System.currentTimeMillis() - last.finishedMillis() < properties.maxAge().toMillis()) {
            return Mono.just(last);
        }
        return running.computeIfAbsent(id, k -> run(node, separator)
                .doOnNext(r -> done.put(k, r))
                .doFinally(s -> running.remove(k))
                .cache());
    }

    /** The group's nodes analysed in turn and summed; a node that fails is named in the error. */
    public Mono<Result> group(String group, List<NodeAddress> nodes, char separator, boolean fresh) {
        long started = System.nanoTime();
        return Flux.fromIterable(nodes)
                .concatMap(n -> node(n, separator, fresh))
                .reduce(new Result(group, new KeySpace(separator, System.currentTimeMillis() / 1000, null), 0, 0, 0),
                        (sum, r) -> {
                            sum.keySpace().merge(r.keySpace());
                            return new Result(group, sum.keySpace(), Math.max(sum.finishedMillis(), r.finishedMillis()),
                                    sum.tookMillis() + r.tookMillis(), sum.lines() + r.lines());
                        })
                .map(r -> r.finishedMillis() == 0 ? new Result(group, r.keySpace(), System.currentTimeMillis(),
                        (System.nanoTime() - started) / 1_000_000, 0) : r);
    }

    private Mono<Result> run(NodeAddress node, char separator) {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            KeySpace keySpace = new KeySpace(separator, System.currentTimeMillis() / 1000, node.id());
            MetadumpLine line = new MetadumpLine();
            return client.lines(node, TextRequest.metadumpAll(), (b, from, to) -> {
                if (line.parse(b, from, to)) {
                    keySpace.add(line);
                }
            }, properties.timeout()).map(lines -> new Result(node.id(), keySpace, System.currentTimeMillis(),
                    (System.nanoTime() - started) / 1_000_000, lines));
        });
    }

}
