package memfleet.node.replication;

import memfleet.protocol.text.ReplicationStats;

/**
 * How far one full copy has come, on the side that sends it ({@link Feed}) or the side that receives it
 * ({@link PeerLink}): items and record bytes so far against what the source held when the copy started,
 * the rate since the start and the time left at that rate, for {@code stats replication}. One thread
 * updates it; stats read it.
 */
final class CopyProgress {
    static final String NONE = "none";
    static final String SENDING = "sending";
    static final String SENT = "sent";
    static final String RECEIVING = "receiving";
    static final String RECEIVED = "received";
    static final String ABORTED = "aborted";

    private final String running;
    private final String done;
    private volatile long items;
    private volatile long bytes;
    private volatile long totalItems;
    private volatile long totalBytes;
    private volatile long startNanos;
    private volatile long endNanos;
    private volatile boolean aborted;

    private CopyProgress(String running, String done) {
        this.running = running;
        this.done = done;
    }

    static CopyProgress sending() {
        return new CopyProgress(SENDING, SENT);
    }

    static CopyProgress receiving() {
        return new CopyProgress(RECEIVING, RECEIVED);
    }

    /** A copy of about {@code totalItems} items in {@code totalBytes} bytes starts now. */
    void start(long totalItems, long totalBytes) {
        this.items = 0;
        this.bytes = 0;
        this.totalItems = totalItems;
        this.totalBytes = totalBytes;
        this.endNanos = 0;
        this.aborted = false;
        this.startNanos = System.nanoTime();
    }

    void add(long items, long bytes) {
        this.items += items;
        this.bytes += bytes;
    }

    void end() {
        endNanos = System.nanoTime();
    }

    /** The copy stopped before its end (the link broke): ends it as aborted. */
    void abortIfRunning() {
        if (running()) {
            aborted = true;
            end();
        }
    }

    boolean running() {
        return startNanos != 0 && endNanos == 0;
    }

    long startNanos() {
        return startNanos;
    }

    long bytes() {
        return bytes;
    }

    /** Nanoseconds since the start (until the end, once it ended). */
    long elapsedNanos() {
        long start = startNanos;
        long end = endNanos;
        return start == 0 ? 0 : (end != 0 ? end : System.nanoTime()) - start;
    }

    /** The {@code peerN:copy*} lines of {@code stats replication}, for {@code p} = {@code "peerN:"}. */
    void stats(StringBuilder sb, String p) {
        long start = startNanos;
        String state = start == 0 ? NONE : running() ? running : aborted ? ABORTED : done;
        long n = items;
        long b = bytes;
        long total = Math.max(totalItems, n);
        long nanos = elapsedNanos();
        long rate = nanos > 0 ? (long) (b * 1e9 / nanos) : 0;
        long eta = 0;
        if (running() && n > 0) {
            eta = (long) ((double) (total - n) * nanos / n / 1e6);
        }
        line(sb, p + ReplicationStats.PEER_COPY, state);
        line(sb, p + ReplicationStats.PEER_COPY_ITEMS, n);
        line(sb, p + ReplicationStats.PEER_COPY_TOTAL_ITEMS, total);
        line(sb, p + ReplicationStats.PEER_COPY_BYTES, b);
        line(sb, p + ReplicationStats.PEER_COPY_TOTAL_BYTES, Math.max(totalBytes, b));
        line(sb, p + ReplicationStats.PEER_COPY_MS, nanos / 1_000_000);
        line(sb, p + ReplicationStats.PEER_COPY_RATE, rate);
        line(sb, p + ReplicationStats.PEER_COPY_ETA_MS, eta);
    }

    /** Of two progresses, the one to show: the running one, else the one that started last. */
    static CopyProgress latest(CopyProgress a, CopyProgress b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        if (a.running() != b.running()) {
            return a.running() ? a : b;
        }
        return a.startNanos - b.startNanos >= 0 ? a : b;
    }

    private static void line(StringBuilder sb, String name, Object value) {
        sb.append("STAT ").append(name).append(' ').append(value).append("\r\n");
    }
}
