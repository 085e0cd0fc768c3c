package memfleet.console.collect;

import io.netty.channel.ChannelOption;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import memfleet.console.fleet.NodeAddress;
import memfleet.protocol.text.ReplyFraming;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;

/**
 * Sends a batch of text commands to one node on a fresh non-blocking connection (Reactor Netty), splits the
 * answer into one reply per command with {@link ReplyFraming}, and closes. Nothing blocks a thread: a node
 * that does not answer only holds its own connection until the timeout, never another node's poll.
 */
@Component
public class NodeClient implements AutoCloseable {
    /** The largest answer accepted for one batch: cachedump is capped at 2 MB by the node. */
    static final int MAX_REPLY_BYTES = 8 * 1024 * 1024;

    private final LoopResources loops = LoopResources.create("memfleet-collect", 1, true);
    private final TcpClient base = TcpClient.newConnection().runOn(loops).option(ChannelOption.TCP_NODELAY, true);

    /** Sends {@code requests} pipelined and emits their replies in order, or fails after {@code timeout}. */
    public Mono<List<byte[]>> exchange(NodeAddress node, List<TextRequest> requests, Duration timeout) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        requests.forEach(r -> out.writeBytes(r.bytes()));
        byte[] batch = out.toByteArray();
        return base.host(node.host()).port(node.port())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()))
                .connect()
                .flatMap(conn -> {
                    Splitter splitter = new Splitter(requests);
                    Mono<List<byte[]>> replies = conn.inbound().receive().asByteArray()
                            .<List<byte[]>>handle((chunk, sink) -> {
                                if (splitter.add(chunk)) {
                                    sink.next(splitter.replies);
                                }
                            })
                            .next()
                            .switchIfEmpty(Mono.error(() -> new NodeException("connection closed mid-reply")));
                    return conn.outbound().sendByteArray(Mono.just(batch)).then().then(replies)
                            .doFinally(signal -> conn.dispose());
                })
                .timeout(timeout)
                .onErrorMap(TimeoutException.class, e -> new NodeException("no answer within " + timeout.toMillis() + " ms"))
                .onErrorMap(ConnectException.class, e -> new NodeException("connection refused"))
                .onErrorMap(e -> !(e instanceof NodeException), e -> new NodeException(describe(e)));
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    @Override
    public void close() {
        loops.dispose();
    }

    /** Accumulates bytes and cuts replies off as each one completes. */
    private static final class Splitter {
        private final List<TextRequest> requests;
        private final List<byte[]> replies = new ArrayList<>();
        private byte[] buf = new byte[4096];
        private int len;
        private int pos;

        Splitter(List<TextRequest> requests) {
            this.requests = requests;
        }

        boolean add(byte[] chunk) {
            if (len + chunk.length > MAX_REPLY_BYTES) {
                throw new NodeException("reply larger than " + MAX_REPLY_BYTES + " bytes");
            }
            if (len + chunk.length > buf.length) {
                byte[] bigger = new byte[Math.max(buf.length * 2, len + chunk.length)];
                System.arraycopy(buf, 0, bigger, 0, len);
                buf = bigger;
            }
            System.arraycopy(chunk, 0, buf, len, chunk.length);
            len += chunk.length;
            while (replies.size() < requests.size()) {
                int n;
                try {
                    n = ReplyFraming.frame(requests.get(replies.size()).shape(), buf, pos, len);
                } catch (IllegalArgumentException e) {
                    throw new NodeException(e.getMessage());
                }
                if (n < 0) {
                    return false;
                }
                byte[] reply = new byte[n];
                System.arraycopy(buf, pos, reply, 0, n);
                replies.add(reply);
                pos += n;
            }
            return true;
        }
    }
}
