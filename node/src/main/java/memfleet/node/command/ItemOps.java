package memfleet.node.command;

import java.util.concurrent.locks.ReentrantLock;

import memfleet.node.config.Settings;
import memfleet.node.stats.PrefixStats;
import memfleet.node.stats.ThreadStats;
import memfleet.node.store.Item;
import memfleet.node.store.ItemStore;
import memfleet.node.store.NativeMemory;
import memfleet.node.watch.WatchLog;

/**
 * The one place where a client's command reads or changes items, whatever protocol it came in: what
 * memcached's {@code items.c}/{@code thread.c} calls and the {@code process_*_command} bodies of
 * {@code proto_text.c} and {@code proto_bin.c} share. It hashes the key, takes the key's stripe lock,
 * works on the store, counts every per-thread stat memcached counts for the operation, records
 * {@code stats detail} when asked, and tells replication of each change (through the store, or here for
 * the changes the store cannot see: a vivified or invalidated item). The grammars (text, meta, binary)
 * only parse their requests and encode the results.
 *
 * <p>An operation that hands an item back for encoding ({@link #lookup}, {@link #store},
 * {@link #arithmetic}) leaves the key's stripe locked, which keeps the item from changing or going away
 * (memcached holds a reference instead); the caller encodes its reply and then ends the operation with
 * {@link #endFetch} or {@link #done}, in a {@code finally}. Nothing is allocated per operation: results
 * are small codes, with the details in this object's fields until the next operation. One per connection,
 * used by its event loop only.
 */
public final class ItemOps {
    /** {@link #endFetch} and {@link #allocate}/{@link #delete} options. */
    public static final int GET = 0;
    /** The fetch changes the item's exptime: counted as memcached counts gat/touch ({@code cmd_touch}). */
    public static final int TOUCH = 1;
    /** A hit does not bump the item in its LRU (meta {@code u}). */
    public static final int NO_BUMP = 2;
    /** Record the operation in {@code stats detail} (when detail is on). */
    public static final int DETAIL = 4;
    /** A refused allocation also unlinks the key's current item: stale data must not outlive a failed set. */
    public static final int UNLINK_ON_FAILURE = 8;
    /** {@link #endFetch}: the command failed after the lookup (a bad flag): nothing is counted or bumped. */
    public static final int FAILED = 256;
    /** {@link #delete}: the item must carry the given CAS. */
    public static final int CHECK_CAS = 16;
    /** {@link #delete}: a CAS mismatch counts as a {@code delete_misses} (meta md; binary does not count it). */
    public static final int MISMATCH_IS_MISS = 32;
    /** {@link #delete}: mark the item stale with a new CAS instead of removing it (meta md {@code I}). */
    public static final int INVALIDATE = 64;
    /** {@link #delete} with {@link #INVALIDATE}: also give it the new exptime (meta md {@code I T}). */
    public static final int NEW_EXPTIME = 128;

    /** {@link #delete} results. */
    public static final int DELETED = 0;
    public static final int DELETE_NOT_FOUND = 1;
    public static final int DELETE_EXISTS = 2;

    /** {@link #store}: the data block did not end in CRLF (text); nothing was stored. */
    public static final int BAD_DATA_CHUNK = -1;

    /** {@link #arithmetic} results beyond the store's {@code DELTA_*} codes. */
    public static final int DELTA_CREATED = 10;
    /** The counter to create could not be added (memcached answers NOT_STORED / NS). */
    public static final int DELTA_CREATE_NOT_STORED = 11;
    public static final int DELTA_CREATE_NO_MEMORY = 12;

    private final ItemStore store;
    private final ThreadStats stats;
    private final PrefixStats detail;
    private final Settings settings;
    private final byte[] digits = new byte[24];
    private final int[] delta = new int[3];
    /** What a store's look-up of the old item found, see {@link ItemStore#store(long, int, int, long, int[])}. */
    private final int[] lookup = new int[3];

    // the operation in progress
    private ReentrantLock held;
    private int hv;
    private long key;
    private int nkey;
    /** The data item to free when the operation ends (not stored, or copied by append/prepend). */
    private long toFree;
    /** What the operation left for the caller: the stored or changed item, its CAS, the digits' length. */
    private long current;
    private int digitsLength;
    /** The operation vivified (linked) this item, or retimed it: replication hears of it when it ends. */
    private long created;
    private long retimed;
    /** Why {@link #allocate} refused: {@link ItemStore#TOO_LARGE} or {@link ItemStore#NO_MEMORY}. */
    private int refusal;
    /** The last operation changed the store (for --min-acks: its reply waits for peers). */
    private boolean mutated;

    private final WatchLog watch;
    /** The connection's descriptor, as the watchers' lines name it ({@code cfd=}). */
    private final int fd;

    public ItemOps(ItemStore store, ThreadStats stats, PrefixStats detail, Settings settings, int fd) {
        this.store = store;
        this.stats = stats;
        this.detail = detail;
        this.settings = settings;
        this.watch = store.watchLog();
        this.fd = fd;
    }

    /**
     * memcached's {@code do_item_get} logs every look-up for {@code watch fetchers}: {@code found} (with the
     * item's class and value length), {@code not_found}, {@code expired} or {@code flushed}.
     */
    private void logGet(long key, int nkey, long it) {
        if (!watch.wants(WatchLog.FETCHERS)) {
            return;
        }
        if (it > 0) {
            logFound(key, nkey, Item.clsid(it), Item.nbytes(it));
        } else {
            logMiss(key, nkey, it);
        }
    }

    private void logFound(long key, int nkey, int clsid, int size) {
        if (watch.wants(WatchLog.FETCHERS)) {
            watch.itemGet(key, nkey, WatchLog.FOUND, clsid, size, fd);
        }
    }

    private void logMiss(long key, int nkey, long missCode) {
        if (watch.wants(WatchLog.FETCHERS)) {
            watch.itemGet(key, nkey, missCode == ItemStore.MISS_EXPIRED ? WatchLog.EXPIRED
                    : missCode == ItemStore.MISS_FLUSHED ? WatchLog.FLUSHED : WatchLog.NOT_FOUND, 0, 0, fd);
        }
    }

    /** memcached's {@code do_store_item} logs the outcome for {@code watch mutations} (append/prepend: the joined item). */
    private void logStore(long stored, int comm, int ret) {
        if (!watch.wants(WatchLog.MUTATIONS)) {
            return;
        }
        long it = ret == ItemStore.STORED && (comm == ItemStore.APPEND || comm == ItemStore.PREPEND)
                ? store.index().find(hv, key, nkey) : stored;
        int exp = Item.exptime(it);
        watch.itemStore(Item.key(it), Item.nkey(it), ret, switch (comm) {
            case ItemStore.ADD -> "add";
            case ItemStore.REPLACE -> "replace";
            case ItemStore.APPEND -> "append";
            case ItemStore.PREPEND -> "prepend";
            case ItemStore.CAS, ItemStore.CAS_OR_STALE -> "cas";
            default -> "set";
        }, exp != 0 ? exp - store.clock().now() : 0, Item.clsid(it), fd, Item.nbytes(it));
    }

    public ItemStore store() {
        return store;
    }

    public ThreadStats stats() {
        return stats;
    }

    /** True when an operation since the last call changed the store; clears the mark. */
    public boolean takeMutated() {
        boolean m = mutated;
        mutated = false;
        return m;
    }

    private void lock(long key, int nkey) {
        this.key = key;
        this.nkey = nkey;
        hv = store.hash(key, nkey);
        held = store.lock(hv);
        held.lock();
    }

    private void unlock() {
        ReentrantLock l = held;
        if (l != null) {
            held = null;
            l.unlock();
        }
    }

    /**
     * Ends the operation in progress: the stripe is unlocked and a data item nobody links any more is freed.
     * Safe to call when nothing is in progress.
     */
    public void done() {
        ship();
        unlock();
        if (toFree != 0) {
            long it = toFree;
            toFree = 0;
            store.freeChunks(it);
        }
    }

    // ------------------------------------------------------------------ fetch

    /**
     * memcached's {@code do_item_get} counts what its look-up finds expired or flushed, whoever asked: a miss
     * code of {@link ItemStore#get} ({@code MISS_EXPIRED}, {@code MISS_FLUSHED}) goes to {@code get_expired}
     * or {@code get_flushed}.
     */
    private void countExpiredOrFlushed(long missCode) {
        if (missCode == ItemStore.MISS_EXPIRED) {
            stats.getExpired++;
        } else if (missCode == ItemStore.MISS_FLUSHED) {
            stats.getFlushed++;
        }
    }

    /**
     * memcached's {@code item_get_locked}: the key's live item, or a miss code ({@link ItemStore#MISS},
     * {@code MISS_EXPIRED}, {@code MISS_FLUSHED}, counted in {@code get_expired}/{@code get_flushed}).
     * The key's stripe stays locked either way until {@link #endFetch} or {@link #done}.
     */
    public long lookup(long key, int nkey) {
        lock(key, nkey);
        long it = store.get(hv, key, nkey);
        countExpiredOrFlushed(it);
        logGet(key, nkey, it);
        return it;
    }

    /**
     * Meta {@code N} after a {@link #lookup} miss: an empty item is linked for the key (it gets a CAS), or 0
     * when memory is exhausted. Replication hears of it when the fetch ends, with the exptime set by then.
     */
    public long vivify() {
        long fresh = store.allocate(key, nkey, 0, 0, 0);
        if (fresh != 0) {
            store.link(fresh, hv);
            created = fresh;
            mutated = true;
        }
        return fresh;
    }

    /** A new exptime for the looked-up item (gat, touch, meta T and N): shipped when the fetch ends. */
    public void retime(long it, int exptime) {
        Item.exptime(it, exptime);
        retimed = it;
        mutated = true;
    }

    /** Replication hears of an item this operation vivified or retimed, with its exptime by now. */
    private void ship() {
        if (created != 0) {
            store.changed(created);
        } else if (retimed != 0) {
            store.touch(retimed, Item.exptime(retimed));
        }
        created = 0;
        retimed = 0;
    }

    /**
     * Ends a fetch begun with {@link #lookup}: replication hears of a vivified or retimed item, a hit is
     * bumped in its LRU (unless {@link #NO_BUMP}) and counted as memcached counts a get ({@code cmd_get},
     * {@code get_hits} by the LRU segment the item was in) or, with {@link #TOUCH}, a touch ({@code
     * cmd_touch}, {@code touch_hits}); a miss is counted as {@code get_misses} or {@code touch_misses}. With
     * {@link #DETAIL} the get is recorded per prefix; with {@link #FAILED} nothing is counted. The stripe is
     * unlocked.
     */
    public void endFetch(long it, int how) {
        ship();
        if ((how & FAILED) != 0) {
            unlock();
            return;
        }
        boolean touch = (how & TOUCH) != 0;
        if (it > 0) {
            int seg = Item.lru(it);
            if ((how & NO_BUMP) == 0) {
                store.bump(it, hv);
            }
            int clsid = Item.clsid(it);
            if (touch) {
                stats.touchCmds++;
                stats.slab(clsid, ThreadStats.TOUCH_HITS);
            } else {
                stats.getCmds++;
                stats.slab(clsid, ThreadStats.GET_HITS);
                stats.slab(clsid, ThreadStats.HITS_TO_HOT + seg);
            }
        } else if (touch) {
            stats.touchCmds++;
            stats.touchMisses++;
        } else {
            stats.getCmds++;
            stats.getMisses++;
        }
        unlock();
        if (it > 0 && stats.hotKeys.sampled()) { // outside the stripe lock: the key is the request's
            stats.hotKeys.record(key, nkey, store.clock().now());
        }
        if ((how & DETAIL) != 0 && settings.detailEnabled) {
            detail.recordGet(key, nkey, stats, it > 0);
        }
    }

    // ------------------------------------------------------------------ storage

    /**
     * A storage command's first half (memcached's {@code item_alloc} in {@code process_update_command}): an
     * unlinked item for {@code vlen} bytes of value, into which the protocol reads the data block, or 0 when
     * the item is refused — then {@link #refusal()} says why, {@code store_too_large} or {@code
     * store_no_memory} is counted, and with {@link #UNLINK_ON_FAILURE} the key's current item is deleted.
     * {@code exptime} is already on the server's clock.
     */
    public long allocate(long key, int nkey, int clientFlags, int exptime, long vlen, int how) {
        if ((how & DETAIL) != 0 && settings.detailEnabled) {
            detail.recordSet(key, nkey);
        }
        boolean tooLarge = vlen < 0 || vlen > Integer.MAX_VALUE - 2 || store.tooLarge(nkey, clientFlags, vlen);
        long it = tooLarge ? 0 : store.allocate(key, nkey, clientFlags, exptime, (int) vlen);
        if (it != 0) {
            return it;
        }
        if (tooLarge) {
            refusal = ItemStore.TOO_LARGE;
            stats.storeTooLarge++;
        } else {
            refusal = ItemStore.NO_MEMORY;
            stats.storeNoMemory++;
        }
        if (watch.wants(WatchLog.MUTATIONS)) {
            // memcached logs the refused store with what it knows: no item, so no class, ttl or size
            watch.itemStore(key, nkey, refusal, "set", 0, 0, fd, 0);
        }
        if ((how & UNLINK_ON_FAILURE) != 0) {
            lock(key, nkey);
            try {
                long old = store.get(hv, key, nkey);
                logGet(key, nkey, old);
                if (old > 0) {
                    store.delete(old, hv);
                    mutated = true;
                }
            } finally {
                unlock();
            }
        }
        return 0;
    }

    /** Why the last {@link #allocate} returned 0. */
    public int refusal() {
        return refusal;
    }

    /** Marks a newly allocated item's key as sent in base64 (meta {@code b}), so replies encode it back. */
    public void markBinaryKey(long it) {
        Item.setMeta(it, Item.META_KEY_BINARY);
    }

    /**
     * A storage command's second half (memcached's {@code complete_nread} and {@code store_item}): counts
     * {@code cmd_set}, then, if the data block was whole ({@code dataOk}), stores {@code it} by {@code comm}
     * ({@link ItemStore#SET} ... {@link ItemStore#CAS_OR_STALE}) and counts the CAS outcome. Returns the
     * store's result or {@link #BAD_DATA_CHUNK}. The stripe stays locked until {@link #done}, which also frees
     * {@code it} if it is not the key's item now; until then {@link #current()} is the key's item after a
     * STORED (the joined one for append/prepend) or {@code it}.
     */
    public int store(long it, int comm, long cas, boolean dataOk) {
        int clsid = Item.clsid(it);
        stats.slab(clsid, ThreadStats.SET_CMDS);
        current = it;
        if (!dataOk) {
            toFree = it;
            return BAD_DATA_CHUNK;
        }
        lock(Item.key(it), Item.nkey(it));
        int ret = store.store(it, comm, hv, cas, lookup);
        // memcached's do_store_item looks the old item up with do_item_get, which counts what it finds expired
        countExpiredOrFlushed(lookup[0]);
        if (lookup[0] == 0) {
            logFound(key, nkey, lookup[1], lookup[2]);
        } else {
            logMiss(key, nkey, lookup[0]);
        }
        logStore(it, comm, ret);
        if (ret == ItemStore.STORED) {
            mutated = true;
            if (comm == ItemStore.APPEND || comm == ItemStore.PREPEND) {
                current = store.index().find(hv, key, nkey);
                toFree = it;
            }
        } else {
            toFree = it;
        }
        if (comm == ItemStore.CAS || comm == ItemStore.CAS_OR_STALE) {
            if (ret == ItemStore.STORED) {
                stats.slab(clsid, ThreadStats.CAS_HITS);
            } else if (ret == ItemStore.EXISTS) {
                stats.slab(clsid, ThreadStats.CAS_BADVAL);
            } else if (ret == ItemStore.NOT_FOUND) {
                stats.casMisses++;
            }
        }
        return ret;
    }

    /** The item the last {@link #store} or {@link #arithmetic} left (valid until {@link #done}). */
    public long current() {
        return current;
    }

    /** A refused or abandoned data item (the connection went away mid-block): freed. */
    public void discard(long it) {
        if (it != 0) {
            store.freeChunks(it);
        }
    }

    // ------------------------------------------------------------------ delete

    /**
     * memcached's delete commands: the key's item is removed (counted in {@code delete_hits}, shipped as a
     * delete), or with {@link #INVALIDATE} marked stale with a new CAS (and {@code exptime} with {@link
     * #NEW_EXPTIME}); with {@link #CHECK_CAS} only if it carries {@code cas}. A miss counts {@code
     * delete_misses}. Returns {@link #DELETED}, {@link #DELETE_NOT_FOUND} or {@link #DELETE_EXISTS}. Complete:
     * holds no lock afterwards.
     */
    public int delete(long key, int nkey, long cas, int exptime, int how) {
        if ((how & DETAIL) != 0 && settings.detailEnabled) {
            detail.recordDelete(key, nkey);
        }
        lock(key, nkey);
        try {
            long it = store.get(hv, key, nkey);
            logGet(key, nkey, it);
            if (it <= 0) {
                countExpiredOrFlushed(it);
                stats.deleteMisses++;
                return DELETE_NOT_FOUND;
            }
            if ((how & CHECK_CAS) != 0 && Item.cas(it) != cas) {
                if ((how & MISMATCH_IS_MISS) != 0) {
                    stats.deleteMisses++;
                }
                return DELETE_EXISTS;
            }
            mutated = true;
            if ((how & INVALIDATE) != 0) {
                if ((how & NEW_EXPTIME) != 0) {
                    Item.exptime(it, exptime);
                }
                Item.setMeta(it, Item.META_STALE);
                Item.clearMeta(it, Item.META_TOKEN_SENT);
                Item.cas(it, store.nextCas());
                store.changed(it);
                return DELETED;
            }
            stats.slab(Item.clsid(it), ThreadStats.DELETE_HITS);
            store.delete(it, hv);
            return DELETED;
        } finally {
            unlock();
        }
    }

    // ------------------------------------------------------------------ touch

    /**
     * The text {@code touch} command: a new exptime for the key's item, counted as a touch. Returns whether
     * the key had an item. Complete.
     */
    public boolean touch(long key, int nkey, int exptime) {
        long it = lookup(key, nkey);
        if (it > 0) {
            retime(it, exptime);
        }
        endFetch(it, TOUCH);
        return it > 0;
    }

    // ------------------------------------------------------------------ incr / decr

    /**
     * memcached's {@code do_add_delta} with the stripe held: adds {@code delta} to (or subtracts it from) the
     * key's numeric value, first checking {@code cas} unless it is 0. On {@link ItemStore#DELTA_OK} the new
     * value's decimal digits are {@link #digits()} ({@link #digitsLength()} of them) and {@link #current()}
     * is the item, counted in {@code incr_hits}/{@code decr_hits}. A missing key is created holding {@code
     * initial} (no delta applied) when {@code create} is set ({@link #DELTA_CREATED}, or {@link
     * #DELTA_CREATE_NOT_STORED}/{@link #DELTA_CREATE_NO_MEMORY}), else counted as a miss ({@link
     * ItemStore#DELTA_NOT_FOUND}). Other results: {@code DELTA_NON_NUMERIC}, {@code DELTA_EOM}, {@code
     * DELTA_CAS_MISMATCH}. The stripe stays locked until {@link #done}.
     */
    public int arithmetic(long key, int nkey, boolean incr, long delta, long cas, boolean create, long initial,
            int exptime) {
        lock(key, nkey);
        current = 0;
        int rc = store.addDelta(hv, key, nkey, incr, delta, cas, digits, this.delta);
        switch (rc) {
            case ItemStore.DELTA_OK -> {
                mutated = true;
                digitsLength = this.delta[0];
                stats.slab(this.delta[2], incr ? ThreadStats.INCR_HITS : ThreadStats.DECR_HITS);
                current = store.index().find(hv, key, nkey);
                logGet(key, nkey, current);
                return rc;
            }
            case ItemStore.DELTA_NOT_FOUND -> {
                logMiss(key, nkey, this.delta[2]);
                // memcached's do_item_get counts an expired or flushed item for incr/decr too, created or not
                countExpiredOrFlushed(this.delta[2]);
                if (create) {
                    return createCounter(initial, exptime);
                }
                if (incr) {
                    stats.incrMisses++;
                } else {
                    stats.decrMisses++;
                }
                return rc;
            }
            default -> {
                logGet(key, nkey, store.index().find(hv, key, nkey));
                return rc;
            }
        }
    }

    private int createCounter(long initial, int exptime) {
        digitsLength = ItemStore.writeDigits(initial, digits);
        long fresh = store.allocate(key, nkey, 0, exptime, digitsLength);
        if (fresh == 0) {
            return DELTA_CREATE_NO_MEMORY;
        }
        NativeMemory.copyFromArray(digits, 0, store.valueAddress(fresh, 0), digitsLength);
        if (store.store(fresh, ItemStore.ADD, hv, 0) != ItemStore.STORED) {
            toFree = fresh;
            return DELTA_CREATE_NOT_STORED;
        }
        mutated = true;
        current = fresh;
        return DELTA_CREATED;
    }

    /** The digits of the last {@link #arithmetic} result (also of a created counter's initial value). */
    public byte[] digits() {
        return digits;
    }

    public int digitsLength() {
        return digitsLength;
    }

    /** The last arithmetic result as a number (the binary protocol answers it as 8 bytes). */
    public long digitsValue() {
        long v = 0;
        for (int i = 0; i < digitsLength; i++) {
            v = v * 10 + (digits[i] - '0');
        }
        return v;
    }

    // ------------------------------------------------------------------ flush_all

    /**
     * {@code flush_all [delay]}: everything stored before the moment becomes invalid, shipped to peers;
     * counted in {@code cmd_flush}. False, and nothing changed (but counted), when {@code -F} disables it.
     * The binary protocol checks {@link #flushEnabled()} first: it counts no refused flush.
     */
    public boolean flushAll(int delay) {
        stats.flushCmds++;
        if (!settings.flushEnabled) {
            return false;
        }
        store.flushAll(delay);
        mutated = true;
        return true;
    }

    /** A text flush_all refused for its arguments: memcached has counted it already. */
    public void refusedFlush() {
        stats.flushCmds++;
    }

    public boolean flushEnabled() {
        return settings.flushEnabled;
    }
}
