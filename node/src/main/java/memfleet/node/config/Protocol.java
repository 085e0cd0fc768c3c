package memfleet.node.config;

/** Which wire protocol a node speaks on its listeners, as memcached's {@code -B} chooses it. */
public enum Protocol {
    /** Decide per connection from its first byte: 0x80 is binary, anything else is text. */
    AUTO("auto-negotiate"),
    /** Text protocol only (classic and meta commands). */
    ASCII("ascii"),
    /** Binary protocol only. */
    BINARY("binary");

    private final String statName;

    Protocol(String statName) {
        this.statName = statName;
    }

    /** The value memcached shows for it in {@code stats settings} ({@code binding_protocol}). */
    public String statName() {
        return statName;
    }
}
