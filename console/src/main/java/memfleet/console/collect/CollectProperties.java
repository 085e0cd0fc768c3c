package memfleet.console.collect;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code memfleet.collect}: how often every node is polled, how long one node may take before it counts as
 * down (kept below the interval, so a dead node shows down within one interval), how many nodes are polled at
 * once, and how the console reaches nodes that run with {@code -Z} (TLS) or {@code -Y} (ASCII authentication):
 * {@code tls} and {@code auth} for every node, and per group under {@code groups.<group>}, where a group's
 * {@code tls} or {@code auth} replaces the global one as a whole.
 */
@ConfigurationProperties("memfleet.collect")
public record CollectProperties(@DefaultValue("2s") Duration interval, @DefaultValue("1500ms") Duration timeout,
                                @DefaultValue("64") int concurrency, @DefaultValue Tls tls, @DefaultValue Auth auth,
                                @DefaultValue Map<String, Access> groups) {
    public CollectProperties {
        if (timeout.compareTo(interval) >= 0) {
            timeout = interval.multipliedBy(3).dividedBy(4);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("memfleet.collect.concurrency must be at least 1");
        }
        groups = Map.copyOf(groups);
    }

    /** How a group's nodes are reached: whatever is given here replaces the global {@code tls} or {@code auth}. */
    public record Access(Tls tls, Auth auth) {
    }

    /**
     * TLS to nodes started with {@code -Z}. {@code caCert}: PEM file of the certificates that sign the nodes'
     * (the JDK's trust store when absent); {@code clientCert} and {@code clientKey}: PEM certificate chain and
     * PKCS#8 key the console presents, for nodes with {@code ssl_verify_mode=2}; {@code verifyHostname}: the node's
     * certificate must name the address the console dials (a DNS name or an IP subject alternative name).
     */
    public record Tls(@DefaultValue("false") boolean enabled, Path caCert, Path clientCert, Path clientKey,
                      @DefaultValue("true") boolean verifyHostname) {
        public static final Tls OFF = new Tls(false, null, null, null, true);

        public Tls {
            if ((clientCert == null) != (clientKey == null)) {
                throw new IllegalArgumentException("memfleet.collect tls: client-cert and client-key go together");
            }
        }
    }

    /**
     * memcached's ASCII authentication ({@code -Y}): the {@code user password} pair every connection sends first.
     * Only for nodes started with {@code -Y}: a node without it would take the authentication {@code set} as a
     * write (the console sends it already expired, so nothing stays behind). {@link #toString()} hides the password.
     */
    public record Auth(String username, String password) {
        public static final Auth NONE = new Auth(null, null);

        public Auth {
            if (username != null && username.isEmpty()) {
                username = null;
            }
            if ((username == null) != (password == null || password.isEmpty())) {
                throw new IllegalArgumentException("memfleet.collect auth: username and password go together");
            }
            for (String s : new String[] {username, password}) {
                if (s != null && !s.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
                    throw new IllegalArgumentException(
                            "memfleet.collect auth: username and password must be printable ASCII without spaces");
                }
            }
        }

        public boolean enabled() {
            return username != null;
        }

        @Override
        public String toString() {
            return enabled() ? "Auth[username=" + username + ", password=******]" : "Auth[none]";
        }
    }

    /** The TLS settings for a node of {@code group}. */
    public Tls tlsFor(String group) {
        Access a = groups.get(group);
        return a != null && a.tls() != null ? a.tls() : tls;
    }

    /** The authentication for a node of {@code group}. */
    public Auth authFor(String group) {
        Access a = groups.get(group);
        return a != null && a.auth() != null ? a.auth() : auth;
    }
}
