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

    /** Receives a streamed reply one line at a time ({@code line[from, to)}, without its line end). */
    @FunctionalInterface
    public interface LineSink {
        void line(byte[] line, int from, int to);
    }

    /**
     * Sends {@code request}, alone on its connection, and hands each line of its reply to {@code sink} as it
     * arrives, up to the {@code END} line, on a worker thread ({@code Schedulers.boundedElastic}): a reply of any
     * size (a {@code lru_crawler metadump} of millions of items) passes through a buffer of at most
     * {@link #MAX_LINE_BYTES} plus what is queued, and the node is read only as fast as the sink keeps up, so the
     * console's memory does not grow with the reply. A first line that is an error ({@code BUSY ...},
     * {@code CLIENT_ERROR ...}, {@code ERROR ...}) fails the stream with the node's words.
     */
    public Mono<Long> lines(NodeAddress node, TextRequest request, LineSink sink, Duration timeout) {
        return Mono.defer(() -> {
            CollectProperties.Auth auth = properties.authFor(node.group());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (auth.enabled()) {
                out.writeBytes(TextRequest.auth(auth.username(), auth.password()).bytes());
            }
            out.writeBytes(request.bytes());
            byte[] batch = out.toByteArray();
            LineCutter cutter = new LineCutter(sink, auth.enabled());
            return client(node, timeout)
                    .connect()
                    .flatMap(conn -> conn.outbound().sendByteArray(Mono.just(batch)).then()
                            .then(conn.inbound().receive().asByteArray()
                                    .publishOn(reactor.core.scheduler.Schedulers.boundedElastic(), 16)
                                    .<Long>handle((chunk, s) -> {
                                        if (cutter.add(chunk)) {
                                            s.next(cutter.lines);
                                            s.complete();
                                        }
                                    })
                                    .next()
                                    .switchIfEmpty(Mono.error(() -> new NodeException("connection closed mid-reply"))))
                            .doFinally(signal -> conn.dispose()))
                    .timeout(timeout)
                    .onErrorMap(TimeoutException.class, e -> new NodeException("no end of reply within " + timeout.toMillis() + " ms"))
                    .onErrorMap(ConnectException.class, e -> new NodeException("connection refused"))
                    .onErrorMap(e -> !(e instanceof NodeException), e -> new NodeException(describe(e)));
        });
    }

    /** The longest line {@link #lines} accepts: a metadump line with a 250-byte key, URL-encoded, fits well. */
    static final int MAX_LINE_BYTES = 64 * 1024;

    /** Cuts a streamed reply into lines; true at {@code END}. */
    private static final class LineCutter {
        private final LineSink sink;
        private boolean awaitingAuth;
        private byte[] buf = new byte[8192];
        private int len;
        private long lines;

        LineCutter(LineSink sink, boolean awaitingAuth) {
            this.sink = sink;
            this.awaitingAuth = awaitingAuth;
        }

        boolean add(byte[] chunk) {
            int pos = 0;
            while (pos < chunk.length) {
                int nl = pos;
                while (nl < chunk.length && chunk[nl] != '\n') {
                    nl++;
                }
                int n = nl - pos;
                if (len + n > MAX_LINE_BYTES) {
                    throw new NodeException("reply line longer than " + MAX_LINE_BYTES + " bytes");
                }
                if (len + n > buf.length) {
                    buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
                }
                System.arraycopy(chunk, pos, buf, len, n);
                len += n;
                if (nl == chunk.length) {
                    return false; // the rest of this line comes in the next chunk
                }
                pos = nl + 1;
                int end = len > 0 && buf[len - 1] == '\r' ? len - 1 : len;
                len = 0;
                if (line(end)) {
                    return true;
                }
            }
            return false;
        }

        private boolean line(int end) {
            String text = end < 40 || !startsWithKey() ? new String(buf, 0, end, StandardCharsets.ISO_8859_1) : null;
            if (awaitingAuth) {
                awaitingAuth = false;
                if (!"STORED".equals(text)) {
                    throw new NodeException("authentication refused for user in memfleet.collect.auth: "
                            + String.valueOf(text).replaceAll("\\p{Cntrl}", "?"));
                }
                return false;
            }
            if ("END".equals(text)) {
                return true;
            }
            if (text != null && lines == 0 && (text.startsWith("ERROR") || text.startsWith("CLIENT_ERROR")
                    || text.startsWith("SERVER_ERROR") || text.startsWith("BUSY") || text.startsWith("BADCLASS"))) {
                throw new NodeException(text.replaceAll("\\p{Cntrl}", "?"));
            }
            lines++;
            sink.line(buf, 0, end);
            return false;
        }

        private boolean startsWithKey() {
            return buf[0] == 'k' && buf[1] == 'e' && buf[2] == 'y' && buf[3] == '=';
        }
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
