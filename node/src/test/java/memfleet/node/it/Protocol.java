package memfleet.node.it;

/** The wire protocol a client test speaks: a {@link ServerTest} runs the class once per server kind and protocol. */
public enum Protocol {
    /** memcached's text protocol (and meta commands, which share its framing). */
    TEXT,
    /** memcached's binary protocol (opcode frames; SASL lives only here). */
    BINARY;

    /** The lower-case name shown in a run's display name. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
