package memfleet.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import memfleet.node.os.Libc;
import memfleet.node.store.NativeMemory;
import memfleet.protocol.replication.MutationRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A mirror keeps another node's stream at that node's offsets, for as long as its ring holds it. */
class MirrorTest {
    private static final long REPLID = 0x1234;
    private final long frame = Libc.mmapAnonymous(1 << 16);
    private final long dst = Libc.mmapAnonymous(1 << 16);

    @AfterEach
    void free() {
        Libc.munmap(frame, 1 << 16);
        Libc.munmap(dst, 1 << 16);
    }

    /** Encodes DELETE records for {@code keys} at {@link #frame}; returns their total length. */
    private long records(String... keys) {
        long at = frame;
        for (String k : keys) {
            byte[] key = k.getBytes(StandardCharsets.US_ASCII);
            NativeMemory.fill(at, MutationRecord.HEADER, (byte) 0);
            NativeMemory.putByte(at + MutationRecord.OP, MutationRecord.DELETE);
            NativeMemory.putByte(at + MutationRecord.NKEY, (byte) key.length);
            NativeMemory.copyFromArray(key, 0, at + MutationRecord.HEADER, key.length);
            at += MutationRecord.length(key.length, 0);
        }
        return at - frame;
    }

    /** The keys of the records {@link Mirror#read} copies from {@code from}, or null when it holds none there. */
    private List<String> keysFrom(Mirror m, long replid, long from) {
        long n = m.read(replid, from, dst, 1 << 16);
        if (n < 0) {
            return null;
        }
        List<String> keys = new ArrayList<>();
        for (long at = dst; at < dst + n; ) {
            int nkey = NativeMemory.getByte(at + MutationRecord.NKEY) & 0xFF;
            byte[] key = new byte[nkey];
            NativeMemory.copyToArray(at + MutationRecord.HEADER, key, 0, nkey);
            keys.add(new String(key, StandardCharsets.US_ASCII));
            at += MutationRecord.length(nkey, 0);
        }
        return keys;
    }

    @Test
    void servesWhatItWasGivenAtTheOriginsOffsets() {
        Mirror m = new Mirror(4096);
        long len = records("a", "b");
        m.append(REPLID, 1000, frame, len, 50, 10);
        long len2 = records("c");
        m.append(REPLID, 1000 + len, frame, len2, 50, 10);
        assertThat(keysFrom(m, REPLID, 1000)).containsExactly("a", "b", "c");
        assertThat(keysFrom(m, REPLID, 1000 + MutationRecord.length(1, 0))).containsExactly("b", "c");
        assertThat(keysFrom(m, REPLID, 1000 + len + len2)).isEmpty();
        assertThat(keysFrom(m, REPLID, 999)).as("before what it holds").isNull();
        assertThat(keysFrom(m, REPLID + 1, 1000)).as("another incarnation of the origin").isNull();
        assertThat(m.originClock(20)).as("the origin's clock, 40 s ahead").isEqualTo(60);
    }

    @Test
    void aFrameThatDoesNotContinueTheRingRestartsItAndOneItHoldsIsIgnored() {
        Mirror m = new Mirror(4096);
        long len = records("a", "b");
        m.append(REPLID, 0, frame, len, 0, 0);
        m.append(REPLID, 0, frame, len, 0, 0); // a repair overlapping the stream
        assertThat(keysFrom(m, REPLID, 0)).containsExactly("a", "b");
        records("x");
        m.append(REPLID, 5000, frame, MutationRecord.length(1, 0), 0, 0); // a gap
        assertThat(keysFrom(m, REPLID, 0)).isNull();
        assertThat(keysFrom(m, REPLID, 5000)).containsExactly("x");
        records("y");
        m.append(REPLID + 1, 0, frame, MutationRecord.length(1, 0), 0, 0); // the origin restarted
        assertThat(keysFrom(m, REPLID, 5000)).isNull();
        assertThat(keysFrom(m, REPLID + 1, 0)).containsExactly("y");
    }

    @Test
    void keepsOnlyTheNewestRecordsItsRingHolds() {
        Mirror m = new Mirror(256);
        long one = MutationRecord.length(1, 0);
        long offset = 0;
        for (char c = 'a'; c <= 'z'; c++) {
            records(String.valueOf(c));
            m.append(REPLID, offset, frame, one, 0, 0);
            offset += one;
        }
        int held = (int) (256 / one);
        assertThat(keysFrom(m, REPLID, offset - held * one)).hasSize(held).endsWith("z");
        assertThat(keysFrom(m, REPLID, offset - (held + 1) * one)).isNull();
    }
}
