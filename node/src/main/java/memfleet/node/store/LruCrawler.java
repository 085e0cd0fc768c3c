package memfleet.node.store;

import java.util.concurrent.locks.ReentrantLock;

/**
 * memcached's LRU crawler ({@code crawler.c}): walks every list of a class from tail to head with a
 * marker node that it moves up one place at a time, so no list lock is held for more than one step,
 * and reclaims expired and flushed items it passes. It runs on its own schedule (backing off while
 * crawls find little) and on request ({@code lru_crawler crawl}); {@code lru_crawler metadump} uses the
 * same walk to list items without blocking writers.
 */
public final class LruCrawler implements Runnable {
    private static final int CRAWLS_PER_SLEEP = 1000;
    private static final long MIN_INTERVAL_MS = 10_000;
    private static final long MAX_INTERVAL_MS = 15 * 60_000;

    private final ItemStore store;
    private final SlabAllocator slabs;
    private final Object signal = new Object();
    /** A flag, not a lock: a dump is started on an event loop and ended on the thread that streams it. */
    private final java.util.concurrent.atomic.AtomicBoolean walking = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean running = true;
    private volatile boolean crawling;
    private volatile boolean[] requested;
    private volatile long starts;
    private Thread thread;

    public LruCrawler(ItemStore store) {
        this.store = store;
        this.slabs = store.slabs();
    }

    public void start() {
        thread = Thread.ofPlatform().daemon().name("lru-crawler").start(this);
    }

    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    public boolean running() {
        return crawling;
    }

    public long starts() {
        return starts;
    }

    /** Results of {@link #request}: memcached's CRAWLER_* codes. */
    public static final int OK = 0;
    public static final int BUSY = 1;
    public static final int BADCLASS = 2;
    public static final int NOTSTARTED = 3;

    /** Asks for a crawl of {@code classes} (true = crawl) now. */
    public int request(boolean[] classes) {
        if (crawling || requested != null) {
            return BUSY;
        }
        requested = classes;
        synchronized (signal) {
            signal.notifyAll();
        }
        return OK;
    }

    @Override
    public void run() {
        long interval = MIN_INTERVAL_MS;
        // memcached's maintainer runs its first autocrawl at start (lru_crawler_starts is 1 at once)
        long next = System.currentTimeMillis();
        while (running) {
            boolean[] classes = requested;
            long now = System.currentTimeMillis();
            if (classes == null && now < next) {
                synchronized (signal) {
                    try {
                        signal.wait(Math.max(1, next - now));
                    } catch (InterruptedException e) {
                        if (!running) {
                            return;
                        }
                    }
                }
                continue;
            }
            if (!store.settings().lruCrawler) {
                requested = null;
                next = now + interval;
                continue;
            }
            crawling = true;
            starts++;
            long checked = 0;
            long reclaimed = 0;
            try {
                for (int c = 1; c <= slabs.largest(); c++) {
                    if (classes != null && !classes[c]) {
                        continue;
                    }
                    for (int s = 0; s < SegmentedLru.SEGMENTS; s++) {
                        long[] r = crawl(c, s, null);
                        checked += r[0];
                        reclaimed += r[1];
                    }
                }
            } finally {
                crawling = false;
                requested = null;
            }
            // back off while crawls find little to reclaim, as memcached's autocrawl scheduler does
            // (an empty cache waits the longest: memcached's crawl of an empty server schedules no other soon)
            interval = checked == 0 ? MAX_INTERVAL_MS
                    : reclaimed * 100 >= checked ? MIN_INTERVAL_MS : Math.min(interval * 2, MAX_INTERVAL_MS);
            next = System.currentTimeMillis() + interval;
        }
    }

    /** Receives live items passed by a metadump walk. */
    @FunctionalInterface
    public interface Dump {
        /** Called under the list lock: copy what is needed, do not block. */
        void item(long it);

        /** Called between steps with no lock held: the place to send and to wait for the reader. */
        default void afterStep() {
        }
    }

    /**
     * Walks one list tail to head; reclaims dead items, hands live ones to {@code dump} (under the list
     * lock, so the item cannot go away). Returns {checked, reclaimed}.
     */
    public long[] crawl(int clsid, int seg, Dump dump) {
        int lruIndex = SegmentedLru.index(clsid, seg);
        SegmentedLru lru = store.lru();
        ReentrantLock listLock = lru.lock(lruIndex);
        long marker = slabs.base() + (dump == null ? 0 : 32768) + (long) lruIndex * 64;
        Item.nkey(marker, 0);
        Item.nbytes(marker, 0);
        Item.iflags(marker, 0);
        long checked = 0;
        long reclaimed = 0;
        int sleepMicros = store.settings().lruCrawlerSleep;
        int tocrawl = store.settings().lruCrawlerTocrawl;
        listLock.lock();
        try {
            lru.linkTailMarker(marker, lruIndex);
        } finally {
            listLock.unlock();
        }
        try {
            while (running) {
                listLock.lock();
                try {
                    if (Item.prev(marker) == 0) {
                        break;
                    }
                    lru.swapWithPrev(marker, lruIndex);
                    long it = lru.nextOf(marker);
                    if (Item.nkey(it) == 0) {
                        continue; // another walker's marker
                    }
                    checked++;
                    if (store.isExpired(it)) {
                        int hv = Murmur3.hash(Item.key(it), Item.nkey(it));
                        ReentrantLock stripe = store.index().lock(hv);
                        if (stripe.tryLock()) {
                            try {
                                reclaimed++;
                                store.stats().add(clsid, StoreStats.CRAWLER_RECLAIMED, 1);
                                if (!Item.has(it, Item.FETCHED)) {
                                    store.stats().add(clsid, StoreStats.EXPIRED_UNFETCHED, 1);
                                }
                                store.index().remove(hv, it);
                                lru.unlink(it, lruIndex, store.totalOf(it));
                                Item.clear(it, Item.LINKED);
                                store.freeChunks(it);
                            } finally {
                                stripe.unlock();
                            }
                        }
                    } else if (dump != null) {
                        // linked in the list we hold: it cannot be freed while we read it
                        dump.item(it);
                    }
                } finally {
                    listLock.unlock();
                }
                if (dump != null) {
                    dump.afterStep();
                } else {
                    store.stats().add(clsid, StoreStats.CRAWLER_ITEMS_CHECKED, 1);
                    if (tocrawl > 0 && checked >= tocrawl) {
                        break;
                    }
                    if (sleepMicros > 0 && checked % CRAWLS_PER_SLEEP == 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(sleepMicros * 1000L);
                    }
                }
            }
        } finally {
            listLock.lock();
            try {
                lru.unlinkMarker(marker, lruIndex);
            } finally {
                listLock.unlock();
            }
        }
        return new long[] {checked, reclaimed};
    }

    /** Serializes metadumps: one at a time, as memcached runs one crawler. */
    public boolean tryStartDump() {
        return walking.compareAndSet(false, true);
    }

    public void endDump() {
        walking.set(false);
    }
}
