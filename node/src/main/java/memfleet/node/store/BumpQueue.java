package memfleet.node.store;

/**
 * memcached's per-worker {@code lru_bump_buf}: items hit a second time while in COLD, waiting for the LRU
 * maintainer to move them back to WARM ({@code moves_to_warm}), so a hit never takes a list lock. One
 * producer (the worker thread that owns it) and one consumer (the maintainer); bounded, as memcached's is
 * (8192 entries): when it is full the item stays ACTIVE in COLD and gets its second chance at the COLD tail
 * instead. Entries are addresses and hashes only; the consumer checks each item is still the one linked for
 * its key before it moves it.
 */
final class BumpQueue {
    static final int SIZE = 8192;

    private final long[] items = new long[SIZE];
    private final int[] hashes = new int[SIZE];
    /** Entries taken, written by the consumer. */
    private volatile long head;
    /** Entries offered, written by the producer (the volatile write publishes the entry). */
    private volatile long tail;

    /** Producer: queues {@code it} (key hash {@code hv}); false when full. */
    boolean offer(long it, int hv) {
        long t = tail;
        if (t - head >= SIZE) {
            return false;
        }
        int i = (int) (t & (SIZE - 1));
        items[i] = it;
        hashes[i] = hv;
        tail = t + 1;
        return true;
    }

    /** What the consumer does with each entry. */
    interface Mover {
        boolean move(long it, int hv);
    }

    /** Consumer: hands every queued entry to {@code mover}; returns how many it moved. */
    int drain(Mover mover) {
        long h = head;
        long t = tail;
        int moved = 0;
        for (; h < t; h++) {
            int i = (int) (h & (SIZE - 1));
            if (mover.move(items[i], hashes[i])) {
                moved++;
            }
        }
        head = h;
        return moved;
    }
}
