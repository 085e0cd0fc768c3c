package memfleet.node.stats;

import memfleet.node.store.SlabAllocator;

/**
 * memcached's {@code thread_stats}: the counters of one worker thread, written only by that thread with
 * plain stores (no lock on the request path) and summed by whoever runs {@code stats}.
 */
public final class ThreadStats {
    public long getCmds;
    public long getMisses;
    public long getExpired;
    public long getFlushed;
    public long touchCmds;
    public long touchMisses;
    public long deleteMisses;
    public long incrMisses;
    public long decrMisses;
    public long casMisses;
    public long metaCmds;
    public long bytesRead;
    public long bytesWritten;
    public long flushCmds;
    public long connYields;
    public long authCmds;
    public long authErrors;
    public long idleKicks;
    public long storeTooLarge;
    public long storeNoMemory;
    /** A get's reply needed more response objects than {@code -o read_buf_mem_limit} leaves. */
    public long responseObjOom;

    /** Per slab class: memcached's {@code slab_stats}. */
    public static final int SET_CMDS = 0;
    public static final int GET_HITS = 1;
    public static final int TOUCH_HITS = 2;
    public static final int DELETE_HITS = 3;
    public static final int CAS_HITS = 4;
    public static final int CAS_BADVAL = 5;
    public static final int INCR_HITS = 6;
    public static final int DECR_HITS = 7;
    /** Hits by the LRU segment the item was in: memcached's {@code lru_hits} (hot, warm, cold, temp). */
    public static final int HITS_TO_HOT = 8;
    public static final int SLAB_FIELDS = 12;

    public final long[] slab = new long[SlabAllocator.MAX_CLASSES * SLAB_FIELDS];
    /** This thread's sample of the keys it hits ({@code stats hotkeys}). */
    public final HotKeys hotKeys;

    public ThreadStats() {
        this(0);
    }

    /** Counters for one worker thread that samples one hit in every {@code hotKeySample} (0: none). */
    public ThreadStats(int hotKeySample) {
        this.hotKeys = new HotKeys(hotKeySample);
    }

    public void slab(int clsid, int field) {
        slab[clsid * SLAB_FIELDS + field]++;
    }

    public long slabCount(int clsid, int field) {
        return slab[clsid * SLAB_FIELDS + field];
    }

    /** memcached's {@code stats reset} for this thread. */
    public void reset() {
        getCmds = getMisses = getExpired = getFlushed = 0;
        touchCmds = touchMisses = deleteMisses = incrMisses = decrMisses = casMisses = metaCmds = 0;
        bytesRead = bytesWritten = flushCmds = connYields = authCmds = authErrors = idleKicks = 0;
        storeTooLarge = storeNoMemory = responseObjOom = 0;
        java.util.Arrays.fill(slab, 0);
        hotKeys.reset();
    }
}
