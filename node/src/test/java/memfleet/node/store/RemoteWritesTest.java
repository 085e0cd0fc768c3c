package memfleet.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Peer writes last-writer-wins, and the digests by key range that anti-entropy compares. */
class RemoteWritesTest {
    private static final int RANGES = ItemIndex.STRIPES;
    private final StoreFixture a = new StoreFixture(StoreFixture.settings(64L << 20));
    private final StoreFixture b = new StoreFixture(StoreFixture.settings(64L << 20));
    private final RemoteWrites remoteA = new RemoteWrites(a.store);
    private final RemoteWrites remoteB = new RemoteWrites(b.store);
    private final MemorySegment value = Arena.ofAuto().allocate(1 << 16);

    /** Copies {@code key} from a to b with its version, as replication would. */
    private int copy(String key, String v, long version) {
        byte[] bytes = v.getBytes(StandardCharsets.ISO_8859_1);
        MemorySegment.copy(bytes, 0, value, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return remoteB.set(b.key(key), key.length(), 0, 0, version, value.address(), bytes.length);
    }

    private int range(StoreFixture f, String key) {
        return f.store.hash(f.key(key), key.length()) & (RANGES - 1);
    }

    private static List<Integer> differing(long[] x, long[] y) {
        List<Integer> d = new ArrayList<>();
        for (int r = 0; r < RANGES; r++) {
            if (x[2 * r] != y[2 * r] || x[2 * r + 1] != y[2 * r + 1]) {
                d.add(r);
            }
        }
        return d;
    }

    @Test
    void equalItemsGiveEqualRangeDigestsAndOneDifferenceOneRange() {
        for (int i = 0; i < 5000; i++) {
            a.set("key" + i, "value" + i);
            assertThat(copy("key" + i, "value" + i, a.cas("key" + i))).isEqualTo(RemoteWrites.APPLIED);
        }
        long[] da = remoteA.rangeDigests(RANGES);
        assertThat(differing(da, remoteB.rangeDigests(RANGES))).isEmpty();
        long items = 0;
        for (int r = 0; r < RANGES; r++) {
            items += da[2 * r];
        }
        assertThat(items).isEqualTo(5000);
        assertThat(remoteA.digest()).isEqualTo(remoteB.digest()).startsWith(5000L);

        // another version of one key on b: only its range differs
        assertThat(copy("key42", "other", a.cas("key42") + 1)).isEqualTo(RemoteWrites.APPLIED);
        assertThat(differing(da, remoteB.rangeDigests(RANGES))).containsExactly(range(a, "key42"));
        // an older version changes nothing
        assertThat(copy("key43", "older", a.cas("key43") - 1)).isEqualTo(RemoteWrites.STALE);
        assertThat(differing(da, remoteB.rangeDigests(RANGES))).containsExactly(range(a, "key42"));
    }

    @Test
    void visitRangeVisitsExactlyTheItemsOfThatRange() {
        for (int i = 0; i < 3000; i++) {
            a.set("k" + i, "v");
        }
        int r = range(a, "k7");
        List<String> seen = new ArrayList<>();
        remoteA.visitRange(r, RANGES, it -> {
            byte[] k = new byte[Item.nkey(it)];
            NativeMemory.copyToArray(Item.key(it), k, 0, k.length);
            seen.add(new String(k, StandardCharsets.ISO_8859_1));
            return true;
        });
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            if (range(a, "k" + i) == r) {
                expected.add("k" + i);
            }
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(expected).contains("k7");
        assertThat(remoteA.rangeDigests(RANGES)[2 * r]).isEqualTo(expected.size());
    }

    @Test
    void aWriteOlderThanADeleteIsRefusedAsTombstonedAndTheDeleteVersionIsKnown() {
        assertThat(copy("gone", "v1", 1000L << 20)).isEqualTo(RemoteWrites.APPLIED);
        assertThat(remoteB.delete(b.key("gone"), 4, 2000L << 20)).as("a newer delete removes it").isTrue();
        assertThat(remoteB.deletedAt(b.key("gone"), 4)).isEqualTo(2000L << 20);
        assertThat(copy("gone", "v1", 1000L << 20)).as("the old write again").isEqualTo(RemoteWrites.TOMBSTONED);
        assertThat(copy("gone", "v3", 3000L << 20)).as("a write newer than the delete").isEqualTo(RemoteWrites.APPLIED);
        assertThat(copy("gone", "v2", 2500L << 20)).as("older than what is there").isEqualTo(RemoteWrites.STALE);
    }
}
