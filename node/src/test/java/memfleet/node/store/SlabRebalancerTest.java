package memfleet.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlabRebalancerTest {
    @Test
    void movesAPageFromAnIdleClassToAnEvictingOne() {
        StoreFixture f = new StoreFixture(StoreFixture.settings(16L << 20));
        ItemStore store = f.store;
        String small = "s".repeat(20);
        for (int i = 0; i < 400_000; i++) {
            f.set(String.format("small%08d", i), small);
        }
        int smallCls = store.slabs().classFor(Item.total(13, 20));
        int pagesBefore = store.slabs().totalPages(smallCls);
        assertThat(pagesBefore).isGreaterThan(2);
        // the workload shifts to larger values: their class has one page and evicts
        String large = "L".repeat(2000);
        for (int i = 0; i < 2000; i++) {
            f.set(String.format("large%08d", i), large);
        }
        int largeCls = store.slabs().classFor(Item.total(13, 2000));
        assertThat(store.stats().get(largeCls, StoreStats.EVICTED)).isPositive();
        SlabRebalancer rebalancer = new SlabRebalancer(store);
        assertThat(rebalancer.reassign(smallCls, largeCls)).isEqualTo(SlabRebalancer.OK);
        int largePages = store.slabs().totalPages(largeCls);
        rebalancer.movePage(smallCls, largeCls);
        assertThat(rebalancer.moved()).isEqualTo(1);
        assertThat(store.slabs().totalPages(smallCls)).isEqualTo(pagesBefore - 1);
        // as memcached's slab_rebalance_finish: the page is the destination's at once, not the pool's
        assertThat(store.slabs().totalPages(largeCls)).isEqualTo(largePages + 1);
        assertThat(store.slabs().globalPoolPages()).isZero();
        long evictedBefore = store.stats().get(largeCls, StoreStats.EVICTED);
        for (int i = 2000; i < 2400; i++) {
            f.set(String.format("large%08d", i), large);
        }
        assertThat(store.stats().get(largeCls, StoreStats.EVICTED)).isEqualTo(evictedBefore);
        // what survived in the small class is intact
        int alive = 0;
        for (int i = 0; i < 400_000; i += 97) {
            String v = f.getString(String.format("small%08d", i));
            if (v != null) {
                assertThat(v).isEqualTo(small);
                alive++;
            }
        }
        assertThat(alive).isPositive();
    }
}
