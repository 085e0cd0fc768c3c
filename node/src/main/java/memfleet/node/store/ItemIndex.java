package memfleet.node.store;

import java.util.concurrent.locks.ReentrantLock;

/**
 * memcached's {@code assoc.c} plus its item locks: a power-of-two table of bucket heads (32-bit refs in
 * native memory, so the JVM heap does not grow with the item count) chained through each item's
 * {@link Item#HNEXT}, guarded by a fixed set of striped
 * locks. A bucket always falls under one stripe because the table is never smaller than the stripe
 * count. The table doubles when items exceed 1.5 per bucket; expansion takes every stripe, so readers
 * that hold their stripe always see a consistent table.
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
        return expandable && hashPower < 31 && items > ((mask + 1L) * 3) / 2;
    }

    /** Doubles the table under every stripe; called by the LRU maintainer, never on a request path. */
    public void expand() {
        expanding = true;
        for (ReentrantLock l : stripes) {
            l.lock();
        }
        try {
            long old = table;
            long oldSize = mask + 1L;
            long grown = memfleet.node.os.Libc.mmapAnonymous(oldSize * 8);
            int grownMask = (int) (oldSize * 2 - 1);
            for (long i = 0; i < oldSize; i++) {
                int ref = NativeMemory.getInt(old + (i << 2));
                while (ref != 0) {
                    long it = slabs.address(ref);
                    int next = Item.hnext(it);
                    long b = grown + ((long) (Murmur3.hash(Item.key(it), Item.nkey(it)) & grownMask) << 2);
                    Item.hnext(it, NativeMemory.getInt(b));
                    NativeMemory.putInt(b, ref);
                    ref = next;
                }
            }
            table = grown;
            mask = grownMask;
            hashPower++;
            memfleet.node.os.Libc.munmap(old, oldSize * 4);
        } finally {
            for (int i = STRIPES - 1; i >= 0; i--) {
                stripes[i].unlock();
            }
            expanding = false;
        }
    }

    /** The number of buckets now: a snapshot walk covers this many groups of buckets. */
    int size() {
        return mask + 1;
    }

    /**
     * Under the stripe lock of {@code group}: visits every item whose hash is {@code group} modulo {@code
     * groups}, where {@code groups} is a table size seen earlier (a power of two, at least {@link #STRIPES}).
     * Such items stay in one group however often the table doubles, so a walk over all groups sees each
     * item linked for all of it exactly once, even across an expansion.
     */
    void visitGroup(int group, int groups, ItemStore.ItemVisitor visitor) {
        long size = mask + 1L;
        long t = table;
        for (long b = group; b < size; b += groups) {
            int ref = NativeMemory.getInt(t + (b << 2));
            while (ref != 0) {
                long it = slabs.address(ref);
                ref = Item.hnext(it);
                if (!visitor.visit(it)) {
                    return;
                }
            }
        }
    }
}
