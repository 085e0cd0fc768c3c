package memfleet.console.collect;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import memfleet.console.fleet.NodeAddress;
import memfleet.protocol.text.CachedumpReply;
import memfleet.protocol.text.HotKeysReply;
import memfleet.protocol.text.ItemKey;
import memfleet.protocol.text.ReplicationStats;
import memfleet.protocol.text.StatsReply;
import memfleet.protocol.text.ValueReply;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The console's reads and changes on one node, each one command (or a short pipeline) over {@link NodeClient}:
 * list a slab class ({@code stats cachedump <class> 0}), read an item ({@code gets}), delete, set, touch,
 * {@code flush_all}, and the replication consistency probe ({@code stats digest}). Replies are memcached's own
 * words ({@code DELETED}, {@code NOT_FOUND}, ...), passed back as they are.
 */
@Component
public class NodeCommands {
    private final NodeClient client;
    private final Duration timeout;

    public NodeCommands(NodeClient client, CollectProperties properties) {
        this.client = client;
        // a cachedump of a full class takes longer than a stats poll
        this.timeout = properties.timeout().multipliedBy(4);
    }

    /** Every live item of {@code slabClass}: key, value size and absolute expiry. */
    public Mono<List<CachedumpReply.Entry>> cachedump(NodeAddress node, int slabClass) {
        return one(node, TextRequest.cachedump(slabClass)).map(CachedumpReply::parse);
    }

    /** The item with its CAS unique, or empty when the node does not have it. */
    public Mono<Optional<ValueReply.Value>> gets(NodeAddress node, ItemKey key) {
        return one(node, TextRequest.gets(key)).map(r -> ValueReply.parse(r).stream().findFirst());
    }

    public Mono<String> delete(NodeAddress node, ItemKey key) {
        return line(node, TextRequest.delete(key));
    }

    public Mono<String> touch(NodeAddress node, ItemKey key, long exptime) {
        return line(node, TextRequest.touch(key, exptime));
    }

    public Mono<String> set(NodeAddress node, ItemKey key, long flags, long exptime, byte[] data) {
        return line(node, TextRequest.set(key, flags, exptime, data));
    }

    public Mono<String> flushAll(NodeAddress node) {
        return line(node, TextRequest.flushAll());
    }

    /** {@code stats digest}: item count and digest, or the node's refusal when it has no such command. */
    public Mono<StatsReply> digest(NodeAddress node) {
        return one(node, TextRequest.stats("digest")).map(StatsReply::parse);
    }

    /** {@code stats replication}, read. */
    public Mono<ReplicationStats> replication(NodeAddress node) {
        return one(node, TextRequest.stats("replication")).map(r -> ReplicationStats.of(StatsReply.parse(r)));
    }

    /** memfleet's {@code stats hotkeys}, read; {@link HotKeysReply#NONE} from a server without it. */
    public Mono<HotKeysReply> hotKeys(NodeAddress node) {
        return one(node, TextRequest.stats("hotkeys")).map(r -> HotKeysReply.of(StatsReply.parse(r)));
    }

    /** {@code replication check}: {@code OK} once the node has started its rounds, or its refusal. */
    public Mono<String> replicationCheck(NodeAddress node) {
        return line(node, TextRequest.replicationCheck());
    }

    private Mono<String> line(NodeAddress node, TextRequest request) {
        return one(node, request).map(r -> new String(r, StandardCharsets.UTF_8).strip());
    }

    private Mono<byte[]> one(NodeAddress node, TextRequest request) {
        return client.exchange(node, List.of(request), timeout).map(replies -> replies.get(0));
    }
}
