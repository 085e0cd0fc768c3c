package memfleet.node.store;

import java.util.concurrent.locks.ReentrantLock;

import memfleet.node.config.Settings;

/**
 * The store's operations as memcached's {@code items.c} and {@code do_store_item} define them: allocate
 * (evicting from the COLD tail when a class is full), link, replace, unlink, lazy expiry and flush on
 * access, CAS, append/prepend, incr/decr, touch, and the LRU tail puller shared by allocation, the
 * maintainer and the crawler. Callers hash the key, take {@link #lock(int)} and call the locked methods.
 */
public final class ItemStore {
    /** Result codes of {@link #store}: memcached's {@code store_item_type}. */
    public static final int NOT_STORED = 0;
    public static final int STORED = 1;
    public static final int EXISTS = 2;
    public static final int NOT_FOUND = 3;
    public static final int TOO_LARGE = 4;
    public static final int NO_MEMORY = 5;

    /** Storage commands (memcached's NREAD_*). */
    public static final int SET = 1;
    public static final int ADD = 2;
    public static final int REPLACE = 3;
    public static final int APPEND = 4;
    public static final int PREPEND = 5;
    public static final int CAS = 6;
    /** Meta set with C and I: a CAS store that, when the given CAS is older, stores the value as stale. */
    public static final int CAS_OR_STALE = 7;

    /** {@link #get} misses: the item was absent, expired or flushed (negative, unlike addresses). */
    public static final long MISS = -1;
    public static final long MISS_EXPIRED = -2;
    public static final long MISS_FLUSHED = -3;

    /** {@link #pullTail} flags. */
    public static final int PULL_EVICT = 1;

    /** incr/decr results. */
    public static final int DELTA_OK = 0;
    public static final int DELTA_NON_NUMERIC = 1;
    public static final int DELTA_EOM = 2;
    public static final int DELTA_NOT_FOUND = 3;
    /** The binary protocol's incr/decr carried a CAS that is not the item's. */
    public static final int DELTA_CAS_MISMATCH = 4;

    private final Settings settings;
    private final SlabAllocator slabs;
    private final ItemIndex index;
    private final SegmentedLru lru;
    private final ItemClock clock;
    private final StoreStats stats = new StoreStats();
    private volatile CasClock casClock = CasClock.counter();
    private volatile int oldestLive;
    private volatile long oldestCas;
    private volatile MutationLog log;

    /** The watchers' log ({@code watch}): evictions are logged here, fetches and stores by the command layer. */
    private final memfleet.node.watch.WatchLog watchLog = new memfleet.node.watch.WatchLog();

    public memfleet.node.watch.WatchLog watchLog() {
        return watchLog;
    }

    public ItemStore(Settings settings) {
        this.settings = settings;
        this.slabs = new SlabAllocator(settings.maxBytes, settings.slabPageSize, settings.slabChunkSizeMax,
                settings.chunkSize, settings.factor, settings.largePages);
        slabs.countMalloced(settings.initialMalloced);
        this.index = new ItemIndex(slabs, settings.hashpowerInit, settings.hashExpand);
        this.lru = new SegmentedLru(slabs);
        this.clock = new ItemClock();
    }

    public SlabAllocator slabs() {
        return slabs;
    }

    public ItemIndex index() {
        return index;
    }

    public SegmentedLru lru() {
        return lru;
    }

    public ItemClock clock() {
        return clock;
    }

    public StoreStats stats() {
        return stats;
    }

    public Settings settings() {
        return settings;
    }

    public int hash(long key, int nkey) {
        return Murmur3.hash(key, nkey);
    }

    public ReentrantLock lock(int hv) {
        return index.lock(hv);
    }

    public long nextCas() {
        return settings.useCas ? casClock.next() : 0;
    }

    public long currentCas() {
        return casClock.current();
    }

    public CasClock casClock() {
        return casClock;
    }

    /** Replication: CAS values become group-wide versions and client changes are reported to {@code log}. */
    public void replicate(CasClock clock, MutationLog log) {
        this.casClock = clock;
        this.log = log;
    }

    // ------------------------------------------------------------------ lookup

    /**
     * memcached's {@code do_item_get} under the stripe lock: the live item, or a MISS code. Expired and
     * flushed items found here are unlinked on the spot.
     */
    public long get(int hv, long key, int nkey) {
        long it = index.find(hv, key, nkey);
        if (it == 0) {
            return MISS;
        }
        if (isFlushed(it)) {
            unlink(it, hv);
            return MISS_FLUSHED;
        }
        int exp = Item.exptime(it);
        if (exp != 0 && exp <= clock.now()) {
            unlink(it, hv);
            return MISS_EXPIRED;
        }
        return it;
    }

    public boolean isFlushed(long it) {
        int oldest = oldestLive;
        if (oldest == 0 || oldest > clock.now()) {
            return false;
        }
        long oc = oldestCas;
        long cas = Item.cas(it);
        return Item.time(it) <= oldest || (oc != 0 && cas != 0 && cas < oc);
    }

    public boolean isExpired(long it) {
        int exp = Item.exptime(it);
        return (exp != 0 && exp <= clock.now()) || isFlushed(it);
    }

    /**
     * memcached's {@code do_item_bump} for a hit, under the stripe lock, without any LRU lock: the first
     * fetch marks the item FETCHED, the next ACTIVE (and refreshes its time outside COLD). An item that
     * becomes ACTIVE in COLD is queued for the maintainer, which moves it back to WARM (memcached's
     * asynchronous bump, {@link #drainBumps}); if the queue is full it gets that second chance when it reaches
     * the COLD tail. A hit never waits for a list lock. Returns the item's LRU segment.
     */
    public int bump(long it, int hv) {
        int flags = Item.iflags(it);
        int seg = Item.lru(it);
        if ((flags & Item.ACTIVE) != 0) {
            return seg;
        }
        if ((flags & Item.FETCHED) == 0) {
            Item.iflags(it, flags | Item.FETCHED);
            return seg;
        }
        Item.iflags(it, flags | Item.ACTIVE);
        if (seg != SegmentedLru.COLD) {
            Item.time(it, clock.now());
        } else if (settings.lruSegmented && settings.lruMaintainer) {
            // memcached's lru_bump_async: the maintainer moves it back to WARM soon (when the queue is full,
            // the COLD tail does)
            bumps.get().offer(it, hv);
        }
        return seg;
    }

    /** Every worker's {@link BumpQueue}, for the maintainer to drain. */
    private final java.util.List<BumpQueue> bumpQueues = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ThreadLocal<BumpQueue> bumps = ThreadLocal.withInitial(() -> {
        BumpQueue q = new BumpQueue();
        bumpQueues.add(q);
        return q;
    });
    private final BumpQueue.Mover toWarm = this::bumpToWarm;

    /**
     * The maintainer's {@code lru_maintainer_bumps}: every item a worker queued is moved from COLD to the
     * head of WARM (time refreshed, ACTIVE cleared, {@code moves_to_warm} counted), if it is still the item
     * linked for its key and still ACTIVE in COLD. Returns how many moved.
     */
    public int drainBumps() {
        int moved = 0;
        for (BumpQueue q : bumpQueues) {
            moved += q.drain(toWarm);
        }
        return moved;
    }

    private boolean bumpToWarm(long it, int hv) {
        ReentrantLock stripe = index.lock(hv);
        stripe.lock();
        try {
            // the chunk may hold another item by now: it must hash to hv (so this stripe guards it) and be
            // the index's item for its key
            int nkey = Item.nkey(it);
            if (nkey <= 0 || nkey > 250 || hash(Item.key(it), nkey) != hv || index.find(hv, Item.key(it), nkey) != it) {
                return false;
            }
            if (Item.lru(it) != SegmentedLru.COLD || !Item.has(it, Item.ACTIVE)) {
                return false;
            }
            int clsid = Item.clsid(it);
            int cold = SegmentedLru.index(clsid, SegmentedLru.COLD);
            long total = totalOf(it);
            ReentrantLock l = lru.lock(cold);
            l.lock();
            try {
                if (Item.lru(it) != SegmentedLru.COLD) {
                    return false;
                }
                lru.unlink(it, cold, total);
            } finally {
                l.unlock();
            }
            Item.clear(it, Item.ACTIVE);
            Item.time(it, clock.now());
            stats.add(clsid, StoreStats.MOVES_TO_WARM, 1);
            linkLru(it, SegmentedLru.index(clsid, SegmentedLru.WARM), total);
            return true;
        } finally {
            stripe.unlock();
        }
    }

    /** memcached's {@code do_item_update}: refreshes the access time of a linked item (add on a hit). */
    public void touchTime(long it) {
        Item.time(it, clock.now());
    }

    // ------------------------------------------------------------------ allocation

    /**
     * The item size memcached would compute for this item ({@code item_make_header} + data + CRLF):
     * used only for the "too large" decision so that the limit sits exactly where memcached's does.
     */
    public boolean tooLarge(int nkey, int clientFlags, long nbytes) {
        long memcachedTotal = 48 + nkey + 1 + nbytes + 2 + (settings.useCas ? 8 : 0) + (clientFlags != 0 ? 4 : 0);
        return memcachedTotal > settings.itemSizeMax;
    }

    /**
     * memcached's {@code do_item_alloc}: an unlinked item with header and key written and room for
     * {@code nbytes} of value, or 0 when memory is exhausted. Holds no lock on entry.
     */
    public long allocate(long key, int nkey, int clientFlags, int exptime, int nbytes) {
        long total = Item.total(nkey, nbytes);
        long it;
        if (total <= slabs.chunkMax()) {
            int clsid = slabs.classFor(total);
            it = allocChunk(clsid, (int) total);
            if (it == 0) {
                return 0;
            }
            Item.clsid(it, clsid);
            Item.iflags(it, 0);
        } else {
            it = allocChunked(nkey, nbytes);
            if (it == 0) {
                return 0;
            }
        }
        Item.nkey(it, nkey);
        Item.nbytes(it, nbytes);
        Item.clientFlags(it, clientFlags);
        Item.exptime(it, exptime);
        Item.time(it, clock.now());
        Item.cas(it, 0);
        Item.hnext(it, 0);
        Item.prev(it, 0);
        Item.next(it, 0);
        Item.resetLru(it);
        NativeMemory.copy(key, Item.key(it), nkey);
        return it;
    }

    private long allocChunked(int nkey, int nbytes) {
        int largest = slabs.largest();
        int chunkMax = slabs.chunkMax();
        long head = allocChunk(largest, chunkMax);
        if (head == 0) {
            return 0;
        }
        Item.clsid(head, largest);
        Item.iflags(head, Item.CHUNKED);
        Item.nkey(head, nkey);
        long remaining = (long) nbytes - (chunkMax - Item.HEADER - nkey - 4);
        long prev = 0;
        while (remaining > 0) {
            long want = remaining + Item.CONT_DATA;
            int clsid = want >= chunkMax ? largest : slabs.classFor(want);
            int size = (int) Math.min(want, chunkMax);
            long chunk = allocChunk(clsid, size);
            if (chunk == 0) {
                Item.nbytes(head, 0);
                if (prev == 0) {
                    NativeMemory.putInt(head + Item.KEY + nkey, 0);
                }
                freeChunks(head);
                return 0;
            }
            Item.iflags(chunk, Item.CONTINUATION);
            Item.clsid(chunk, clsid);
            NativeMemory.putInt(chunk + Item.CONT_HEAD, slabs.ref(head));
            NativeMemory.putInt(chunk, 0);
            if (prev == 0) {
                NativeMemory.putInt(head + Item.KEY + nkey, slabs.ref(chunk));
            } else {
                NativeMemory.putInt(prev, slabs.ref(chunk));
            }
            prev = chunk;
            remaining -= size - Item.CONT_DATA;
        }
        if (prev == 0) {
            NativeMemory.putInt(head + Item.KEY + nkey, 0);
        }
        return head;
    }

    /** Items in the lists an allocation evicts from or pulls down: HOT, WARM and COLD (not TEMP). */
    private long evictable(int clsid) {
        return lru.size(SegmentedLru.index(clsid, SegmentedLru.HOT))
                + lru.size(SegmentedLru.index(clsid, SegmentedLru.WARM))
                + lru.size(SegmentedLru.index(clsid, SegmentedLru.COLD));
    }

    /** How long an allocation keeps trying when every tail item's stripe is held by another thread. */
    private static final long LOCKED_TAIL_WAIT_NANOS = 20_000_000;

    private long allocChunk(int clsid, int size) {
        long lockedSince = 0;
        for (int i = 0; i < 10; i++) {
            if (!settings.lruSegmented) {
                // memcached's flat LRU: reclaim an expired item at the tail first, so its memory is reused
                pullTail(clsid, SegmentedLru.COLD, 0, 0);
            }
            long chunk = slabs.alloc(clsid, size);
            if (chunk != 0) {
                return chunk;
            }
            if (pullTail(clsid, SegmentedLru.COLD, 0, PULL_EVICT) <= 0) {
                if (pullTail(clsid, SegmentedLru.HOT, 0, 0) <= 0 && pullTail(clsid, SegmentedLru.WARM, 0, 0) <= 0) {
                    if (!settings.evictToFree || evictable(clsid) == 0) {
                        break;
                    }
                    // every tail item was under a stripe someone holds: the maintainer takes all of them for a
                    // moment when the index starts or ends doubling (memcached pauses its workers instead), or
                    // other threads are working on those items. Let them run, and do not count this try, rather
                    // than answer "out of memory" while the class holds items that could be evicted.
                    long now = System.nanoTime();
                    if (lockedSince == 0) {
                        lockedSince = now;
                    }
                    if (now - lockedSince < LOCKED_TAIL_WAIT_NANOS) {
                        if (now - lockedSince < 100_000) {
                            Thread.yield();
                        } else {
                            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                        }
                        i--;
                    }
                }
            }
        }
        return 0;
    }

    /** Bytes the item occupies in its chunks (what {@code bytes} and the LRU byte counts add up). */
    /** memcached's {@code ITEM_ntotal} for this item: what memcached would report as its size. */
    public long memcachedTotal(long it) {
        return 48 + Item.nkey(it) + 1 + Item.nbytes(it) + 2 + (settings.useCas ? 8 : 0)
                + (Item.clientFlags(it) != 0 ? 4 : 0);
    }

    /** Tells replication that {@code it} changed in place (meta: vivified, invalidated). */
    public void changed(long it) {
        logStored(it);
    }

    public long totalOf(long it) {
        return Item.total(Item.nkey(it), Item.nbytes(it)) + (Item.has(it, Item.CHUNKED) ? 4 : 0);
    }

    /** Frees every chunk of an item that is not linked. */
    public void freeChunks(long it) {
        if (Item.has(it, Item.CHUNKED)) {
            int ref = Item.firstContinuation(it);
            while (ref != 0) {
                long chunk = slabs.address(ref);
                int next = NativeMemory.getInt(chunk);
                int clsid = Item.clsid(chunk);
                slabs.free(chunk, clsid, slabs.chunkSize(clsid));
                ref = next;
            }
            slabs.free(it, Item.clsid(it), slabs.chunkMax());
        } else {
            slabs.free(it, Item.clsid(it), (int) totalOf(it));
        }
    }

    // ------------------------------------------------------------------ value bytes

    /** Address of the value byte at {@code offset}. */
    public long valueAddress(long it, long offset) {
        if (!Item.has(it, Item.CHUNKED)) {
            return Item.data(it) + offset;
        }
        long headCap = slabs.chunkMax() - Item.HEADER - Item.nkey(it) - 4;
        if (offset < headCap) {
            return Item.data(it) + offset;
        }
        long pos = headCap;
        int ref = Item.firstContinuation(it);
        while (true) {
            long chunk = slabs.address(ref);
            long cap = slabs.chunkSize(Item.clsid(chunk)) - Item.CONT_DATA;
            if (offset < pos + cap) {
                return chunk + Item.CONT_DATA + (offset - pos);
            }
            pos += cap;
            ref = NativeMemory.getInt(chunk);
        }
    }

    /** How many value bytes from {@code offset} are contiguous in memory (to the end of its chunk). */
    public long contiguousFrom(long it, long offset) {
        long nbytes = Item.nbytes(it);
        if (!Item.has(it, Item.CHUNKED)) {
            return nbytes - offset;
        }
        long headCap = slabs.chunkMax() - Item.HEADER - Item.nkey(it) - 4;
        if (offset < headCap) {
            return Math.min(headCap, nbytes) - offset;
        }
        long pos = headCap;
        int ref = Item.firstContinuation(it);
        while (true) {
            long chunk = slabs.address(ref);
            long cap = slabs.chunkSize(Item.clsid(chunk)) - Item.CONT_DATA;
            if (offset < pos + cap) {
                return Math.min(pos + cap, nbytes) - offset;
            }
            pos += cap;
            ref = NativeMemory.getInt(chunk);
        }
    }

    /** Copies {@code length} bytes from native {@code src} into the value of {@code it} at {@code offset}. */
    public void writeValue(long it, long offset, long src, long length) {
        while (length > 0) {
            long run = Math.min(contiguousFrom(it, offset), length);
            NativeMemory.copy(src, valueAddress(it, offset), run);
            src += run;
            offset += run;
            length -= run;
        }
    }

    private void copyValue(long from, long to, long toOffset) {
        long n = Item.nbytes(from);
        long off = 0;
        while (off < n) {
            long run = contiguousFrom(from, off);
            writeValue(to, toOffset + off, valueAddress(from, off), run);
            off += run;
        }
    }

    // ------------------------------------------------------------------ link / unlink

    /** memcached's {@code do_item_link} under the stripe lock. */
    public void link(long it, int hv) {
        link(it, hv, nextCas());
    }

    /** {@link #link(long, int)} with a given CAS: a version that came from a peer. */
    void link(long it, int hv, long cas) {
        Item.set(it, Item.LINKED);
        Item.time(it, clock.now());
        Item.cas(it, cas);
        index.insert(hv, it);
        int clsid = Item.clsid(it);
        int seg = settings.lruSegmented ? SegmentedLru.HOT : SegmentedLru.COLD;
        if (settings.tempLru && settings.lruSegmented) {
            int exp = Item.exptime(it);
            if (exp != 0 && exp - clock.now() < settings.temporaryTtl) {
                seg = SegmentedLru.TEMP;
            }
        }
        linkLru(it, SegmentedLru.index(clsid, seg), totalOf(it));
        stats.add(clsid, StoreStats.TOTAL_ITEMS, 1);
    }

    private void linkLru(long it, int lruIndex, long total) {
        ReentrantLock l = lru.lock(lruIndex);
        l.lock();
        try {
            lru.linkHead(it, lruIndex, total);
        } finally {
            l.unlock();
        }
    }

    /** memcached's {@code do_item_unlink} under the stripe lock: out of the index and LRU, then freed. */
    public void unlink(long it, int hv) {
        if (!Item.has(it, Item.LINKED)) {
            return;
        }
        index.remove(hv, it);
        int lruIndex = SegmentedLru.index(Item.clsid(it), Item.lru(it));
        ReentrantLock l = lru.lock(lruIndex);
        l.lock();
        try {
            lru.unlink(it, lruIndex, totalOf(it));
        } finally {
            l.unlock();
        }
        Item.clear(it, Item.LINKED);
        freeChunks(it);
    }

    /** Unlink while already holding the item's LRU lock (tail pulling). */
    private void unlinkHoldingLru(long it, int hv, int lruIndex) {
        index.remove(hv, it);
        lru.unlink(it, lruIndex, totalOf(it));
        Item.clear(it, Item.LINKED);
        freeChunks(it);
    }

    /** memcached's {@code do_item_replace} under the stripe lock. */
    public void replace(long old, long it, int hv) {
        unlink(old, hv);
        link(it, hv);
    }

    // ------------------------------------------------------------------ commands

    /**
     * memcached's {@code do_store_item} under the stripe lock: stores {@code it} (unlinked, value filled)
     * by command {@code comm}. The caller frees {@code it} when the result is not STORED; append and
     * prepend store a new item and leave {@code it} to the caller as well.
     */
    public int store(long it, int comm, int hv, long casIn) {
        return store(it, comm, hv, casIn, null);
    }

    /**
     * {@link #store(long, int, int, long)} that also tells, in {@code lookup[0]}, what the look-up of the key's
     * old item found when there was none to store over: {@link #MISS}, {@link #MISS_EXPIRED} or {@link
     * #MISS_FLUSHED} (memcached counts the last two in {@code get_expired}/{@code get_flushed} for stores too),
     * or 0 when an old item was live.
     */
    public int store(long it, int comm, int hv, long casIn, int[] lookup) {
        int ret = doStore(it, comm, hv, casIn, lookup);
        MutationLog l = log;
        if (ret == STORED && l != null) {
            // append and prepend link a new item: the key's current value is the one to ship
            l.stored(comm == APPEND || comm == PREPEND ? index.find(hv, Item.key(it), Item.nkey(it)) : it);
        }
        return ret;
    }

    private int doStore(long it, int comm, int hv, long casIn, int[] lookup) {
        long old = get(hv, Item.key(it), Item.nkey(it));
        if (lookup != null) {
            lookup[0] = old > 0 ? 0 : (int) old;
            if (lookup.length > 2) { // what the watchers' item_get line says of the old item
                lookup[1] = old > 0 ? Item.clsid(old) : 0;
                lookup[2] = old > 0 ? Item.nbytes(old) : 0;
            }
        }
        if (old > 0) {
            long oldCas = Item.cas(old);
            boolean casMatch = casIn != 0 && casIn == oldCas;
            switch (comm) {
                case ADD:
                    touchTime(old);
                    return NOT_STORED;
                case CAS:
                case CAS_OR_STALE:
                    if (casMatch) {
                        replace(old, it, hv);
                        return STORED;
                    }
                    if (comm == CAS_OR_STALE && casIn != 0 && Long.compareUnsigned(casIn, oldCas) < 0) {
                        // memcached's set_stale: the older value is kept as stale, with the current TTL
                        Item.exptime(it, Item.exptime(old));
                        Item.setMeta(it, Item.META_STALE);
                        if (Item.hasMeta(old, Item.META_TOKEN_SENT)) {
                            Item.setMeta(it, Item.META_TOKEN_SENT);
                        }
                        replace(old, it, hv);
                        return STORED;
                    }
                    return EXISTS;
                case APPEND:
                case PREPEND:
                    if (casIn != 0 && !casMatch) {
                        return EXISTS;
                    }
                    long joined = join(old, it, comm == APPEND);
                    if (joined == 0) {
                        return NOT_STORED;
                    }
                    replace(old, joined, hv);
                    return STORED;
                default: // SET, REPLACE
                    replace(old, it, hv);
                    return STORED;
            }
        }
        switch (comm) {
            case ADD:
            case SET:
                link(it, hv);
                return STORED;
            case CAS:
            case CAS_OR_STALE:
                return NOT_FOUND;
            default:
                return NOT_STORED;
        }
    }

    /** New item holding old's value with it's appended or prepended; old's flags and exptime. */
    private long join(long old, long it, boolean append) {
        int oldLen = Item.nbytes(old);
        int addLen = Item.nbytes(it);
        if (tooLarge(Item.nkey(old), Item.clientFlags(old), (long) oldLen + addLen)) {
            return 0; // memcached: NOT_STORED when the joined item would pass the size limit
        }
        long joined = allocate(Item.key(old), Item.nkey(old), Item.clientFlags(old), Item.exptime(old), oldLen + addLen);
        if (joined == 0) {
            return 0;
        }
        long first = append ? old : it;
        long second = append ? it : old;
        int firstLen = append ? oldLen : addLen;
        copyValue(first, joined, 0);
        copyValue(second, joined, firstLen);
        return joined;
    }

    /**
     * memcached's {@code do_add_delta} under the stripe lock. On success the new value's digits are in
     * {@code digits} and their count in {@code result[0]}, the item's class in {@code result[2]}; when they fit,
     * the value is rewritten in place and padded with spaces as memcached does, else a new item replaces the old
     * one. On {@link #DELTA_NOT_FOUND} {@code result[2]} holds the miss code of {@link #get} ({@link #MISS},
     * {@link #MISS_EXPIRED} or {@link #MISS_FLUSHED}), so the caller can count it as memcached does.
     */
    public int addDelta(int hv, long key, int nkey, boolean incr, long delta, byte[] digits, int[] result) {
        return addDelta(hv, key, nkey, incr, delta, 0, digits, result);
    }

    /**
     * {@link #addDelta(int, long, int, boolean, long, byte[], int[])} that first checks the item's CAS against
     * {@code casIn} unless it is 0 ({@link #DELTA_CAS_MISMATCH}), as the binary protocol's incr/decr does.
     */
    public int addDelta(int hv, long key, int nkey, boolean incr, long delta, long casIn, byte[] digits, int[] result) {
        long it = get(hv, key, nkey);
        if (it <= 0) {
            result[2] = (int) it;
            return DELTA_NOT_FOUND;
        }
        int nbytes = Item.nbytes(it);
        result[2] = Item.clsid(it);
        if (nbytes == 0 || Item.has(it, Item.CHUNKED)) {
            return DELTA_NON_NUMERIC;
        }
        if (casIn != 0 && Item.cas(it) != casIn) {
            return DELTA_CAS_MISMATCH;
        }
        long data = Item.data(it);
        long value = parseStoredNumber(data, nbytes, result);
        if (result[1] == 0) {
            return DELTA_NON_NUMERIC;
        }
        if (incr) {
            value += delta;
        } else {
            value = Long.compareUnsigned(delta, value) > 0 ? 0 : value - delta;
        }
        int len = writeDigits(value, digits);
        result[0] = len;
        if (len <= nbytes) {
            Item.cas(it, nextCas());
            NativeMemory.copyFromArray(digits, 0, data, len);
            if (nbytes > len) {
                NativeMemory.fill(data + len, nbytes - len, (byte) ' ');
            }
            touchTime(it);
            logStored(it);
            return DELTA_OK;
        }
        long fresh = allocate(key, nkey, Item.clientFlags(it), Item.exptime(it), len);
        if (fresh == 0) {
            return DELTA_EOM;
        }
        NativeMemory.copyFromArray(digits, 0, Item.data(fresh), len);
        replace(it, fresh, hv);
        logStored(fresh);
        return DELTA_OK;
    }

    /**
     * safe_strtoull over a stored value, which memcached sees followed by its CRLF: the digits must be
     * followed by whitespace or the end. Sets {@code ok[1]} to 1 on success.
     */
    private static long parseStoredNumber(long data, int n, int[] ok) {
        ok[1] = 0;
        int i = 0;
        while (i < n && isSpace(NativeMemory.getByte(data + i))) {
            i++;
        }
        boolean neg = false;
        if (i < n && (NativeMemory.getByte(data + i) == '-' || NativeMemory.getByte(data + i) == '+')) {
            neg = NativeMemory.getByte(data + i) == '-';
            i++;
        }
        int digitsStart = i;
        long v = 0;
        while (i < n) {
            int c = NativeMemory.getByte(data + i);
            if (c < '0' || c > '9') {
                break;
            }
            int d = c - '0';
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
                return 0; // ERANGE
            }
            v = v * 10 + d;
            i++;
        }
        if (i == digitsStart || (i < n && NativeMemory.getByte(data + i) != 0 && !isSpace(NativeMemory.getByte(data + i)))) {
            return 0; // strtoull stops at a NUL or whitespace; anything else after the digits is junk
        }
        if (neg) {
            v = -v;
        }
        if (v < 0) {
            // memcached's safe_strtoull: a value of 2^63 or more is refused when strchr finds a '-' in the
            // string, which it reads up to the first NUL (past the digits); we stop at the value's end
            for (int k = 0; k < n; k++) {
                byte b = NativeMemory.getByte(data + k);
                if (b == 0) {
                    break;
                }
                if (b == '-') {
                    return 0;
                }
            }
        }
        ok[1] = 1;
        return v;
    }

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
    }

    /** Writes {@code value} as unsigned decimal digits into {@code out} (memcached's counter text); returns how many. */
    public static int writeDigits(long value, byte[] out) {
        int len = 1;
        for (long v = Long.divideUnsigned(value, 10); v != 0; v = Long.divideUnsigned(v, 10)) {
            len++;
        }
        long v = value;
        for (int i = len - 1; i >= 0; i--) {
            long q = Long.divideUnsigned(v, 10);
            out[i] = (byte) ('0' + (v - q * 10));
            v = q;
        }
        return len;
    }

    private void logStored(long it) {
        MutationLog l = log;
        if (l != null) {
            l.stored(it);
        }
    }

    /** memcached's {@code item_touch} semantics under the stripe lock: new exptime and a bump. */
    public void touch(long it, int exptime) {
        Item.exptime(it, exptime);
        MutationLog l = log;
        if (l != null) {
            l.touched(it);
        }
    }

    /** A client's delete under the stripe lock: {@link #unlink}, reported to replication. */
    public void delete(long it, int hv) {
        MutationLog l = log;
        if (l != null) {
            long version = nextCas();
            l.deleted(Item.key(it), Item.nkey(it), version);
            tombstones.put(hv, Item.key(it), Item.nkey(it), version);
        }
        unlink(it, hv);
    }

    /** memcached's {@code flush_all [delay]}: everything older than the moment becomes invalid. */
    public void flushAll(int delay) {
        flushAll(delay, true);
    }

    void flushAll(int delay, boolean report) {
        int newOldest = delay > 0 ? clock.realtime(delay) : clock.now();
        long version = 0;
        if (settings.useCas) {
            oldestLive = newOldest - 1;
            version = casClock.next();
            if (oldestLive <= clock.now()) {
                raiseOldestCas(version);
            }
        } else {
            oldestLive = newOldest;
        }
        MutationLog l = log;
        if (report && l != null) {
            l.flushed(delay > 0 ? newOldest : 0, version);
        }
    }

    /** A peer's flush_all: items older than {@code version} are invalid from now on, by version alone. */
    boolean flushBefore(long version) {
        boolean raised = raiseOldestCas(version);
        if (oldestLive == 0) {
            oldestLive = 1; // enables memcached's check; no item was accessed at relative time 1
        }
        return raised;
    }

    public long oldestCas() {
        return oldestCas;
    }

    final Tombstones tombstones = new Tombstones();

    private synchronized boolean raiseOldestCas(long version) {
        if (version > oldestCas) {
            oldestCas = version;
            return true;
        }
        return false;
    }

    public int oldestLive() {
        return oldestLive;
    }

    // ------------------------------------------------------------------ LRU policy

    /**
     * memcached's {@code lru_pull_tail}: looks at up to five items from the tail of one list. Expired or
     * flushed ones are reclaimed; in COLD with PULL_EVICT the tail item is evicted (unless -M); in HOT and
     * WARM over-limit or old items move to COLD and ACTIVE ones to WARM. Returns how many items it removed
     * or moved. Item locks are only tried, never waited for, since the list lock is held.
     */
    public int pullTail(int clsid, int seg, long totalBytes, int flags) {
        int lruIndex = SegmentedLru.index(clsid, seg);
        ReentrantLock listLock = lru.lock(lruIndex);
        int removed = 0;
        long moveIt = 0;
        int moveTo = -1;
        ReentrantLock heldStripe = null;
        listLock.lock();
        try {
            long search = lru.tail(lruIndex);
            for (int tries = 5; tries > 0 && search != 0; tries--) {
                long next = lru.prevOf(search);
                if (Item.nkey(search) == 0) { // a crawler's marker
                    search = next;
                    tries++;
                    continue;
                }
                int hv = Murmur3.hash(Item.key(search), Item.nkey(search));
                ReentrantLock stripe = index.lock(hv);
                if (stripe.isHeldByCurrentThread() || !stripe.tryLock()) {
                    // memcached skips an item whose lock it cannot take without counting it; its
                    // lrutail_reflocked counts items still referenced by a connection, which the node never
                    // leaves behind (values are copied out under the lock), so it stays 0 as on an idle memcached
                    search = next;
                    continue;
                }
                if (isExpired(search)) {
                    stats.add(clsid, StoreStats.RECLAIMED, 1);
                    if (!Item.has(search, Item.FETCHED)) {
                        stats.add(clsid, StoreStats.EXPIRED_UNFETCHED, 1);
                    }
                    unlinkHoldingLru(search, hv, lruIndex);
                    stripe.unlock();
                    removed++;
                    search = next;
                    continue;
                }
                int iflags = Item.iflags(search);
                switch (seg) {
                    case SegmentedLru.HOT:
                    case SegmentedLru.WARM: {
                        long limit = totalBytes * (seg == SegmentedLru.HOT ? settings.hotLruPct : settings.warmLruPct) / 100;
                        if ((iflags & Item.ACTIVE) != 0) {
                            Item.clear(search, Item.ACTIVE);
                            removed++;
                            if (seg == SegmentedLru.WARM) {
                                stats.add(clsid, StoreStats.MOVES_WITHIN_LRU, 1);
                                long total = totalOf(search);
                                lru.unlink(search, lruIndex, total);
                                lru.linkHead(search, lruIndex, total);
                                stripe.unlock();
                            } else {
                                stats.add(clsid, StoreStats.MOVES_TO_WARM, 1);
                                moveIt = search;
                                moveTo = SegmentedLru.WARM;
                                heldStripe = stripe;
                            }
                        } else if (lru.bytes(lruIndex) > limit || tooOld(search, clsid, seg)) {
                            stats.add(clsid, StoreStats.MOVES_TO_COLD, 1);
                            moveIt = search;
                            moveTo = SegmentedLru.COLD;
                            heldStripe = stripe;
                            removed++;
                        } else {
                            stripe.unlock();
                        }
                        tries = 0;
                        break;
                    }
                    case SegmentedLru.COLD:
                        if ((iflags & Item.ACTIVE) != 0 && settings.lruSegmented) {
                            // hit while in COLD: back to WARM rather than out (see bump)
                            Item.clear(search, Item.ACTIVE);
                            Item.time(search, clock.now());
                            stats.add(clsid, StoreStats.MOVES_TO_WARM, 1);
                            moveIt = search;
                            moveTo = SegmentedLru.WARM;
                            heldStripe = stripe;
                            removed++;
                        } else if ((flags & PULL_EVICT) != 0) {
                            if (!settings.evictToFree) {
                                stats.add(clsid, StoreStats.OUTOFMEMORY, 1);
                                stripe.unlock();
                            } else {
                                stats.add(clsid, StoreStats.EVICTED, 1);
                                if (watchLog.wants(memfleet.node.watch.WatchLog.EVICTIONS)) {
                                    int exp = Item.exptime(search);
                                    watchLog.eviction(Item.key(search), Item.nkey(search),
                                            (iflags & Item.FETCHED) != 0, exp > 0 ? exp - clock.now() : -1,
                                            clock.now() - Item.time(search), clsid, Item.nbytes(search));
                                }
                                stats.set(clsid, StoreStats.EVICTED_TIME, clock.now() - Item.time(search));
                                if (Item.exptime(search) != 0) {
                                    stats.add(clsid, StoreStats.EVICTED_NONZERO, 1);
                                }
                                if ((iflags & Item.FETCHED) == 0) {
                                    stats.add(clsid, StoreStats.EVICTED_UNFETCHED, 1);
                                }
                                if ((iflags & Item.ACTIVE) != 0) {
                                    stats.add(clsid, StoreStats.EVICTED_ACTIVE, 1);
                                }
                                unlinkHoldingLru(search, hv, lruIndex);
                                stripe.unlock();
                                removed++;
                                if (settings.slabAutomove == 2) {
                                    evictionHook.evicted(clsid);
                                }
                            }
                        } else {
                            stripe.unlock();
                        }
                        tries = 0;
                        break;
                    default: // TEMP: only expiry reclaims, handled above
                        stripe.unlock();
                        tries = 0;
                        break;
                }
            }
            if (moveIt != 0) {
                lru.unlink(moveIt, lruIndex, totalOf(moveIt));
            }
        } finally {
            listLock.unlock();
        }
        if (moveIt != 0) {
            linkLru(moveIt, SegmentedLru.index(clsid, moveTo), totalOf(moveIt));
            heldStripe.unlock();
        }
        return removed;
    }

    private boolean tooOld(long it, int clsid, int seg) {
        long coldTail = lru.tail(SegmentedLru.index(clsid, SegmentedLru.COLD));
        if (coldTail == 0) {
            return false;
        }
        int coldAge = clock.now() - Item.time(coldTail);
        double factor = seg == SegmentedLru.HOT ? settings.hotMaxFactor : settings.warmMaxFactor;
        int age = clock.now() - Item.time(it);
        return age > coldAge * factor;
    }

    /** Bytes of items linked in every list of a class (memcached's per-class {@code sizes_bytes}). */
    public long classBytes(int clsid) {
        long sum = 0;
        for (int s = 0; s < SegmentedLru.SEGMENTS; s++) {
            sum += lru.bytes(SegmentedLru.index(clsid, s));
        }
        return sum;
    }

    public long classItems(int clsid) {
        long sum = 0;
        for (int s = 0; s < SegmentedLru.SEGMENTS; s++) {
            sum += lru.size(SegmentedLru.index(clsid, s));
        }
        return sum;
    }

    public long currItems() {
        long sum = 0;
        for (int c = 1; c <= slabs.largest(); c++) {
            sum += classItems(c);
        }
        return sum;
    }

    public long currBytes() {
        long sum = 0;
        for (int c = 1; c <= slabs.largest(); c++) {
            sum += classBytes(c);
        }
        return sum;
    }

    /**
     * Visits the live items of one list from head to tail under the list's lock, skipping crawler markers
     * and items that are expired or flushed; stops when {@code visitor} returns false.
     */
    public void walk(int clsid, int seg, ItemVisitor visitor) {
        int lruIndex = SegmentedLru.index(clsid, seg);
        ReentrantLock l = lru.lock(lruIndex);
        l.lock();
        try {
            for (long it = lru.head(lruIndex); it != 0; it = lru.nextOf(it)) {
                if (Item.nkey(it) == 0 || isExpired(it)) {
                    continue;
                }
                if (!visitor.visit(it)) {
                    return;
                }
            }
        } finally {
            l.unlock();
        }
    }

    /** Receives items from {@link #walk}. */
    @FunctionalInterface
    public interface ItemVisitor {
        boolean visit(long it);
    }

    /** Item counts by total size rounded up to {@code bucket} bytes ({@code stats sizes}). */
    public java.util.TreeMap<Long, Long> sizeHistogram(int bucket) {
        java.util.TreeMap<Long, Long> h = new java.util.TreeMap<>();
        for (int c = 1; c <= slabs.largest(); c++) {
            for (int s = 0; s < SegmentedLru.SEGMENTS; s++) {
                walk(c, s, it -> {
                    long size = (totalOf(it) + bucket - 1) / bucket * bucket;
                    h.merge(size, 1L, Long::sum);
                    return true;
                });
            }
        }
        return h;
    }

    /**
     * {@code stats cachedump}: every live item of the class across all four lists (memcached 1.6 shows
     * only part of one), {@code limit} 0 meaning all, output capped at 2 MB as memcached caps it.
     */
    public String cachedump(int clsid, int limit) {
        final int cap = 2 * 1024 * 1024;
        StringBuilder sb = new StringBuilder();
        int[] shown = {0};
        byte[] key = new byte[256];
        for (int s = 0; s < SegmentedLru.SEGMENTS; s++) {
            walk(clsid, s, it -> {
                if (limit != 0 && shown[0] >= limit) {
                    return false;
                }
                int nkey = Item.nkey(it);
                NativeMemory.copyToArray(Item.key(it), key, 0, nkey);
                int exp = Item.exptime(it);
                String line = "ITEM " + new String(key, 0, nkey, java.nio.charset.StandardCharsets.ISO_8859_1)
                        + " [" + Item.nbytes(it) + " b; " + (exp == 0 ? 0 : exp + clock.processStarted()) + " s]\r\n";
                if (sb.length() + line.length() > cap - 5) {
                    return false;
                }
                sb.append(line);
                shown[0]++;
                return true;
            });
        }
        return sb.append("END\r\n").toString();
    }

    /** Told about every eviction when {@code slab_automove=2}. */
    @FunctionalInterface
    public interface EvictionHook {
        void evicted(int clsid);
    }

    private volatile EvictionHook evictionHook = clsid -> { };

    public void onEviction(EvictionHook hook) {
        this.evictionHook = hook;
    }
}
