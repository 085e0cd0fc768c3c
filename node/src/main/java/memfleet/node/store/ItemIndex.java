package memfleet.node.store;

import java.util.concurrent.locks.ReentrantLock;

/**
 * memcached's {@code assoc.c} plus its item locks: a power-of-two table of bucket heads (32-bit refs in
 * native memory, so the JVM heap does not grow with the item count) chained through each item's
 * {@link Item#HNEXT}, guarded by a fixed set of striped locks. A bucket always falls under one stripe because
 * the table is never smaller than the stripe count.
 *
 * <p>The table doubles when items exceed 1.5 per bucket, incrementally as memcached's assoc maintenance thread
 * does it: {@link #startExpansion} swaps in the doubled table under every stripe (a moment: nothing is moved),
 * then {@link #migrate} moves the old buckets over one at a time, each under its own stripe, while requests go
 * on. A lookup goes to the old table while its bucket has not moved yet ({@code hv & oldMask >= expandBucket}),
 * else to the new one; the bucket's stripe covers both of its new buckets, and {@code expandBucket} only passes
 * a bucket under that bucket's stripe, so a request holding its stripe always sees one consistent place. (A
 * table of millions of items rehashed at once would stop every request for a second or more.)
 */
public final class ItemIndex {
    /** Number of stripes: memcached's item_lock_hashpower of 12. */
    public static final int STRIPES = 1 << 12;

    private final SlabAllocator slabs;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final boolean expandable;
    private volatile long table;
    private volatile int mask;
    private volatile int hashPower;
    private volatile boolean expanding;
    /** While expanding: the table being emptied, its mask, and the first of its buckets not moved yet. */
    private volatile long oldTable;
    private volatile int oldMask;
    private volatile int expandBucket;

    public ItemIndex(SlabAllocator slabs, int hashPowerInit, boolean expandable) {
        this.slabs = slabs;
        this.expandable = expandable;
        this.hashPower = Math.max(hashPowerInit == 0 ? 16 : hashPowerInit, 12);
        this.table = memfleet.node.os.Libc.mmapAnonymous(4L << hashPower);
        this.mask = (1 << hashPower) - 1;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** The stripe lock for hash value {@code hv}: memcached's {@code item_lock(hv)}. */
    public ReentrantLock lock(int hv) {
        return stripes[hv & (STRIPES - 1)];
    }

    public int hashPower() {
        return hashPower;
    }

    public long hashBytes() {
        return (mask + 1L) * Integer.BYTES;
    }

    private long bucket(int hv) {
        if (expanding) {
            int old = hv & oldMask;
            if (old >= expandBucket) {
                return oldTable + ((long) old << 2);
            }
        }
        return table + ((long) (hv & mask) << 2);
    }

    public boolean expanding() {
        return expanding;
    }

    /** Under the stripe lock: the linked item with this key, or 0. */
    public long find(int hv, long key, int nkey) {
        int ref = NativeMemory.getInt(bucket(hv));
        while (ref != 0) {
            long it = slabs.address(ref);
            if (Item.keyEquals(it, key, nkey)) {
                return it;
            }
            ref = Item.hnext(it);
        }
        return 0;
    }

    /** Under the stripe lock: puts {@code it} at the head of its bucket. */
    public void insert(int hv, long it) {
        long b = bucket(hv);
        Item.hnext(it, NativeMemory.getInt(b));
        NativeMemory.putInt(b, slabs.ref(it));
    }

    /** Under the stripe lock: takes {@code it} out of its bucket. */
    public void remove(int hv, long it) {
        long b = bucket(hv);
        int target = slabs.ref(it);
        int ref = NativeMemory.getInt(b);
        if (ref == target) {
            NativeMemory.putInt(b, Item.hnext(it));
            return;
        }
        while (ref != 0) {
            long cur = slabs.address(ref);
            int next = Item.hnext(cur);
            if (next == target) {
                Item.hnext(cur, Item.hnext(it));
                return;
            }
            ref = next;
        }
    }

    /** True when the table should double for {@code items} linked items. */
    public boolean wantsExpansion(long items) {
        return expandable && !expanding && hashPower < 31 && items > ((mask + 1L) * 3) / 2;
    }

    /**
     * Swaps in a table twice the size, empty, with every bucket still to be moved ({@link #migrate}). Takes every
     * stripe for that moment only. Called by the LRU maintainer, never on a request path.
     */
    public void startExpansion() {
        long grown = memfleet.node.os.Libc.mmapAnonymous((mask + 1L) * 8);
        lockAll();
        try {
            oldTable = table;
            oldMask = mask;
            expandBucket = 0;
            table = grown;
            mask = mask * 2 + 1;
            hashPower++;
            expanding = true;
        } finally {
            unlockAll();
        }
    }

    /**
     * Moves up to {@code buckets} old buckets into the new table, each under its stripe, and ends the expansion
     * after the last one. Returns true while buckets remain.
     */
    public boolean migrate(int buckets) {
        if (!expanding) {
            return false;
        }
        long oldSize = oldMask + 1L;
        for (int n = 0; n < buckets && expandBucket < oldSize; n++) {
            int b = expandBucket;
            ReentrantLock l = stripes[b & (STRIPES - 1)];
            l.lock();
            try {
                long head = oldTable + ((long) b << 2);
                int ref = NativeMemory.getInt(head);
                while (ref != 0) {
                    long it = slabs.address(ref);
                    int next = Item.hnext(it);
                    long nb = table + ((long) (Murmur3.hash(Item.key(it), Item.nkey(it)) & mask) << 2);
                    Item.hnext(it, NativeMemory.getInt(nb));
                    NativeMemory.putInt(nb, ref);
                    ref = next;
                }
                NativeMemory.putInt(head, 0);
                expandBucket = b + 1;
            } finally {
                l.unlock();
            }
        }
        if (expandBucket < oldSize) {
            return true;
        }
        long old;
        lockAll();
        try {
            old = oldTable;
            expanding = false;
            oldTable = 0;
        } finally {
            unlockAll();
        }
        memfleet.node.os.Libc.munmap(old, oldSize * 4);
        return false;
    }

    /**
     * Before a bulk load into an empty index (a full copy from a peer that says how many items it holds):
     * starts at the size that {@code items} would grow it to, so the load walks no long chains and
     * migrates no buckets. Does nothing when the index holds anything or is not allowed to grow.
     */
    public void presize(long items) {
        if (!expandable || items <= (mask + 1L) * 3 / 2) {
            return;
        }
        int power = hashPower;
        while (power < 31 && items > (1L << power) * 3 / 2) {
            power++;
        }
        long grown = memfleet.node.os.Libc.mmapAnonymous(4L << power);
        long old;
        long oldSize;
        lockAll();
        try {
            if (expanding || !empty()) {
                old = grown;
                oldSize = 1L << power;
            } else {
                old = table;
                oldSize = mask + 1L;
                table = grown;
                mask = (1 << power) - 1;
                hashPower = power;
            }
        } finally {
            unlockAll();
        }
        memfleet.node.os.Libc.munmap(old, oldSize * 4);
    }

    private boolean empty() {
        for (long b = 0; b <= mask; b++) {
            if (NativeMemory.getInt(table + (b << 2)) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Doubles the table and moves every bucket now, in the calling thread (tests). */
    public void expand() {
        if (!expanding) {
            startExpansion();
        }
        while (migrate(Integer.MAX_VALUE)) {
            // all of it
        }
    }

    private void lockAll() {
        for (ReentrantLock l : stripes) {
            l.lock();
        }
    }

    private void unlockAll() {
        for (int i = STRIPES - 1; i >= 0; i--) {
            stripes[i].unlock();
        }
    }

    /**
     * The number of bucket groups a walk started now covers: the table size, or while the table is expanding the
     * old size, so that {@link #visitGroup} never needs to split an old bucket.
     */
    int size() {
        return expanding ? oldMask + 1 : mask + 1;
    }

    /**
     * Under the stripe lock of {@code group}: visits every item whose hash is {@code group} modulo {@code
     * groups}, where {@code groups} is a table size seen earlier (a power of two, at least {@link #STRIPES}).
     * Such items stay in one group however often the table doubles, so a walk over all groups sees each
     * item linked for all of it exactly once, even across an expansion.
     */
    void visitGroup(int group, int groups, ItemStore.ItemVisitor visitor) {
        if (!expanding) {
            long size = mask + 1L;
            for (long b = group; b < size; b += groups) {
                if (!visitChain(table + (b << 2), visitor)) {
                    return;
                }
            }
            return;
        }
        // groups <= the old size: each old bucket of the group is either still whole in the old table, or split
        // into new buckets b and b + oldSize, both of the group
        long oldSize = oldMask + 1L;
        for (long b = group; b < oldSize; b += groups) {
            boolean whole = b >= expandBucket;
            if (!(whole ? visitChain(oldTable + (b << 2), visitor)
                    : visitChain(table + (b << 2), visitor) && visitChain(table + ((b + oldSize) << 2), visitor))) {
                return;
            }
        }
    }

    private boolean visitChain(long head, ItemStore.ItemVisitor visitor) {
        int ref = NativeMemory.getInt(head);
        while (ref != 0) {
            long it = slabs.address(ref);
            ref = Item.hnext(it);
            if (!visitor.visit(it)) {
                return false;
            }
        }
        return true;
    }
}
