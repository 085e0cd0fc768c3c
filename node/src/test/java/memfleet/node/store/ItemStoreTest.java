package memfleet.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

class ItemStoreTest {
    private final StoreFixture f = new StoreFixture(StoreFixture.settings(64L << 20));

    @Test
    void setGetDeleteRoundTrip() {
        assertThat(f.set("foo", "bar")).isEqualTo(ItemStore.STORED);
        assertThat(f.getString("foo")).isEqualTo("bar");
        assertThat(f.delete("foo")).isTrue();
        assertThat(f.getString("foo")).isNull();
        assertThat(f.delete("foo")).isFalse();
    }

    @Test
    void addReplaceAppendPrependFollowMemcached() {
        assertThat(f.store(ItemStore.REPLACE, "k", "a".getBytes(), 0, 0, 0)).isEqualTo(ItemStore.NOT_STORED);
        assertThat(f.store(ItemStore.APPEND, "k", "a".getBytes(), 0, 0, 0)).isEqualTo(ItemStore.NOT_STORED);
        assertThat(f.store(ItemStore.ADD, "k", "mid".getBytes(), 7, 0, 0)).isEqualTo(ItemStore.STORED);
        assertThat(f.store(ItemStore.ADD, "k", "x".getBytes(), 0, 0, 0)).isEqualTo(ItemStore.NOT_STORED);
        assertThat(f.store(ItemStore.APPEND, "k", ">>".getBytes(), 0, 0, 0)).isEqualTo(ItemStore.STORED);
        assertThat(f.store(ItemStore.PREPEND, "k", "<<".getBytes(), 0, 0, 0)).isEqualTo(ItemStore.STORED);
        assertThat(f.getString("k")).isEqualTo("<<mid>>");
        assertThat(f.store(ItemStore.REPLACE, "k", "new".getBytes(), 0, 0, 0)).isEqualTo(ItemStore.STORED);
        assertThat(f.getString("k")).isEqualTo("new");
    }

    @Test
    void casValidatesOnlyTheCurrentVersion() {
        assertThat(f.store(ItemStore.CAS, "c", "1".getBytes(), 0, 0, 5)).isEqualTo(ItemStore.NOT_FOUND);
        f.set("c", "1");
        long cas = f.cas("c");
        assertThat(cas).isPositive();
        assertThat(f.store(ItemStore.CAS, "c", "2".getBytes(), 0, 0, cas + 1)).isEqualTo(ItemStore.EXISTS);
        assertThat(f.store(ItemStore.CAS, "c", "2".getBytes(), 0, 0, cas)).isEqualTo(ItemStore.STORED);
        assertThat(f.store(ItemStore.CAS, "c", "3".getBytes(), 0, 0, cas)).isEqualTo(ItemStore.EXISTS);
        assertThat(f.getString("c")).isEqualTo("2");
        assertThat(f.cas("c")).isGreaterThan(cas);
    }

    @Test
    void incrWrapsDecrStopsAtZeroAndPadsInPlace() {
        f.set("n", "10");
        assertThat(f.delta("n", false, 5)).isEqualTo("5");
        assertThat(f.getString("n")).isEqualTo("5 ");
        assertThat(f.delta("n", false, 100)).isEqualTo("0");
        f.set("n", "18446744073709551615");
        assertThat(f.delta("n", true, 2)).isEqualTo("1");
        f.set("n", "99");
        assertThat(f.delta("n", true, 1)).isEqualTo("100");
        assertThat(f.getString("n")).isEqualTo("100");
        f.set("s", "abc");
        assertThat(f.delta("s", true, 1)).isEqualTo("rc" + ItemStore.DELTA_NON_NUMERIC);
        assertThat(f.delta("missing", true, 1)).isEqualTo("rc" + ItemStore.DELTA_NOT_FOUND);
    }

    @Test
    void chunkedItemsRoundTripAcrossChunks() {
        StoreFixture big = new StoreFixture(bigItems());
        Random r = new Random(42);
        for (int size : new int[] {500_000, 524_288, 600_000, 1_048_576, 1_500_000, 2_000_000}) {
            byte[] v = new byte[size];
            r.nextBytes(v);
            assertThat(big.store(ItemStore.SET, "big" + size, v, 0, 0, 0)).isEqualTo(ItemStore.STORED);
            assertThat(Arrays.equals(big.get("big" + size), v)).as("value of %d bytes", size).isTrue();
        }
        byte[] tail = "tail".getBytes();
        assertThat(big.store(ItemStore.APPEND, "big600000", tail, 0, 0, 0)).isEqualTo(ItemStore.STORED);
        assertThat(big.get("big600000")).hasSize(600_004);
        assertThat(big.delete("big2000000")).isTrue();
    }

    private static memfleet.node.config.Settings bigItems() {
        var s = StoreFixture.settings(128L << 20);
        s.itemSizeMax = 4 << 20;
        return s;
    }

    @Test
    void fullClassEvictsFromColdTailAndStaysInsideTheLimit() {
        StoreFixture small = new StoreFixture(StoreFixture.settings(8L << 20));
        String value = "v".repeat(100);
        for (int i = 0; i < 200_000; i++) {
            assertThat(small.set(String.format("k%09d", i), value)).isEqualTo(ItemStore.STORED);
        }
        ItemStore s = small.store;
        assertThat(s.stats().total(StoreStats.EVICTED)).isPositive();
        assertThat(s.slabs().totalMalloced()).isLessThanOrEqualTo(8L << 20);
        assertThat(small.getString("k000199999")).isEqualTo(value);
        assertThat(small.getString("k000000000")).isNull();
        assertThat(s.currItems() + s.stats().total(StoreStats.EVICTED)).isEqualTo(200_000);
    }

    @Test
    void withoutEvictionsAFullStoreRefusesWrites() {
        var settings = StoreFixture.settings(8L << 20);
        settings.evictToFree = false;
        StoreFixture small = new StoreFixture(settings);
        String value = "v".repeat(100);
        int stored = 0;
        int refused = 0;
        for (int i = 0; i < 100_000; i++) {
            int r = small.set(String.format("k%09d", i), value);
            if (r == ItemStore.STORED) {
                stored++;
            } else {
                assertThat(r).isEqualTo(ItemStore.NO_MEMORY);
                refused++;
            }
        }
        assertThat(refused).isPositive();
        assertThat(small.store.stats().total(StoreStats.EVICTED)).isZero();
        assertThat(small.store.currItems()).isEqualTo(stored);
        assertThat(small.getString("k000000000")).isEqualTo(value);
    }

    @Test
    void expiredAndFlushedItemsAreMisses() {
        assertThat(f.store(ItemStore.SET, "gone", "x".getBytes(), 0, -1, 0)).isEqualTo(ItemStore.STORED);
        assertThat(f.get("gone")).isNull();
        f.set("a", "1");
        f.store.flushAll(0);
        assertThat(f.get("a")).isNull();
        f.set("b", "2");
        assertThat(f.getString("b")).isEqualTo("2");
    }

    @Test
    void indexGrowsAndKeepsEveryKey() {
        ItemIndex index = f.store.index();
        int before = index.hashPower();
        int n = (1 << before) * 2;
        for (int i = 0; i < n; i++) {
            f.set("key" + i, "v");
        }
        assertThat(index.wantsExpansion(f.store.currItems())).isTrue();
        index.expand();
        assertThat(index.hashPower()).isEqualTo(before + 1);
        for (int i = 0; i < n; i++) {
            assertThat(f.getString("key" + i)).isEqualTo("v");
        }
    }

    @Test
    void anEmptyIndexPresizesForABulkLoadAndAFullOneDoesNot() {
        ItemIndex index = f.store.index();
        int before = index.hashPower();
        int n = (1 << before) * 4;
        index.presize(n);
        assertThat(index.hashPower()).as("sized so that n items need no expansion").isEqualTo(before + 2);
        for (int i = 0; i < n; i++) {
            f.set("key" + i, "v");
        }
        assertThat(index.wantsExpansion(f.store.currItems())).isFalse();
        index.presize(n * 8L);
        assertThat(index.hashPower()).as("an index holding items is left alone").isEqualTo(before + 2);
        for (int i = 0; i < n; i++) {
            assertThat(f.getString("key" + i)).isEqualTo("v");
        }
    }

    @Test
    void indexDoublesIncrementallyWhileKeysAreSetDeletedReadAndWalked() {
        ItemIndex index = f.store.index();
        int before = index.hashPower();
        int n = (1 << before) * 2;
        for (int i = 0; i < n; i++) {
            f.set("key" + i, "v" + i);
        }
        index.startExpansion();
        assertThat(index.expanding()).isTrue();
        assertThat(index.hashPower()).isEqualTo(before + 1);
        assertThat(index.size()).as("a walk started now splits no old bucket").isEqualTo(1 << before);
        int step = 0;
        while (index.expanding()) {
            // between slices: change keys on both sides of the moving boundary, read a sample, walk everything
            f.set("new" + step, "n" + step);
            String changed = "key" + (step * 7919 % n);
            assertThat(f.delete(changed)).isTrue();
            assertThat(f.getString(changed)).isNull();
            f.set(changed, "again" + step);
            for (int i = step % 97; i < n; i += 97) {
                assertThat(f.getString("key" + i)).isNotNull();
            }
            if (step % 16 == 0) {
                for (int groups : new int[] {index.size(), ItemIndex.STRIPES}) {
                    java.util.Set<Long> seen = new java.util.HashSet<>();
                    long[] visits = {0};
                    for (int g = 0; g < groups; g++) {
                        index.visitGroup(g, groups, it -> {
                            visits[0]++;
                            return seen.add(it);
                        });
                    }
                    assertThat(visits[0]).as("each item once, %d groups at step %d", groups, step)
                            .isEqualTo(seen.size()).isEqualTo(f.store.currItems());
                }
            }
            index.migrate(331);
            step++;
        }
        assertThat(step).isGreaterThanOrEqualTo((1 << before) / 331);
        assertThat(index.size()).isEqualTo(1 << (before + 1));
        for (int i = 0; i < n; i++) {
            assertThat(f.getString("key" + i)).matches("v" + i + "|again\\d+");
        }
        for (int s = 0; s < step; s++) {
            assertThat(f.getString("new" + s)).isEqualTo("n" + s);
            assertThat(f.getString("key" + (s * 7919 % n))).startsWith("again");
        }
        assertThat(f.store.currItems()).isEqualTo(n + step);
    }

    @Test
    void aFullStoreWaitsOutAMomentWhenEveryStripeIsHeldInsteadOfRunningOutOfMemory() throws Exception {
        StoreFixture small = new StoreFixture(StoreFixture.settings(8L << 20));
        String value = "v".repeat(100);
        int i = 0;
        while (small.store.stats().total(StoreStats.EVICTED) == 0) {
            assertThat(small.set(String.format("k%09d", i++), value)).isEqualTo(ItemStore.STORED);
        }
        // what the maintainer does when the index starts or ends doubling: every stripe, for a moment
        java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        Thread holder = Thread.ofPlatform().start(() -> {
            for (int s = 0; s < ItemIndex.STRIPES; s++) {
                small.store.index().lock(s).lock();
            }
            holding.countDown();
            try {
                Thread.sleep(3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (int s = ItemIndex.STRIPES - 1; s >= 0; s--) {
                small.store.index().lock(s).unlock();
            }
        });
        holding.await();
        long evicted = small.store.stats().total(StoreStats.EVICTED);
        long it = small.store.allocate(small.key("after"), 5, 0, 0, 100);
        holder.join();
        assertThat(it).as("a chunk, freed by evicting once the stripes were free again").isNotZero();
        small.store.freeChunks(it);
        assertThat(small.store.stats().total(StoreStats.EVICTED)).isGreaterThan(evicted);
        assertThat(small.store.stats().total(StoreStats.OUTOFMEMORY)).isZero();
    }

    @Test
    void maintainerMovesHotItemsToColdAndCrawlerReclaimsExpired() {
        for (int i = 0; i < 1000; i++) {
            f.store(ItemStore.SET, "e" + i, "x".getBytes(), 0, i % 2 == 0 ? -1 : 0, 0);
        }
        int cls = f.store.slabs().classFor(Item.total(4, 1));
        while (f.store.pullTail(cls, SegmentedLru.HOT, f.store.classBytes(cls), 0) > 0) {
            // drain HOT the way the maintainer does
        }
        assertThat(f.store.lru().size(SegmentedLru.index(cls, SegmentedLru.COLD))).isPositive();
        LruCrawler crawler = new LruCrawler(f.store);
        long reclaimed = 0;
        for (int seg = 0; seg < SegmentedLru.SEGMENTS; seg++) {
            reclaimed += crawler.crawl(cls, seg, null)[1];
        }
        assertThat(f.store.currItems()).isEqualTo(500);
        assertThat(reclaimed + f.store.stats().total(StoreStats.RECLAIMED)).isEqualTo(500);
    }
}
