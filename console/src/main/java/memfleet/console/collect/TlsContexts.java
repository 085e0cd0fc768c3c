package memfleet.console.collect;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * Netty client {@link SslContext}s built from the PEM files of a {@link CollectProperties.Tls}, one per distinct
 * setting, rebuilt when a file's modification time changes (so rotated certificates are picked up at the next
 * poll, as a node's {@code refresh_certs} picks up its own). A file that cannot be read fails the node's poll
 * with the path and the reason, never the console.
 */
final class TlsContexts {
    private record Built(List<FileTime> stamps, SslContext context) {
    }

    private final Map<CollectProperties.Tls, Built> built = new ConcurrentHashMap<>();

    SslContext context(CollectProperties.Tls tls) {
        List<FileTime> stamps = stamps(tls);
        Built b = built.get(tls);
        if (b == null || !b.stamps().equals(stamps)) {
            b = new Built(stamps, build(tls));
            built.put(tls, b);
        }
        return b.context();
    }

    private static List<FileTime> stamps(CollectProperties.Tls tls) {
        List<FileTime> stamps = new ArrayList<>(3);
        for (Path p : new Path[] {tls.caCert(), tls.clientCert(), tls.clientKey()}) {
            if (p != null) {
                try {
                    stamps.add(Files.getLastModifiedTime(p));
                } catch (IOException e) {
                    throw new NodeException("TLS file " + p + " cannot be read: " + e.getClass().getSimpleName());
                }
            }
        }
        return stamps;
    }

    private static SslContext build(CollectProperties.Tls tls) {
        SslContextBuilder b = SslContextBuilder.forClient();
        try {
            if (tls.caCert() != null) {
                b.trustManager(tls.caCert().toFile());
            }
            if (tls.clientCert() != null) {
                b.keyManager(tls.clientCert().toFile(), tls.clientKey().toFile());
            }
            if (tls.verifyHostname()) {
                b.endpointIdentificationAlgorithm("HTTPS");
            } else {
                b.endpointIdentificationAlgorithm(null);
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new NodeException("TLS settings unusable (" + tls.caCert() + ", " + tls.clientCert() + ", "
                    + tls.clientKey() + "): " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }
}
