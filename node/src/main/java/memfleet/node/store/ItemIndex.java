package memfleet.node.store;

import java.util.concurrent.locks.ReentrantLock;

/**
 * memcached's {@code assoc.c} plus its item locks: a power-of-two table of bucket heads (32-bit refs in
 * a primitive array) chained through each item's {@link Item#HNEXT}, guarded by a fixed set of striped
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
    private volatile int[] buckets;
    private volatile int hashPower;
    private volatile boolean expanding;

    public ItemIndex(SlabAllocator slabs, int hashPowerInit, boolean expandable) {
        this.slabs = slabs;
        this.expandable = expandable;
        this.hashPower = Math.max(hashPowerInit == 0 ? 16 : hashPowerInit, 12);
        this.buckets = new int[1 << hashPower];
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
        return (long) buckets.length * Integer.BYTES;
    }

    public boolean expanding() {
        return expanding;
    }

    /** Under the stripe lock: the linked item with this key, or 0. */
    public long find(int hv, long key, int nkey) {
        int[] table = buckets;
        int ref = table[hv & (table.length - 1)];
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
        int[] table = buckets;
        int b = hv & (table.length - 1);
        Item.hnext(it, table[b]);
        table[b] = slabs.ref(it);
    }

    /** Under the stripe lock: takes {@code it} out of its bucket. */
    public void remove(int hv, long it) {
        int[] table = buckets;
        int b = hv & (table.length - 1);
        int target = slabs.ref(it);
        int ref = table[b];
        if (ref == target) {
            table[b] = Item.hnext(it);
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
        return expandable && hashPower < 32 && items > (buckets.length * 3L) / 2;
    }

    /** Doubles the table under every stripe; called by the LRU maintainer, never on a request path. */
    public void expand() {
        expanding = true;
        for (ReentrantLock l : stripes) {
            l.lock();
        }
        try {
            int[] old = buckets;
            int[] grown = new int[old.length * 2];
            int mask = grown.length - 1;
            for (int ref : old) {
                while (ref != 0) {
                    long it = slabs.address(ref);
                    int next = Item.hnext(it);
                    int b = Murmur3.hash(Item.key(it), Item.nkey(it)) & mask;
                    Item.hnext(it, grown[b]);
                    grown[b] = ref;
                    ref = next;
                }
            }
            buckets = grown;
            hashPower++;
        } finally {
            for (int i = STRIPES - 1; i >= 0; i--) {
                stripes[i].unlock();
            }
            expanding = false;
        }
    }
}
