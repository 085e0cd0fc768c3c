package memfleet.node.store;

/**
 * memcached's LRU maintainer thread: per class it pulls HOT and WARM tails down to their shares of the
 * class's memory (moving ACTIVE items to WARM and the rest to COLD), moves ACTIVE items at the COLD tail
 * back to WARM, and doubles the key index when it gets crowded, moving its buckets a slice per pass. Sleeps
 * longer while there is nothing to do, from 1 ms up to 1 s, as memcached's does.
 */
public final class LruMaintainer implements Runnable {
    private static final int MIN_SLEEP_MICROS = 1000;
    private static final int MAX_SLEEP_MICROS = 1_000_000;
    /** Old index buckets moved per pass while the index doubles (about 6,000 items, under a millisecond). */
    private static final int EXPAND_SLICE = 4096;

    private final ItemStore store;
    private volatile boolean running = true;
    private volatile long juggles;
    private Thread thread;

    public LruMaintainer(ItemStore store) {
        this.store = store;
    }

    public void start() {
        thread = Thread.ofPlatform().daemon().name("lru-maintainer").start(this);
    }

    /**
     * Stops the thread and waits (up to a second) for its pass to end, so that no item is caught between two lists
     * (a move unlinks from one and then links to the other) when the caller looks at the store afterwards.
     */
    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public long juggles() {
        return juggles;
    }

    @Override
    public void run() {
        int sleep = MIN_SLEEP_MICROS;
        while (running) {
            try {
                Thread.sleep(sleep / 1000, (sleep % 1000) * 1000);
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            }
            int moved = store.drainBumps();
            if (store.settings().lruSegmented) {
                for (int c = 1; c <= store.slabs().largest(); c++) {
                    moved += juggle(c);
                }
            }
            juggles++;
            ItemIndex index = store.index();
            if (index.wantsExpansion(store.currItems())) {
                index.startExpansion();
            }
            // memcached's assoc thread moves buckets until done; here a slice per pass, so the LRU keeps being
            // juggled while the index doubles (a worker waits for a stripe only while one bucket moves)
            boolean expanding = index.migrate(EXPAND_SLICE);
            sleep = moved > 0 || expanding ? MIN_SLEEP_MICROS : Math.min(sleep * 2, MAX_SLEEP_MICROS);
        }
    }

    private int juggle(int clsid) {
        if (store.classItems(clsid) == 0) {
            return 0;
        }
        long total = store.classBytes(clsid);
        int moved = 0;
        for (int seg : new int[] {SegmentedLru.HOT, SegmentedLru.WARM, SegmentedLru.COLD}) {
            for (int i = 0; i < 500; i++) {
                int n = store.pullTail(clsid, seg, seg == SegmentedLru.COLD ? 0 : total, 0);
                if (n == 0) {
                    break;
                }
                moved += n;
            }
        }
        return moved;
    }
}
