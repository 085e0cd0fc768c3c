package memfleet.node.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Per slab class counters of the store (memcached's {@code itemstats_t}): evictions, reclaims, LRU
 * moves. Updated atomically from whichever thread does the work; read by {@code stats items}.
 */
public final class StoreStats {
    public static final int EVICTED = 0;
    public static final int EVICTED_NONZERO = 1;
    public static final int EVICTED_TIME = 2;
    public static final int OUTOFMEMORY = 3;
    public static final int TAILREPAIRS = 4;
    public static final int RECLAIMED = 5;
    public static final int EXPIRED_UNFETCHED = 6;
    public static final int EVICTED_UNFETCHED = 7;
    public static final int EVICTED_ACTIVE = 8;
    public static final int CRAWLER_RECLAIMED = 9;
    public static final int CRAWLER_ITEMS_CHECKED = 10;
    public static final int LRUTAIL_REFLOCKED = 11;
    public static final int MOVES_TO_COLD = 12;
    public static final int MOVES_TO_WARM = 13;
    public static final int MOVES_WITHIN_LRU = 14;
    public static final int DIRECT_RECLAIMS = 15;
    public static final int TOTAL_ITEMS = 16;
    private static final int FIELDS = 17;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] counters = new long[SlabAllocator.MAX_CLASSES * FIELDS];

    public void add(int clsid, int field, long delta) {
        LONGS.getAndAdd(counters, clsid * FIELDS + field, delta);
    }

    public void set(int clsid, int field, long value) {
        LONGS.setOpaque(counters, clsid * FIELDS + field, value);
    }

    public long get(int clsid, int field) {
        return (long) LONGS.getOpaque(counters, clsid * FIELDS + field);
    }

    /** Sum over all classes. */
    public long total(int field) {
        long sum = 0;
        for (int c = 0; c < SlabAllocator.MAX_CLASSES; c++) {
            sum += get(c, field);
        }
        return sum;
    }

    /** memcached's {@code stats reset} for the store's counters (items stay counted). */
    public void reset() {
        for (int c = 0; c < SlabAllocator.MAX_CLASSES; c++) {
            for (int f = 0; f < FIELDS; f++) {
                set(c, f, 0);
            }
        }
    }
}
