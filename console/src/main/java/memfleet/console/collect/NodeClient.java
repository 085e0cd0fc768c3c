package memfleet.console.collect;

import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
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
 * The connection is TLS when the node's group says so ({@code memfleet.collect.tls}), and starts with memcached's
 * ASCII authentication when it has credentials ({@code memfleet.collect.auth}): a refused login fails the batch
 * with the node's own words, and the password never appears in an error.
 */
@Component
public class NodeClient implements AutoCloseable {
    /** The largest answer accepted for one batch: cachedump is capped at 2 MB by the node. */
    static final int MAX_REPLY_BYTES = 8 * 1024 * 1024;

    private final LoopResources loops = LoopResources.create("memfleet-collect", 1, true);
    private final TcpClient base = TcpClient.newConnection().runOn(loops).option(ChannelOption.TCP_NODELAY, true);
    private final CollectProperties properties;
    private final TlsContexts tls = new TlsContexts();

    public NodeClient(CollectProperties properties) {
        this.properties = properties;
    }

    /** Sends {@code requests} pipelined and emits their replies in order, or fails after {@code timeout}. */
    public Mono<List<byte[]>> exchange(NodeAddress node, List<TextRequest> requests, Duration timeout) {
        return Mono.defer(() -> {
            CollectProperties.Auth auth = properties.authFor(node.group());
            List<TextRequest> sent = auth.enabled() ? prepend(TextRequest.auth(auth.username(), auth.password()), requests)
                    : requests;
            boolean plain = !properties.tlsFor(node.group()).enabled();
            return send(client(node, timeout), sent, timeout, plain)
                    .map(replies -> auth.enabled() ? replies.subList(1, replies.size()) : replies);
        });
    }

    private static List<TextRequest> prepend(TextRequest first, List<TextRequest> rest) {
        List<TextRequest> all = new ArrayList<>(rest.size() + 1);
        all.add(first);
        all.addAll(rest);
        return all;
    }

    private TcpClient client(NodeAddress node, Duration timeout) {
        TcpClient c = base.host(node.host()).port(node.port())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()));
        CollectProperties.Tls t = properties.tlsFor(node.group());
        if (!t.enabled()) {
            return c;
        }
        SslContext context = tls.context(t);
        return c.secure(spec -> spec.sslContext(context).handshakeTimeout(timeout));
    }

    private Mono<List<byte[]>> send(TcpClient client, List<TextRequest> requests, Duration timeout, boolean plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        requests.forEach(r -> out.writeBytes(r.bytes()));
        byte[] batch = out.toByteArray();
        return client
                .connect()
                .flatMap(conn -> {
                    Splitter splitter = new Splitter(requests);
                    Mono<List<byte[]>> replies = conn.inbound().receive().asByteArray()
                            .<List<byte[]>>handle((chunk, sink) -> {
                                if (splitter.add(chunk)) {
                                    sink.next(splitter.replies);
                                    sink.complete();
                                }
                            })
                            // not next(): its cancel can re-enter with the receiver's completion (TLS unwrapping
                            // does) before the value is passed on, which read as an empty, "closed" reply
                            .singleOrEmpty()
                            .switchIfEmpty(Mono.error(() -> new NodeException("connection closed mid-reply" + (plain
                                    // what a node with -Z does to plain text
                                    ? " (a node with -Z needs memfleet.collect.tls for its group)" : ""))));
                    return conn.outbound().sendByteArray(Mono.just(batch)).then().then(replies)
                            .doFinally(signal -> conn.dispose());
                })
                .timeout(timeout)
                .onErrorMap(TimeoutException.class, e -> new NodeException("no answer within " + timeout.toMillis() + " ms"))
                .onErrorMap(ConnectException.class, e -> new NodeException("connection refused"))
                .onErrorMap(e -> !(e instanceof NodeException), e -> new NodeException(describe(e)));
    }

    /** The error and, for TLS failures, its cause (the handshake's reason is there, not in the wrapper). */
    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        String what = root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
        return e instanceof SSLException || root instanceof SSLException || root instanceof CertificateException
                ? "TLS: " + what : what;
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
                TextRequest request = requests.get(replies.size());
                int n;
                try {
                    n = ReplyFraming.frame(request.shape(), buf, pos, len);
                } catch (IllegalArgumentException e) {
                    throw new NodeException(e.getMessage());
                }
                if (n < 0) {
                    return false;
                }
                byte[] reply = new byte[n];
                System.arraycopy(buf, pos, reply, 0, n);
                if (request.isAuth() && !TextRequest.STORED.equals(new String(reply, StandardCharsets.US_ASCII))) {
                    // the node's own words (CLIENT_ERROR authentication failure); nothing of what was sent
                    throw new NodeException("authentication refused for user in memfleet.collect.auth: "
                            + new String(reply, StandardCharsets.US_ASCII).strip().replaceAll("\\p{Cntrl}", "?"));
                }
                replies.add(reply);
                pos += n;
            }
            return true;
        }
    }
}
