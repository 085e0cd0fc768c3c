package memfleet.node.store;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The doubly linked LRU lists, four per slab class (HOT, WARM, COLD, TEMP; see memcached's
 * {@code new_lru.txt}), each with its own lock, item count and byte count. Links are 32-bit refs in the
 * items' headers; heads are the most recently linked end. Only list mechanics live here; the policy
 * that moves and evicts is {@link ItemStore#pullTail}.
 */
public final class SegmentedLru {
    public static final int HOT = 0;
    public static final int WARM = 1;
    public static final int COLD = 2;
    public static final int TEMP = 3;
    public static final int SEGMENTS = 4;

    private final SlabAllocator slabs;
    private final ReentrantLock[] locks = new ReentrantLock[SlabAllocator.MAX_CLASSES * SEGMENTS];
    private final int[] heads = new int[SlabAllocator.MAX_CLASSES * SEGMENTS];
    private final int[] tails = new int[SlabAllocator.MAX_CLASSES * SEGMENTS];
    private final long[] sizes = new long[SlabAllocator.MAX_CLASSES * SEGMENTS];
    private final long[] bytes = new long[SlabAllocator.MAX_CLASSES * SEGMENTS];

    public SegmentedLru(SlabAllocator slabs) {
        this.slabs = slabs;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    public static int index(int clsid, int segment) {
        return clsid * SEGMENTS + segment;
    }

    public ReentrantLock lock(int lru) {
        return locks[lru];
    }

    /** Under the list's lock: links {@code it} at the head. */
    public void linkHead(long it, int lru, long total) {
        int ref = slabs.ref(it);
        int head = heads[lru];
        Item.prev(it, 0);
        Item.next(it, head);
        if (head != 0) {
            Item.prev(slabs.address(head), ref);
        }
        heads[lru] = ref;
        if (tails[lru] == 0) {
            tails[lru] = ref;
        }
        Item.lru(it, lru & (SEGMENTS - 1));
        sizes[lru]++;
        bytes[lru] += total;
    }

    /** Under the list's lock: unlinks {@code it}. */
    public void unlink(long it, int lru, long total) {
        int prev = Item.prev(it);
        int next = Item.next(it);
        if (prev != 0) {
            Item.next(slabs.address(prev), next);
        } else {
            heads[lru] = next;
        }
        if (next != 0) {
            Item.prev(slabs.address(next), prev);
        } else {
            tails[lru] = prev;
        }
        Item.prev(it, 0);
        Item.next(it, 0);
        sizes[lru]--;
        bytes[lru] -= total;
    }

    /** Under the list's lock: moves {@code node} one place towards the head (the crawler's step). */
    void swapWithPrev(long node, int lru) {
        int prevRef = Item.prev(node);
        if (prevRef == 0) {
            return;
        }
        long prev = slabs.address(prevRef);
        int nodeRef = slabs.ref(node);
        int before = Item.prev(prev);
        int after = Item.next(node);
        // before <-> prev <-> node <-> after   becomes   before <-> node <-> prev <-> after
        if (before != 0) {
            Item.next(slabs.address(before), nodeRef);
        } else {
            heads[lru] = nodeRef;
        }
        if (after != 0) {
            Item.prev(slabs.address(after), prevRef);
        } else {
            tails[lru] = prevRef;
        }
        Item.prev(node, before);
        Item.next(node, prevRef);
        Item.prev(prev, nodeRef);
        Item.next(prev, after);
    }

    /** Under the lock: links a crawler marker at the tail without counting it as an item. */
    void linkTailMarker(long node, int lru) {
        int ref = slabs.ref(node);
        int tail = tails[lru];
        Item.next(node, 0);
        Item.prev(node, tail);
        if (tail != 0) {
            Item.next(slabs.address(tail), ref);
        } else {
            heads[lru] = ref;
        }
        tails[lru] = ref;
    }

    void unlinkMarker(long node, int lru) {
        unlink(node, lru, 0);
        sizes[lru]++; // markers are not counted
    }

    public long head(int lru) {
        return slabs.address(heads[lru]);
    }

    public long tail(int lru) {
        return slabs.address(tails[lru]);
    }

    public long prevOf(long it) {
        return slabs.address(Item.prev(it));
    }

    public long nextOf(long it) {
        return slabs.address(Item.next(it));
    }

    public long size(int lru) {
        return sizes[lru];
    }

    public long bytes(int lru) {
        return bytes[lru];
    }
}
