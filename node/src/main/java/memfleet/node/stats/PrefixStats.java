package memfleet.node.stats;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLongArray;

import memfleet.node.store.NativeMemory;

/**
 * memcached's per-prefix statistics ({@code stats detail on|off|dump}, {@code -D}): gets, hits, sets and
 * deletes counted per key prefix, the prefix being what precedes the delimiter. Only recorded while
 * detail is on, as in memcached; the cost (a map lookup per command) is paid only then.
 */
public final class PrefixStats {
    private static final int GETS = 0;
    private static final int HITS = 1;
    private static final int SETS = 2;
    private static final int DELETES = 3;

    private final byte delimiter;
    private final Map<String, AtomicLongArray> prefixes = new ConcurrentSkipListMap<>();

    public PrefixStats(char delimiter) {
        this.delimiter = (byte) delimiter;
    }

    private AtomicLongArray counters(long key, int nkey) {
        int end = -1;
        for (int i = 0; i < nkey; i++) {
            if (NativeMemory.getByte(key + i) == delimiter) {
                end = i;
                break;
            }
        }
        if (end < 0) {
            return null; // memcached counts only keys that have a prefix
        }
        byte[] bytes = new byte[end];
        NativeMemory.copyToArray(key, bytes, 0, end);
        return prefixes.computeIfAbsent(new String(bytes, StandardCharsets.ISO_8859_1), p -> new AtomicLongArray(4));
    }

    public void recordGet(long key, int nkey, ThreadStats unused, boolean hit) {
        AtomicLongArray c = counters(key, nkey);
        if (c != null) {
            c.incrementAndGet(GETS);
            if (hit) {
                c.incrementAndGet(HITS);
            }
        }
    }

    public void recordSet(long key, int nkey) {
        AtomicLongArray c = counters(key, nkey);
        if (c != null) {
            c.incrementAndGet(SETS);
        }
    }

    public void recordDelete(long key, int nkey) {
        AtomicLongArray c = counters(key, nkey);
        if (c != null) {
            c.incrementAndGet(DELETES);
        }
    }

    /** memcached's {@code stats_prefix_dump}: "PREFIX p get g hit h set s del d" lines then END. */
    public String dump() {
        StringBuilder sb = new StringBuilder();
        prefixes.forEach((p, c) -> sb.append("PREFIX ").append(p).append(" get ").append(c.get(GETS))
                .append(" hit ").append(c.get(HITS)).append(" set ").append(c.get(SETS))
                .append(" del ").append(c.get(DELETES)).append("\r\n"));
        return sb.append("END\r\n").toString();
    }

    public void clear() {
        prefixes.clear();
    }
}
