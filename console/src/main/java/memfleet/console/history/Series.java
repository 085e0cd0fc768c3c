package memfleet.console.history;

/** The values charted per node, one ring column each. */
public enum Series {
    GETS_PER_SEC("gets/s"),
    SETS_PER_SEC("sets/s"),
    DELETES_PER_SEC("deletes/s"),
    HIT_RATIO("hit ratio (window)"),
    EVICTIONS_PER_SEC("evictions/s"),
    BYTES_READ_PER_SEC("bytes in/s"),
    BYTES_WRITTEN_PER_SEC("bytes out/s"),
    CONNECTIONS("connections"),
    MEMORY_BYTES("memory used"),
    ITEMS("items"),
    /** {@code limit_maxbytes}: drawn with {@link #MEMORY_BYTES}, not as a chart of its own. */
    MEMORY_LIMIT_BYTES("memory limit");

    private final String label;

    Series(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
