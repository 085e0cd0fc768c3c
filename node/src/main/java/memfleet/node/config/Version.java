package memfleet.node.config;

/** The versions a node answers with. */
public final class Version {
    /** The memcached version memfleet answers as: clients and tools key features on it. */
    public static final String MEMCACHED = "1.6.18";
    /** memfleet's own version, shown in memfleet's own stats group. */
    public static final String MEMFLEET = "0.1.0";

    private Version() {}
}
