package memfleet.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import memfleet.node.config.Settings;
import org.junit.jupiter.api.Test;

/**
 * Four threads mutate a small, full store while the maintainer, crawler and rebalancer run: items are
 * evicted, reclaimed, moved between lists and pages move between classes. Every value names its key,
 * so a value read under another key, a torn value or a broken list shows up as a failure.
 */
class StoreStressTest {
    @Test
    void concurrentMutationsUnderMemoryPressureKeepEveryValueIntact() throws Exception {
        Settings settings = StoreFixture.settings(32L << 20);
        settings.slabAutomove = 2;
        StoreFixture shared = new StoreFixture(settings);
        ItemStore store = shared.store;
        LruMaintainer maintainer = new LruMaintainer(store);
        LruCrawler crawler = new LruCrawler(store);
        SlabRebalancer rebalancer = new SlabRebalancer(store);
        maintainer.start();
        crawler.start();
        rebalancer.start();
        Thread clock = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                store.clock().tick();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // at least 4 s of mutations, and on until evictions and page moves have happened (a slow or busy
        // machine takes longer to fill the store), but never more than 60 s
        long minimum = System.nanoTime() + 4_000_000_000L;
        long deadline = System.nanoTime() + 60_000_000_000L;
        java.util.function.BooleanSupplier done = () -> System.nanoTime() > deadline
                || (System.nanoTime() > minimum && store.stats().total(StoreStats.EVICTED) > 0 && rebalancer.moved() > 0);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int seed = t;
            threads.add(Thread.ofPlatform().start(() -> {
                StoreFixture f = new StoreFixture(store);
                Random r = new Random(seed);
                try {
                    while (!done.getAsBoolean()) {
                        String key = "key:" + r.nextInt(20_000);
                        // phases shift the value sizes so that the rebalancer has work
                        int size = ((System.nanoTime() / 500_000_000L) % 2 == 0) ? 20 + r.nextInt(60) : 400 + r.nextInt(3000);
                        switch (r.nextInt(6)) {
                            case 0, 1 -> f.store(ItemStore.SET, key, valueFor(key, size), 0, r.nextInt(3) == 0 ? 1 : 0, 0);
                            case 2 -> f.store(ItemStore.APPEND, key, "+".getBytes(StandardCharsets.US_ASCII), 0, 0, 0);
                            case 3 -> f.delete(key);
                            default -> {
                                byte[] v = f.get(key);
                                if (v != null) {
                                    String s = new String(v, StandardCharsets.ISO_8859_1);
                                    if (!s.startsWith(key + "=")) {
                                        throw new AssertionError("value of " + key + " is " + s.substring(0, Math.min(40, s.length())));
                                    }
                                }
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        maintainer.stop();
        crawler.stop();
        rebalancer.stop();
        clock.interrupt();
        assertThat(failure.get()).isNull();
        StringBuilder pages = new StringBuilder();
        for (int c = 1; c <= store.slabs().largest(); c++) {
            if (store.slabs().totalPages(c) > 0) {
                pages.append(c).append(':').append(store.slabs().totalPages(c)).append(' ');
            }
        }
        System.out.println("pages by class: " + pages);
        System.out.println("busy " + rebalancer.busyItems() + " running " + rebalancer.running() + " slabs moved: " + rebalancer.moved() + ", evictions: " + store.stats().total(StoreStats.EVICTED)
                + ", crawler reclaimed: " + store.stats().total(StoreStats.CRAWLER_RECLAIMED));
        long walked = 0;
        for (int c = 1; c <= store.slabs().largest(); c++) {
            for (int s = 0; s < SegmentedLru.SEGMENTS; s++) {
                int lruIndex = SegmentedLru.index(c, s);
                long n = 0;
                for (long it = store.lru().head(lruIndex); it != 0; it = store.lru().nextOf(it)) {
                    n++;
                }
                assertThat(n).as("list %d/%d", c, s).isEqualTo(store.lru().size(lruIndex));
                walked += n;
            }
        }
        assertThat(walked).isEqualTo(store.currItems());
        // memcached's rule: a class may always take its first page, even past the limit
        long classesWithPages = 0;
        for (int c = 1; c <= store.slabs().largest(); c++) {
            classesWithPages += store.slabs().totalPages(c) > 0 ? 1 : 0;
        }
        assertThat(store.slabs().totalMalloced()).isLessThanOrEqualTo((32L << 20) + classesWithPages * store.slabs().pageSize());
        assertThat(store.currBytes()).isLessThanOrEqualTo(store.slabs().totalMalloced());
        assertThat(store.stats().total(StoreStats.EVICTED)).isPositive();
        assertThat(rebalancer.moved()).as("pages moved by slab_automove=2").isPositive();
    }

    private static byte[] valueFor(String key, int size) {
        StringBuilder sb = new StringBuilder(key).append('=');
        while (sb.length() < size) {
            sb.append('x');
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Four threads insert, overwrite, delete and read a key space that grows from 4 K to 160 K keys while the
     * maintainer doubles the index under them (hashpower 12 to 17, bucket by bucket): every key a thread last
     * wrote is found with its value, during and after.
     */
    @Test
    void theIndexDoublesUnderConcurrentWritersWithoutLosingAKey() throws Exception {
        Settings settings = StoreFixture.settings(256L << 20);
        settings.hashpowerInit = 12;
        ItemStore store = new ItemStore(settings);
        LruMaintainer maintainer = new LruMaintainer(store);
        maintainer.start();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        int perThread = 40_000;
        for (int t = 0; t < 4; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().start(() -> {
                StoreFixture f = new StoreFixture(store);
                Random r = new Random(id);
                try {
                    for (int i = 0; i < perThread; i++) {
                        String key = "t" + id + ":" + i;
                        f.set(key, key + "=" + i);
                        // an older key of this thread: overwrite, delete and write back, or read
                        int j = r.nextInt(i + 1);
                        String old = "t" + id + ":" + j;
                        switch (r.nextInt(3)) {
                            case 0 -> f.set(old, old + "=" + j);
                            case 1 -> {
                                if (!f.delete(old)) {
                                    throw new AssertionError(old + " was not there to delete");
                                }
                                f.set(old, old + "=" + j);
                            }
                            default -> {
                                String v = f.getString(old);
                                if (!(old + "=" + j).equals(v)) {
                                    throw new AssertionError(old + " reads " + v + " at hashpower " + store.index().hashPower());
                                }
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while ((store.index().expanding() || store.index().wantsExpansion(store.currItems())) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        maintainer.stop();
        assertThat(failure.get()).isNull();
        assertThat(store.index().hashPower()).isGreaterThanOrEqualTo(17);
        assertThat(store.currItems()).isEqualTo(4L * perThread);
        StoreFixture f = new StoreFixture(store);
        for (int t = 0; t < 4; t++) {
            for (int i = 0; i < perThread; i++) {
                assertThat(f.getString("t" + t + ":" + i)).isEqualTo("t" + t + ":" + i + "=" + i);
            }
        }
    }
}
