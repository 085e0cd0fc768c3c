package memfleet.console.keyspace;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code memfleet.keyspace}: the default prefix {@code separator} ({@code :}), how long one node's metadump may take
 * ({@code timeout}, 2 min), and how long an analysis is shown before the page runs a new one ({@code max-age}, 5 min).
 */
@ConfigurationProperties("memfleet.keyspace")
public record KeySpaceProperties(@DefaultValue(":") char separator, @DefaultValue("2m") Duration timeout,
                                 @DefaultValue("5m") Duration maxAge) {
    /** Separators an operator may choose: none of them can be in {@link PrefixTree#OTHER} or be a key's byte that breaks a URL. */
    public static final String SEPARATORS = ":/._-|#";

    public KeySpaceProperties {
        if (SEPARATORS.indexOf(separator) < 0) {
            throw new IllegalArgumentException("memfleet.keyspace.separator must be one of " + SEPARATORS);
        }
    }
}
