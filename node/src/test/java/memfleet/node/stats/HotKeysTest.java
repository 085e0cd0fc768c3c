package memfleet.node.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class HotKeysTest {
    private final MemorySegment scratch = Arena.ofAuto().allocate(256);

    private void hit(HotKeys h, String key, int now) {
        byte[] b = key.getBytes(StandardCharsets.ISO_8859_1);
        MemorySegment.copy(b, 0, scratch, ValueLayout.JAVA_BYTE, 0, b.length);
        h.hit(scratch.address(), b.length, now);
    }

    private static List<String> keys(List<HotKeys.Entry> top) {
        return top.stream().map(e -> new String(e.key(), StandardCharsets.ISO_8859_1)).toList();
    }

    @Test
    void theHotKeysOfASkewedLoadComeFirstWithTheirCounts() {
        HotKeys h = new HotKeys(1);
        Random r = new Random(1);
        for (int i = 0; i < 100_000; i++) {
            int x = r.nextInt(100);
            // 30 % "a", 15 % "b", 5 % "c", the rest spread over 50,000 keys
            hit(h, x < 30 ? "a" : x < 45 ? "b" : x < 50 ? "c" : "cold" + r.nextInt(50_000), 0);
        }
        List<HotKeys.Entry> top = HotKeys.top(List.of(h), 1, 3);
        assertThat(keys(top)).containsExactly("a", "b", "c");
        // Space-Saving: a key's count is at most its true count plus its error bound, and at least its true count
        assertThat(top.get(0).hits()).isBetween(29_000L, 31_000L + top.get(0).error());
        assertThat(top.get(2).hits() - top.get(2).error()).isLessThanOrEqualTo(5_500L);
    }

    @Test
    void samplingCountsOneHitInRateAndScalesTheEstimate() {
        HotKeys h = new HotKeys(16);
        for (int i = 0; i < 16_000; i++) {
            hit(h, "k", 0);
        }
        // about 1,000 of the 16,000 hits are sampled (standard deviation 31): the estimate is their count times 16
        assertThat(HotKeys.top(List.of(h), 16, 10)).singleElement()
                .satisfies(e -> assertThat(e.hits()).isBetween(14_000L, 18_000L).isEqualTo(e.hits() / 16 * 16));
        HotKeys off = new HotKeys(0);
        hit(off, "k", 0);
        assertThat(HotKeys.top(List.of(off), 0, 10)).isEmpty();
    }

    @Test
    void threadsAddUpAndOldHitsFade() {
        HotKeys t1 = new HotKeys(1);
        HotKeys t2 = new HotKeys(1);
        for (int i = 0; i < 100; i++) {
            hit(t1, "x", 0);
            hit(t2, "x", 0);
            hit(t2, "y", 0);
        }
        List<HotKeys.Entry> top = HotKeys.top(List.of(t1, t2), 1, 10);
        assertThat(keys(top)).containsExactly("x", "y");
        assertThat(top.get(0).hits()).isEqualTo(200);
        // ten seconds later the counts halve (when the next hit comes): a key hot now overtakes
        for (int i = 0; i < 80; i++) {
            hit(t2, "z", HotKeys.HALF_LIFE_SECONDS);
        }
        top = HotKeys.top(List.of(t1, t2), 1, 10);
        assertThat(keys(top)).startsWith("x", "z", "y");
        assertThat(top.get(1).hits()).isEqualTo(80);
        assertThat(top.get(2).hits()).isEqualTo(50);
        t1.reset();
        t2.reset();
        assertThat(HotKeys.top(List.of(t1, t2), 1, 10)).isEmpty();
    }
}
