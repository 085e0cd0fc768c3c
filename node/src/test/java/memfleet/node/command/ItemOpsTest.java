package memfleet.node.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import memfleet.node.config.Settings;
import memfleet.node.stats.PrefixStats;
import memfleet.node.stats.ThreadStats;
import memfleet.node.store.CasClock;
import memfleet.node.store.Item;
import memfleet.node.store.ItemStore;
import memfleet.node.store.MutationLog;
import memfleet.node.store.SegmentedLru;

/**
 * The command core on a real {@link ItemStore} (no server): every operation's result, the counters memcached
 * counts for it, {@code stats detail}, and what replication hears of.
 */
class ItemOpsTest {
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment keys = arena.allocate(4096);
    private final MemorySegment values = arena.allocate(1 << 20);
    private final List<String> log = new ArrayList<>();
    private Settings settings;
    private ItemStore store;
    private ThreadStats stats;
    private PrefixStats detail;
    private ItemOps ops;

    @BeforeEach
    void setUp() {
        settings = new Settings();
        settings.maxBytes = 8L << 20;
        store = new ItemStore(settings);
        store.replicate(CasClock.counter(), new MutationLog() {
            @Override
            public void stored(long it) {
                log.add("stored " + key(it) + " exptime=" + Item.exptime(it));
            }

            @Override
            public void touched(long it) {
                log.add("touched " + key(it) + " exptime=" + Item.exptime(it));
            }

            @Override
            public void deleted(long key, int nkey, long version) {
                log.add("deleted " + nkey);
            }

            @Override
            public void flushed(int at, long version) {
                log.add("flushed " + at);
            }
        });
        stats = new ThreadStats();
        detail = new PrefixStats(':');
        ops = new ItemOps(store, stats, detail, settings, 7);
    }

    private static String key(long it) {
        byte[] b = new byte[Item.nkey(it)];
        MemorySegment.ofAddress(Item.key(it)).reinterpret(b.length).asByteBuffer().get(b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private long k(String key) {
        byte[] b = key.getBytes(StandardCharsets.ISO_8859_1);
        MemorySegment.copy(b, 0, keys, ValueLayout.JAVA_BYTE, 0, b.length);
        return keys.address();
    }

    /** A whole storage command through the core: allocate, data, store; returns the store result. */
    private int store(int comm, String key, String value, long cas, int how) {
        byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
        long it = ops.allocate(k(key), key.length(), 0, 0, v.length, how);
        if (it == 0) {
            return -100 - ops.refusal();
        }
        MemorySegment.copy(v, 0, values, ValueLayout.JAVA_BYTE, 0, v.length);
        store.writeValue(it, 0, values.address(), v.length);
        try {
            return ops.store(it, comm, cas, true);
        } finally {
            ops.done();
        }
    }

    private int set(String key, String value) {
        return store(ItemStore.SET, key, value, 0, 0);
    }

    /** A get through the core: the value or null. */
    private String get(String key, int how) {
        long it = ops.lookup(k(key), key.length());
        try {
            if (it <= 0) {
                return null;
            }
            byte[] b = new byte[Item.nbytes(it)];
            MemorySegment.ofAddress(Item.data(it)).reinterpret(b.length).asByteBuffer().get(b);
            return new String(b, StandardCharsets.ISO_8859_1);
        } finally {
            ops.endFetch(it, how);
        }
    }

    private long cas(String key) {
        long it = ops.lookup(k(key), key.length());
        try {
            return it > 0 ? Item.cas(it) : 0;
        } finally {
            ops.endFetch(it, ItemOps.FAILED);
        }
    }

    private int clsid(String key) {
        long it = ops.lookup(k(key), key.length());
        try {
            return Item.clsid(it);
        } finally {
            ops.endFetch(it, ItemOps.FAILED);
        }
    }

    @Test
    void aGetHitCountsGetHitsAndTheLruSegmentTheItemWasInAMissCountsAMiss() {
        assertThat(set("a", "one")).isEqualTo(ItemStore.STORED);
        int c = clsid("a");
        assertThat(get("a", ItemOps.GET)).isEqualTo("one");
        assertThat(get("b", ItemOps.GET)).isNull();
        assertThat(stats.getCmds).isEqualTo(2);
        assertThat(stats.getMisses).isEqualTo(1);
        assertThat(stats.slabCount(c, ThreadStats.GET_HITS)).isEqualTo(1);
        assertThat(stats.slabCount(c, ThreadStats.HITS_TO_HOT + SegmentedLru.HOT)).isEqualTo(1);
        assertThat(stats.slabCount(c, ThreadStats.SET_CMDS)).isEqualTo(1);
        assertThat(stats.touchCmds).isZero();
    }

    @Test
    void aTouchingFetchCountsATouchNotAGetAndShipsTheNewExptime() {
        set("a", "one");
        int c = clsid("a");
        log.clear();
        long it = ops.lookup(k("a"), 1);
        try {
            ops.retime(it, 1000);
        } finally {
            ops.endFetch(it, ItemOps.TOUCH);
        }
        assertThat(get("zz", ItemOps.TOUCH)).isNull();
        assertThat(stats.touchCmds).isEqualTo(2);
        assertThat(stats.touchMisses).isEqualTo(1);
        assertThat(stats.slabCount(c, ThreadStats.TOUCH_HITS)).isEqualTo(1);
        assertThat(stats.getCmds).isZero();
        for (int seg = 0; seg < 4; seg++) {
            assertThat(stats.slabCount(c, ThreadStats.HITS_TO_HOT + seg)).isZero();
        }
        assertThat(log).containsExactly("touched a exptime=1000");
        assertThat(ops.takeMutated()).isTrue();
        assertThat(ops.takeMutated()).isFalse();
    }

    @Test
    void touchAnswersWhetherTheKeyHadAnItem() {
        set("a", "one");
        assertThat(ops.touch(k("a"), 1, 50)).isTrue();
        assertThat(ops.touch(k("b"), 1, 50)).isFalse();
        assertThat(stats.touchCmds).isEqualTo(2);
        assertThat(stats.touchMisses).isEqualTo(1);
    }

    @Test
    void statsDetailCountsGetsHitsSetsAndDeletesPerPrefix() {
        settings.detailEnabled = true;
        store(ItemStore.SET, "user:1", "x", 0, ItemOps.DETAIL);
        get("user:1", ItemOps.GET | ItemOps.DETAIL);
        get("user:2", ItemOps.GET | ItemOps.DETAIL);
        ops.delete(k("user:1"), 6, 0, 0, ItemOps.DETAIL);
        assertThat(detail.dump()).contains("PREFIX user get 2 hit 1 set 1 del 1");
    }

    @Test
    void aFailedFetchCountsNothing() {
        set("a", "one");
        get("a", ItemOps.FAILED);
        assertThat(stats.getCmds).isZero();
        assertThat(stats.slabCount(clsid("a"), ThreadStats.GET_HITS)).isZero();
    }

    @Test
    void casCountsHitsBadValuesAndMisses() {
        set("a", "one");
        int c = clsid("a");
        long cas = cas("a");
        assertThat(store(ItemStore.CAS, "a", "two", cas + 99, 0)).isEqualTo(ItemStore.EXISTS);
        assertThat(store(ItemStore.CAS, "a", "two", cas, 0)).isEqualTo(ItemStore.STORED);
        assertThat(store(ItemStore.CAS, "nope", "two", 5, 0)).isEqualTo(ItemStore.NOT_FOUND);
        assertThat(stats.slabCount(c, ThreadStats.CAS_BADVAL)).isEqualTo(1);
        assertThat(stats.slabCount(c, ThreadStats.CAS_HITS)).isEqualTo(1);
        assertThat(stats.casMisses).isEqualTo(1);
        assertThat(stats.slabCount(c, ThreadStats.SET_CMDS)).isEqualTo(4);
        assertThat(get("a", ItemOps.GET)).isEqualTo("two");
    }

    @Test
    void anAppendLeavesTheJoinedItemAsCurrent() {
        set("a", "one");
        byte[] v = "two".getBytes(StandardCharsets.ISO_8859_1);
        long it = ops.allocate(k("a"), 1, 0, 0, v.length, 0);
        MemorySegment.copy(v, 0, values, ValueLayout.JAVA_BYTE, 0, v.length);
        store.writeValue(it, 0, values.address(), v.length);
        try {
            assertThat(ops.store(it, ItemStore.APPEND, 0, true)).isEqualTo(ItemStore.STORED);
            assertThat(Item.nbytes(ops.current())).isEqualTo(6);
        } finally {
            ops.done();
        }
        assertThat(get("a", ItemOps.GET)).isEqualTo("onetwo");
    }

    @Test
    void aDataBlockWithoutCrlfIsCountedAsASetAndStoresNothing() {
        long it = ops.allocate(k("a"), 1, 0, 0, 3, 0);
        try {
            assertThat(ops.store(it, ItemStore.SET, 0, false)).isEqualTo(ItemOps.BAD_DATA_CHUNK);
        } finally {
            ops.done();
        }
        assertThat(get("a", ItemOps.GET)).isNull();
        assertThat(stats.slabCount(Item.clsid(it), ThreadStats.SET_CMDS)).isEqualTo(1);
    }

    @Test
    void aRefusedSetUnlinksTheOldItemAndCountsWhy() {
        set("a", "one");
        log.clear();
        long tooBig = settings.itemSizeMax + 1L;
        assertThat(ops.allocate(k("a"), 1, 0, 0, tooBig, ItemOps.UNLINK_ON_FAILURE)).isZero();
        assertThat(ops.refusal()).isEqualTo(ItemStore.TOO_LARGE);
        assertThat(stats.storeTooLarge).isEqualTo(1);
        assertThat(get("a", ItemOps.GET)).isNull();
        assertThat(log).containsExactly("deleted 1");
        set("b", "two");
        assertThat(ops.allocate(k("b"), 1, 0, 0, tooBig, 0)).isZero();
        assertThat(get("b", ItemOps.GET)).isEqualTo("two");
    }

    @Test
    void deleteChecksCasAndCountsAsEachProtocolDoes() {
        set("a", "one");
        int c = clsid("a");
        long cas = cas("a");
        assertThat(ops.delete(k("a"), 1, cas + 1, 0, ItemOps.CHECK_CAS)).isEqualTo(ItemOps.DELETE_EXISTS);
        assertThat(stats.deleteMisses).isZero(); // binary: a mismatch is not a miss
        assertThat(ops.delete(k("a"), 1, cas + 1, 0, ItemOps.CHECK_CAS | ItemOps.MISMATCH_IS_MISS))
                .isEqualTo(ItemOps.DELETE_EXISTS);
        assertThat(stats.deleteMisses).isEqualTo(1); // meta md
        assertThat(ops.delete(k("a"), 1, cas, 0, ItemOps.CHECK_CAS)).isEqualTo(ItemOps.DELETED);
        assertThat(ops.delete(k("a"), 1, 0, 0, 0)).isEqualTo(ItemOps.DELETE_NOT_FOUND);
        assertThat(stats.deleteMisses).isEqualTo(2);
        assertThat(stats.slabCount(c, ThreadStats.DELETE_HITS)).isEqualTo(1);
    }

    @Test
    void invalidateMarksTheItemStaleWithANewCasAndShipsIt() {
        set("a", "one");
        long cas = cas("a");
        log.clear();
        assertThat(ops.delete(k("a"), 1, 0, 77, ItemOps.INVALIDATE | ItemOps.NEW_EXPTIME)).isEqualTo(ItemOps.DELETED);
        long it = ops.lookup(k("a"), 1);
        try {
            assertThat(Item.hasMeta(it, Item.META_STALE)).isTrue();
            assertThat(Item.cas(it)).isGreaterThan(cas);
            assertThat(Item.exptime(it)).isEqualTo(77);
        } finally {
            ops.endFetch(it, ItemOps.FAILED);
        }
        assertThat(log).containsExactly("stored a exptime=77");
        assertThat(stats.slabCount(clsid("a"), ThreadStats.DELETE_HITS)).isZero();
    }

    @Test
    void arithmeticCountsHitsAndMissesAndCreatesCountersOnlyWhenAsked() {
        set("n", "10");
        int c = clsid("n");
        try {
            assertThat(ops.arithmetic(k("n"), 1, true, 5, 0, false, 0, 0)).isEqualTo(ItemStore.DELTA_OK);
            assertThat(new String(ops.digits(), 0, ops.digitsLength(), StandardCharsets.US_ASCII)).isEqualTo("15");
            assertThat(ops.digitsValue()).isEqualTo(15);
        } finally {
            ops.done();
        }
        try {
            assertThat(ops.arithmetic(k("m"), 1, false, 5, 0, false, 0, 0)).isEqualTo(ItemStore.DELTA_NOT_FOUND);
        } finally {
            ops.done();
        }
        try {
            assertThat(ops.arithmetic(k("m"), 1, true, 5, 0, true, 42, 0)).isEqualTo(ItemOps.DELTA_CREATED);
            assertThat(ops.digitsValue()).isEqualTo(42);
        } finally {
            ops.done();
        }
        try {
            assertThat(ops.arithmetic(k("n"), 1, true, 1, 12345, false, 0, 0)).isEqualTo(ItemStore.DELTA_CAS_MISMATCH);
        } finally {
            ops.done();
        }
        set("s", "abc");
        try {
            assertThat(ops.arithmetic(k("s"), 1, true, 1, 0, false, 0, 0)).isEqualTo(ItemStore.DELTA_NON_NUMERIC);
        } finally {
            ops.done();
        }
        assertThat(stats.slabCount(c, ThreadStats.INCR_HITS)).isEqualTo(1);
        assertThat(stats.decrMisses).isEqualTo(1);
        assertThat(stats.incrMisses).isZero(); // a created counter is not a miss
        assertThat(get("n", ItemOps.GET)).isEqualTo("15");
        assertThat(get("m", ItemOps.GET)).isEqualTo("42");
    }

    @Test
    void aVivifiedItemIsShippedOnceWithTheExptimeItEndsWith() {
        log.clear();
        long it = ops.lookup(k("v"), 1);
        assertThat(it).isLessThanOrEqualTo(0);
        long fresh = ops.vivify();
        try {
            assertThat(fresh).isPositive();
            Item.exptime(fresh, 500);
        } finally {
            ops.endFetch(fresh, ItemOps.GET);
        }
        assertThat(log).containsExactly("stored v exptime=500");
        assertThat(get("v", ItemOps.GET)).isEmpty();
    }

    @Test
    void anExpiredItemIsAMissCountedAsExpired() {
        set("a", "one");
        long it = ops.lookup(k("a"), 1);
        try {
            Item.exptime(it, store.clock().now() - 1);
        } finally {
            ops.endFetch(it, ItemOps.FAILED);
        }
        assertThat(get("a", ItemOps.GET)).isNull();
        assertThat(stats.getExpired).isEqualTo(1);
        assertThat(stats.getMisses).isEqualTo(1);
    }

    /**
     * memcached counts {@code get_expired} in {@code do_item_get}, whoever asks: touch, incr/decr (also when it
     * then creates the counter), delete and a store over the expired item count it as get does.
     */
    @Test
    void everyCommandThatLooksAnExpiredItemUpCountsItAsExpired() {
        String[] keys = {"t", "i", "c", "d", "s"};
        for (String key : keys) {
            set(key, "7");
            long it = ops.lookup(k(key), 1);
            try {
                Item.exptime(it, store.clock().now() - 1);
            } finally {
                ops.endFetch(it, ItemOps.FAILED);
            }
        }
        assertThat(ops.touch(k("t"), 1, 100)).isFalse();
        try {
            assertThat(ops.arithmetic(k("i"), 1, true, 1, 0, false, 0, 0)).isEqualTo(ItemStore.DELTA_NOT_FOUND);
        } finally {
            ops.done();
        }
        try {
            assertThat(ops.arithmetic(k("c"), 1, false, 1, 0, true, 3, 0)).isEqualTo(ItemOps.DELTA_CREATED);
        } finally {
            ops.done();
        }
        assertThat(ops.delete(k("d"), 1, 0, 0, 0)).isEqualTo(ItemOps.DELETE_NOT_FOUND);
        assertThat(stats.getExpired).isEqualTo(4);
        set("s", "8");
        assertThat(stats.getExpired).isEqualTo(5);
        set("s", "9"); // over a live item: nothing more
        assertThat(stats.getExpired).isEqualTo(5);
        assertThat(stats.incrMisses).isEqualTo(1);
        assertThat(stats.decrMisses).isZero();
        assertThat(stats.deleteMisses).isEqualTo(1);
    }

    @Test
    void flushAllCountsEvenWhenRefusedAndInvalidatesEverything() {
        set("a", "one");
        settings.flushEnabled = false;
        assertThat(ops.flushAll(0)).isFalse();
        assertThat(get("a", ItemOps.GET)).isEqualTo("one");
        settings.flushEnabled = true;
        log.clear();
        assertThat(ops.flushAll(0)).isTrue();
        assertThat(stats.flushCmds).isEqualTo(2);
        assertThat(log).containsExactly("flushed 0");
        assertThat(get("a", ItemOps.GET)).isNull();
    }
}
