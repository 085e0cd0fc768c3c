package memfleet.node.store;

import java.util.concurrent.locks.ReentrantLock;

/**
 * memcached's slab page mover and automover ({@code slabs_reassign}, {@code slab_automove}): moves a page
 * from one class to another by evicting what lives in it and giving it to the destination class at once
 * (all its chunks free), or to the global pool for {@code dst} 0, from where the next class that needs a
 * page takes it. With {@code slab_automove=1} it watches evictions
 * over a window and moves a page to the class that keeps evicting, from a class with spare free chunks
 * or much older items; {@code slab_automove=2} reacts to every eviction.
 */
public final class SlabRebalancer implements Runnable {
    /** Results of {@link #reassign}: memcached's REASSIGN_* codes. */
    public static final int OK = 0;
    public static final int RUNNING = 1;
    public static final int BADCLASS = 2;
    public static final int NOSPARE = 3;
    public static final int SRC_DST_SAME = 4;

    private final ItemStore store;
    private final SlabAllocator slabs;
    private final Object signal = new Object();
    private volatile boolean running = true;
    private volatile boolean moving;
    private volatile int requestSrc;
    private volatile int requestDst;
    /** A {@code slabs reassign} waits to be run (its dst may be 0, the global pool). */
    private volatile boolean requested;
    private volatile long moved;
    private volatile long evictions;
    private volatile long busyItems;
    private Thread thread;
    private final long[][] window = new long[SlabAllocator.MAX_CLASSES][];
    private final long[] lastEvicted = new long[SlabAllocator.MAX_CLASSES];
    private int windowPos;

    public SlabRebalancer(ItemStore store) {
        this.store = store;
        this.slabs = store.slabs();
        store.onEviction(clsid -> {
            if (!requested && !moving) {
                reassign(-1, clsid);
            }
        });
    }

    public void start() {
        int w = Math.max(1, store.settings().slabAutomoveWindow);
        for (int c = 0; c < SlabAllocator.MAX_CLASSES; c++) {
            window[c] = new long[w];
        }
        thread = Thread.ofPlatform().daemon().name("slab-rebalancer").start(this);
    }

    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    public boolean running() {
        return moving;
    }

    public long moved() {
        return moved;
    }

    public long evictions() {
        return evictions;
    }

    public long busyItems() {
        return busyItems;
    }

    /** memcached's {@code slabs reassign src dst}; src -1 picks any class with a spare page. */
    public int reassign(int src, int dst) {
        if (moving || requested) {
            return RUNNING;
        }
        if (src == dst) {
            return SRC_DST_SAME;
        }
        // dst 0 is memcached's SLAB_GLOBAL_PAGE_POOL: the page is freed, or kept for any class
        if (dst < 0 || dst > slabs.largest() || src == 0 || src < -1 || src > slabs.largest()) {
            return BADCLASS;
        }
        if (src == -1) {
            src = pickSource(dst);
            if (src <= 0) {
                src = pickAny(dst);
            }
            if (src <= 0) {
                return NOSPARE;
            }
        }
        if (slabs.totalPages(src) < 2) {
            return NOSPARE;
        }
        requestSrc = src;
        requestDst = dst;
        requested = true;
        synchronized (signal) {
            signal.notifyAll();
        }
        return OK;
    }

    @Override
    public void run() {
        while (running) {
            synchronized (signal) {
                try {
                    if (!requested) {
                        signal.wait(1000);
                    }
                } catch (InterruptedException e) {
                    if (!running) {
                        return;
                    }
                }
            }
            if (requested) {
                movePage(requestSrc, requestDst);
                requested = false;
                continue;
            }
            if (store.settings().slabReassign && store.settings().slabAutomove > 0) {
                automove();
            }
        }
    }

    /** One automove decision per second from the eviction window. */
    private void automove() {
        int largest = slabs.largest();
        int best = 0;
        long bestEvictions = 0;
        for (int c = 1; c <= largest; c++) {
            long ev = store.stats().get(c, StoreStats.EVICTED);
            long delta = ev - lastEvicted[c];
            lastEvicted[c] = ev;
            window[c][windowPos] = delta;
            long sum = 0;
            for (long d : window[c]) {
                sum += d;
            }
            if (delta > 0 && sum > bestEvictions) {
                best = c;
                bestEvictions = sum;
            }
        }
        windowPos = (windowPos + 1) % window[1].length;
        if (best == 0) {
            return;
        }
        int src = pickSource(best);
        if (src > 0) {
            movePage(src, best);
        }
    }

    /**
     * A class that can spare a page for {@code dst}: one with at least two pages' worth of free chunks,
     * else one whose oldest item is much older than {@code dst}'s (memcached's age ratio).
     */
    private int pickSource(int dst) {
        int largest = slabs.largest();
        for (int c = 1; c <= largest; c++) {
            if (c != dst && slabs.totalPages(c) > 1
                    && slabs.freeChunks(c) + slabs.freeChunksEnd(c) >= 2L * slabs.perSlab(c)) {
                return c;
            }
        }
        int now = store.clock().now();
        long dstAge = coldAge(dst, now);
        int oldest = 0;
        long oldestAge = 0;
        for (int c = 1; c <= largest; c++) {
            long age = coldAge(c, now);
            if (c != dst && slabs.totalPages(c) > 1 && age > oldestAge) {
                oldest = c;
                oldestAge = age;
            }
        }
        double ratio = store.settings().slabAutomoveRatio;
        if (oldest != 0 && dstAge < oldestAge * ratio) {
            return oldest;
        }
        return 0;
    }

    private int nextAny = 1;

    /** memcached's {@code slabs_reassign_pick_any}: the next class, round robin, that has a page to give. */
    private int pickAny(int dst) {
        int largest = slabs.largest();
        for (int i = 0; i < largest; i++) {
            int c = nextAny;
            nextAny = nextAny >= largest ? 1 : nextAny + 1;
            if (c != dst && slabs.totalPages(c) > 1) {
                return c;
            }
        }
        return 0;
    }

    private long coldAge(int clsid, int now) {
        long tail = store.lru().tail(SegmentedLru.index(clsid, SegmentedLru.COLD));
        return tail == 0 ? 0 : now - Item.time(tail);
    }

    /** Empties one page of {@code src} and hands it to {@code dst} (0: the global pool). */
    void movePage(int src, int dst) {
        moving = true;
        try {
            int page = slabs.detachPage(src);
            if (page < 0) {
                return;
            }
            long start = slabs.pageAddress(page);
            long carvedEnd = slabs.detachedCarveEnd;
            int size = slabs.chunkSize(src);
            int per = slabs.perSlab(src);
            while (true) {
                int busy = 0;
                for (int i = 0; i < per; i++) {
                    long chunk = start + (long) i * size;
                    if (chunk >= carvedEnd) {
                        break;
                    }
                    int flags = Item.iflags(chunk);
                    if ((flags & Item.SLABBED) != 0) {
                        continue;
                    }
                    if (!evictChunk(chunk, flags)) {
                        busy++;
                    }
                }
                if (busy == 0) {
                    break;
                }
                busyItems += busy;
                if (!running) {
                    return; // shutting down: the page stays detached, never handed out twice
                }
                // a connection is still filling an item here: wait for it to link or free it
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            if (dst > 0) {
                slabs.givePage(page, dst);
            } else {
                slabs.releasePage(page, true);
            }
            moved++;
            store.watchLog().slabMove(src, dst);
        } finally {
            moving = false;
        }
    }

    /** Evicts whatever occupies {@code chunk}; false when it is busy (allocated, not yet linked). */
    private boolean evictChunk(long chunk, int flags) {
        long head = chunk;
        if ((flags & Item.CONTINUATION) != 0) {
            head = slabs.address(NativeMemory.getInt(chunk + Item.CONT_HEAD));
        } else if ((flags & Item.LINKED) == 0) {
            return false;
        }
        int nkey = Item.nkey(head);
        if (nkey == 0) {
            return false;
        }
        int hv = Murmur3.hash(Item.key(head), nkey);
        ReentrantLock stripe = store.index().lock(hv);
        stripe.lock();
        try {
            if (!Item.has(head, Item.LINKED)) {
                return (Item.iflags(chunk) & Item.SLABBED) != 0;
            }
            store.unlink(head, hv);
            evictions++;
            return true;
        } finally {
            stripe.unlock();
        }
    }
}
