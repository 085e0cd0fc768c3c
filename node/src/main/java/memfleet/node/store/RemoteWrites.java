package memfleet.node.store;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes that came from peers, applied last-writer-wins: a peer's value replaces the local one only when
 * its version (CAS) is higher, and never resurrects a key deleted or flushed by a newer operation. These
 * writes are not reported to the {@link MutationLog}: each node ships only what its own clients changed.
 * Also the two whole-store walks replication needs: a snapshot for a full copy and a content digest.
 */
public final class RemoteWrites {
    /** Results of {@link #set}. */
    public static final int APPLIED = 0;
    public static final int STALE = 1;
    public static final int NO_MEMORY = 2;
    public static final int TOO_LARGE = 3;
    /** Stale because this node deleted the key later: see {@link #deletedAt}. */
    public static final int TOMBSTONED = 4;

    private final ItemStore store;
    public RemoteWrites(ItemStore store) {
        this.store = store;
    }

    /**
     * A peer's value for a key, {@code nbytes} at native address {@code value}, with a local relative
     * {@code exptime}. Returns {@link #APPLIED}, or why not.
     */
    public int set(long key, int nkey, int flags, int exptime, long version, long value, int nbytes) {
        if (store.tooLarge(nkey, flags, nbytes)) {
            return TOO_LARGE;
        }
        if (version < store.oldestCas()) {
            return STALE; // a newer flush_all covers it
        }
        long it = store.allocate(key, nkey, flags, exptime, nbytes);
        if (it == 0) {
            return NO_MEMORY;
        }
        store.writeValue(it, 0, value, nbytes);
        int hv = store.hash(key, nkey);
        ReentrantLock lock = store.lock(hv);
        lock.lock();
        try {
            store.casClock().observe(version);
            long old = store.get(hv, key, nkey);
            if (old > 0 && Item.cas(old) >= version) {
                store.freeChunks(it);
                return STALE;
            }
            if (store.tombstones.deletedAt(hv, key, nkey) > version) {
                store.freeChunks(it);
                return old > 0 ? STALE : TOMBSTONED;
            }
            if (old > 0) {
                store.unlink(old, hv);
            }
            store.link(it, hv, version);
            return APPLIED;
        } finally {
            lock.unlock();
        }
    }

    /** A peer's delete: removes the key unless the local value is newer. */
    public boolean delete(long key, int nkey, long version) {
        int hv = store.hash(key, nkey);
        ReentrantLock lock = store.lock(hv);
        lock.lock();
        try {
            store.casClock().observe(version);
            store.tombstones.put(hv, key, nkey, version);
            long old = store.get(hv, key, nkey);
            boolean removed = old > 0 && Item.cas(old) <= version;
            if (removed) {
                store.unlink(old, hv);
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    /** The version of this node's last remembered delete of the key, or 0. */
    public long deletedAt(long key, int nkey) {
        int hv = store.hash(key, nkey);
        ReentrantLock lock = store.lock(hv);
        lock.lock();
        try {
            return store.tombstones.deletedAt(hv, key, nkey);
        } finally {
            lock.unlock();
        }
    }

    /** A peer's touch or gat: the new exptime, if this node holds the same version of the item. */
    public boolean touch(long key, int nkey, int exptime, long version) {
        int hv = store.hash(key, nkey);
        ReentrantLock lock = store.lock(hv);
        lock.lock();
        try {
            long old = store.get(hv, key, nkey);
            if (old > 0 && Item.cas(old) == version) {
                Item.exptime(old, exptime);
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** A peer's flush_all: at local relative time {@code at} (memcached's delayed flush), or now by version. */
    public void flush(int at, long version) {
        store.casClock().observe(version);
        if (at > store.clock().now()) {
            store.flushAll(at - store.clock().now(), false);
        } else {
            store.flushBefore(version);
        }
    }

    /** The number of bucket groups a walk started now covers. */
    public int groups() {
        return store.index().size();
    }

    /**
     * Visits the live items of one bucket group (see {@link ItemIndex#visitGroup}) under its stripe lock:
     * the visitor copies what it needs and must not block.
     */
    public void visitGroup(int group, int groups, ItemStore.ItemVisitor visitor) {
        ReentrantLock lock = store.index().lock(group);
        lock.lock();
        try {
            store.index().visitGroup(group, groups, it -> store.isExpired(it) || visitor.visit(it));
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code stats digest}: the number of live items and the sum of a fingerprint of each one's key, value,
     * flags and CAS, so two nodes holding the same versions of the same items give the same pair
     * whatever order their items are in.
     */
    public long[] digest() {
        long[] perRange = rangeDigests(ItemIndex.STRIPES);
        long[] acc = new long[2];
        for (int r = 0; r < ItemIndex.STRIPES; r++) {
            acc[0] += perRange[2 * r];
            acc[1] += perRange[2 * r + 1];
        }
        return acc;
    }

    /**
     * The {@link #digest} of each of {@code ranges} key ranges (a power of two from 1 to {@link
     * ItemIndex#STRIPES}; an item's range is its hash modulo {@code ranges}): {@code {items, sum}} of range
     * r at {@code [2r, 2r + 1]}. One walk over the index; each range's buckets under their stripe lock.
     */
    public long[] rangeDigests(int ranges) {
        long[] acc = new long[2 * ranges];
        Fingerprint.Stream value = new Fingerprint.Stream();
        int groups = ItemIndex.STRIPES;
        for (int g = 0; g < groups; g++) {
            int at = 2 * (g & (ranges - 1));
            visitGroup(g, groups, it -> {
                acc[at]++;
                acc[at + 1] += fingerprint(it, value);
                return true;
            });
        }
        return acc;
    }

    /** Visits the live items of key range {@code range} of {@code ranges} (as {@link #rangeDigests}). */
    public void visitRange(int range, int ranges, ItemStore.ItemVisitor visitor) {
        for (int g = range; g < ItemIndex.STRIPES; g += ranges) {
            visitGroup(g, ItemIndex.STRIPES, visitor);
        }
    }

    private long fingerprint(long it, Fingerprint.Stream value) {
        long h = Fingerprint.of(Item.key(it), Item.nkey(it), Item.cas(it));
        value.reset(h);
        int nbytes = Item.nbytes(it);
        for (long off = 0; off < nbytes; ) {
            long run = store.contiguousFrom(it, off);
            value.update(store.valueAddress(it, off), run);
            off += run;
        }
        return Fingerprint.mix(value.finish() ^ (Item.clientFlags(it) & 0xFFFF_FFFFL));
    }
}
