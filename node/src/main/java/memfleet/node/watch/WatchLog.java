package memfleet.node.watch;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * memcached's logger as its watchers see it. Each event that some watcher asked for becomes one line,
 * {@code ts=<sec>.<usec> gid=<n> type=... \n}, in memcached 1.6.18's formats: {@code item_get} (every
 * look-up of a key, also inside set, delete, incr and touch, as memcached's {@code do_item_get} logs it),
 * {@code item_store}, {@code eviction}, {@code conn_new}/{@code conn_close} and {@code slab_move}. The gid
 * counts every logged line (and every watcher added) across the process, so lines can be put back in order.
 *
 * <p>When nobody watches an event type, asking whether to log it ({@link #wants}) is one volatile read, and
 * nothing else happens: the request path allocates nothing. Lines are made only while someone watches.
 * A watcher whose client reads too slowly loses lines instead of growing memory: its sink has a bounded
 * room ({@link #WATCHER_BUF_SIZE}, memcached's {@code watcher_logbuf_size}), a line that does not fit is
 * counted as skipped, and the next line that fits is preceded by {@code skipped=<n>}.
 */
public final class WatchLog {
    /** memcached's LOG_* flags, as {@code watch <option>...} selects them. */
    public static final int RAWCMDS = 1;
    public static final int EVICTIONS = 2;
    public static final int FETCHERS = 4;
    public static final int MUTATIONS = 8;
    public static final int SYSEVENTS = 16;
    public static final int CONNEVENTS = 32;
    public static final int PROXYREQS = 64;
    public static final int PROXYEVENTS = 128;
    public static final int PROXYUSER = 256;

    /** memcached's WATCHER_LIMIT. */
    public static final int WATCHER_LIMIT = 20;
    /** memcached's LOGGER_WATCHER_BUF_SIZE: what a watcher may have queued before it skips lines. */
    public static final int WATCHER_BUF_SIZE = 256 * 1024;

    /** {@code item_get} statuses (memcached's was_found). */
    public static final int NOT_FOUND = 0;
    public static final int FOUND = 1;
    public static final int FLUSHED = 2;
    public static final int EXPIRED = 3;

    private static final String[] GET_STATUS = {"not_found", "found", "flushed", "expired"};
    private static final String[] STORE_STATUS = {"not_stored", "stored", "exists", "not_found", "too_large",
        "no_memory"};
    private static final byte[] OK = "OK\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Where a watcher's lines go: its connection. {@link #write} is called under the log's lock. */
    public interface Sink {
        /** Bytes that may still be queued before the client has read some. */
        long room();

        void write(byte[] line);
    }

    private static final class Watcher {
        final Sink sink;
        final int flags;
        final long minGid;
        long skipped;

        Watcher(Sink sink, int flags, long minGid) {
            this.sink = sink;
            this.flags = flags;
            this.minGid = minGid;
        }
    }

    private final Watcher[] watchers = new Watcher[WATCHER_LIMIT];
    private volatile int flags;
    private volatile int count;
    private final AtomicLong gid = new AtomicLong();
    private final LongAdder written = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder sent = new LongAdder();

    /** The flag of one {@code watch} option, or 0 when memcached does not know it. */
    public static int option(String name) {
        return switch (name) {
            case "rawcmds" -> RAWCMDS;
            case "evictions" -> EVICTIONS;
            case "fetchers" -> FETCHERS;
            case "mutations" -> MUTATIONS;
            case "sysevents" -> SYSEVENTS;
            case "connevents" -> CONNEVENTS;
            case "proxyreqs" -> PROXYREQS;
            case "proxyevents" -> PROXYEVENTS;
            case "proxyuser" -> PROXYUSER;
            default -> 0;
        };
    }

    /** True when some watcher wants events of {@code flag}: the one check on the request path. */
    public boolean wants(int flag) {
        return (flags & flag) != 0;
    }

    /**
     * Adds a watcher of the events in {@code flags}; its sink gets {@code OK} first and then every line logged
     * from now on. Returns a handle for {@link #remove}, or null when {@link #WATCHER_LIMIT} watch already.
     */
    public synchronized Object add(Sink sink, int flags) {
        for (int i = 0; i < WATCHER_LIMIT; i++) {
            if (watchers[i] == null) {
                Watcher w = new Watcher(sink, flags, gid.incrementAndGet());
                sink.write(OK);
                watchers[i] = w;
                count++;
                recomputeFlags();
                return w;
            }
        }
        return null;
    }

    /** The watcher's connection closed. */
    public synchronized void remove(Object handle) {
        for (int i = 0; i < WATCHER_LIMIT; i++) {
            if (watchers[i] == handle && handle != null) {
                watchers[i] = null;
                count--;
                recomputeFlags();
                return;
            }
        }
    }

    private void recomputeFlags() {
        int f = 0;
        for (Watcher w : watchers) {
            if (w != null) {
                f |= w.flags;
            }
        }
        flags = f;
    }

    // ------------------------------------------------------------------ events

    /** memcached's LOGGER_ITEM_GET; {@code size} is the value's length in bytes. */
    public void itemGet(long key, int nkey, int status, int clsid, int size, int cfd) {
        StringBuilder sb = new StringBuilder(96).append("type=item_get key=");
        KeyText.uriencode(key, nkey, sb);
        sb.append(" status=").append(GET_STATUS[status]).append(" clsid=").append(clsid).append(" cfd=").append(cfd)
                .append(" size=").append(size);
        emit(FETCHERS, sb);
    }

    /**
     * memcached's LOGGER_ITEM_STORE: {@code status} is the store result (not_stored ... no_memory), {@code
     * command} memcached's name of it (add, set, replace, append, prepend, cas), {@code ttl} the seconds left
     * (0 for none), printed unsigned as memcached prints it.
     */
    public void itemStore(long key, int nkey, int status, String command, long ttl, int clsid, int cfd, int size) {
        StringBuilder sb = new StringBuilder(112).append("type=item_store key=");
        KeyText.uriencode(key, nkey, sb);
        sb.append(" status=").append(STORE_STATUS[status]).append(" cmd=").append(command)
                .append(" ttl=").append(ttl & 0xffffffffL).append(" clsid=").append(clsid).append(" cfd=").append(cfd)
                .append(" size=").append(size);
        emit(MUTATIONS, sb);
    }

    /** memcached's LOGGER_EVICTION: {@code ttl} is -1 for an item without exptime, {@code la} seconds since access. */
    public void eviction(long key, int nkey, boolean fetched, long ttl, int la, int clsid, int size) {
        StringBuilder sb = new StringBuilder(112).append("type=eviction key=");
        KeyText.uriencode(key, nkey, sb);
        sb.append(" fetch=").append(fetched ? "yes" : "no").append(" ttl=").append(ttl).append(" la=").append(la)
                .append(" clsid=").append(clsid).append(" size=").append(size);
        emit(EVICTIONS, sb);
    }

    /** memcached's LOGGER_CONNECTION_NEW; {@code transport} is tcp, udp or local. */
    public void connNew(String rip, int rport, String transport, int cfd) {
        emit(CONNEVENTS, new StringBuilder(96).append("type=conn_new rip=").append(rip).append(" rport=").append(rport)
                .append(" transport=").append(transport).append(" cfd=").append(cfd));
    }

    /** memcached's LOGGER_CONNECTION_CLOSE; {@code reason} is normal, error, idle_timeout or shutdown. */
    public void connClose(String rip, int rport, String transport, String reason, int cfd) {
        emit(CONNEVENTS, new StringBuilder(112).append("type=conn_close rip=").append(rip).append(" rport=")
                .append(rport).append(" transport=").append(transport).append(" reason=").append(reason)
                .append(" cfd=").append(cfd));
    }

    /** memcached's LOGGER_SLAB_MOVE: a page left class {@code src} for {@code dst} (0: the global pool). */
    public void slabMove(int src, int dst) {
        emit(SYSEVENTS, new StringBuilder(40).append("type=slab_move src=").append(src).append(" dst=").append(dst));
    }

    private void emit(int flag, StringBuilder body) {
        if ((flags & flag) == 0) {
            return;
        }
        long g = gid.incrementAndGet();
        written.increment();
        Instant now = Instant.now();
        byte[] line = new StringBuilder(body.length() + 48).append("ts=").append(now.getEpochSecond()).append('.')
                .append(now.getNano() / 1000).append(" gid=").append(g).append(' ').append(body).append('\n')
                .toString().getBytes(StandardCharsets.ISO_8859_1);
        synchronized (this) {
            for (Watcher w : watchers) {
                if (w == null || (w.flags & flag) == 0 || g < w.minGid) {
                    continue;
                }
                // memcached asks for the line plus 128 bytes (room for a skipped= line) or skips it
                if (w.sink.room() < line.length + 128) {
                    w.skipped++;
                    skipped.increment();
                    continue;
                }
                if (w.skipped > 0) {
                    w.sink.write(("skipped=" + w.skipped + "\n").getBytes(StandardCharsets.US_ASCII));
                    w.skipped = 0;
                }
                w.sink.write(line);
                sent.increment();
            }
        }
    }

    // ------------------------------------------------------------------ stats

    /** {@code log_worker_dropped}: lines lost before a watcher saw them (memfleet has no worker buffers: 0). */
    public long workerDropped() {
        return 0;
    }

    /** {@code log_worker_written}: lines logged. */
    public long workerWritten() {
        return written.sum();
    }

    /** {@code log_watcher_skipped}: lines a slow watcher did not get. */
    public long watcherSkipped() {
        return skipped.sum();
    }

    /** {@code log_watcher_sent}: lines handed to watchers. */
    public long watcherSent() {
        return sent.sum();
    }

    /** {@code log_watchers}: watching connections now. */
    public int watchers() {
        return count;
    }
}
