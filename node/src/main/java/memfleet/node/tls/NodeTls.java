package memfleet.node.tls;

import java.io.File;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import memfleet.node.config.Settings;

/**
 * The node's TLS material as memcached's {@code -Z} configures it: certificate chain and key (PEM), an
 * optional CA to verify clients with ({@code ssl_verify_mode} 1 asks for a certificate, 2 and 3 require
 * one), the lowest protocol version and ciphers. {@link #refresh()} re-reads the files for new
 * connections, as {@code refresh_certs} does; connections already open keep their session.
 */
public final class NodeTls {
    /** Thrown with memcached's words when the certificate or key cannot be loaded. */
    public static final class LoadException extends Exception {
        public LoadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Settings settings;
    private volatile SslContext server;
    private volatile SslContext client;
    private volatile int lastRefresh;
    private final AtomicLong handshakeErrors = new AtomicLong();

    public NodeTls(Settings settings, int now) throws LoadException {
        this.settings = settings;
        load();
        lastRefresh = now;
    }

    private void load() throws LoadException {
        File chain = new File(String.valueOf(settings.sslChainCert));
        File key = new File(String.valueOf(settings.sslKey));
        if (!chain.canRead()) {
            throw new LoadException("Error loading the certificate chain: " + shown(settings.sslChainCert) + " : "
                    + reason(chain), null);
        }
        if (!key.canRead()) {
            throw new LoadException("Error loading the key: " + shown(settings.sslKey) + " : " + reason(key), null);
        }
        try {
            SslContextBuilder b = SslContextBuilder.forServer(chain, key).sslProvider(SslProvider.JDK)
                    .protocols(protocols());
            if (settings.sslCaCert != null) {
                b.trustManager(new File(settings.sslCaCert));
            }
            b.clientAuth(switch (settings.sslVerifyMode) {
                case 0 -> ClientAuth.NONE;
                case 1 -> ClientAuth.OPTIONAL;
                default -> ClientAuth.REQUIRE;
            });
            if (settings.sslCiphers != null) {
                b.ciphers(List.of(settings.sslCiphers.split(":")));
            }
            SslContext s = b.build();
            // peers: the same certificate, trusting the CA (or, without one, the node's own chain)
            SslContextBuilder c = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(protocols())
                    .keyManager(chain, key)
                    .trustManager(new File(settings.sslCaCert != null ? settings.sslCaCert : settings.sslChainCert));
            SslContext cl = c.build();
            server = s;
            client = cl;
        } catch (Exception e) {
            throw new LoadException("Error loading the certificate chain: " + settings.sslChainCert + " : "
                    + rootMessage(e), e);
        }
    }

    private static String shown(String path) {
        return path == null ? "(null)" : path;
    }

    private static String reason(File f) {
        return f.exists() ? "Permission denied" : "No such file or directory";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    private String[] protocols() {
        return switch (settings.sslMinVersion) {
            case "tlsv1" -> new String[] {"TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1"};
            case "tlsv1.1" -> new String[] {"TLSv1.3", "TLSv1.2", "TLSv1.1"};
            case "tlsv1.3" -> new String[] {"TLSv1.3"};
            default -> new String[] {"TLSv1.3", "TLSv1.2"};
        };
    }

    /** The context new client connections are served with. */
    public SslContext server() {
        return server;
    }

    /** The JDK context the replication listener serves peers with. */
    public javax.net.ssl.SSLContext serverJdk() {
        return ((JdkSslContext) server).context();
    }

    /** The JDK context replication links dial peers with. */
    public javax.net.ssl.SSLContext clientJdk() {
        return ((JdkSslContext) client).context();
    }

    /** {@code refresh_certs}: null when the files were reloaded, else memcached-style error text. */
    public String refresh(int now) {
        try {
            load();
            lastRefresh = now;
            return null;
        } catch (LoadException e) {
            return e.getMessage();
        }
    }

    public int lastRefresh() {
        return lastRefresh;
    }

    public void handshakeFailed() {
        handshakeErrors.incrementAndGet();
    }

    public long handshakeErrors() {
        return handshakeErrors.get();
    }
}
