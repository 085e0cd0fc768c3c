package memfleet.node.replication;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

import memfleet.node.store.ItemIndex;
import memfleet.node.store.ItemStore;
import memfleet.node.store.RemoteWrites;
import memfleet.protocol.replication.ReplicationFrames;

/**
 * Anti-entropy between two nodes: each digests its items in {@link #RANGES} key ranges (an item's range
 * is its key hash modulo the count, so both ends agree whatever their index sizes), the subscriber
 * compares, and the two exchange the items of only the ranges that differ, applied last-writer-wins on
 * both ends (see {@link ReplicationFrames} for the frames). Two nodes that diverged for any reason (a
 * delete older than the delete table remembers, touches that raced, a repair that came too late) so
 * converge on exactly the differing keys, without a full copy. This class holds the wire encoding and
 * the node's counters; a round runs on its {@link PeerLink}, the answers on the peer's {@link Feed}.
 */
final class AntiEntropy {
    static final int RANGES = ItemIndex.STRIPES;

    /** Rounds this node started and finished. */
    final AtomicLong runs = new AtomicLong();
    /** Key ranges found different, over all of them. */
    final AtomicLong rangesDiffered = new AtomicLong();
    /** Keys that anti-entropy changed on this node, in rounds it started or answered. */
    final AtomicLong keysRepaired = new AtomicLong();

    /** AE_DIGESTS's payload: this node's digest of every range. */
    static byte[] digests(RemoteWrites remote) {
        long[] d = remote.rangeDigests(RANGES);
        byte[] p = new byte[4 + RANGES * 12];
        FrameIO.putInt(p, 0, RANGES);
        for (int r = 0, at = 4; r < RANGES; r++, at += 12) {
            FrameIO.putInt(p, at, (int) d[2 * r]);
            FrameIO.putLong(p, at + 4, d[2 * r + 1]);
        }
        return p;
    }

    /** The ranges where two AE_DIGESTS payloads differ, or null when they were made with different range counts. */
    static int[] differing(byte[] theirs, int theirLength, byte[] ours) {
        if (theirLength != ours.length || FrameIO.getInt(theirs, 0) != FrameIO.getInt(ours, 0)) {
            return null;
        }
        int ranges = FrameIO.getInt(ours, 0);
        int[] found = new int[ranges];
        int n = 0;
        for (int r = 0, at = 4; r < ranges; r++, at += 12) {
            if (FrameIO.getInt(theirs, at) != FrameIO.getInt(ours, at) || FrameIO.getLong(theirs, at + 4) != FrameIO.getLong(ours, at + 4)) {
                found[n++] = r;
            }
        }
        return java.util.Arrays.copyOf(found, n);
    }

    /** AE_RANGES's payload. */
    static byte[] rangesPayload(int[] ranges) {
        byte[] p = new byte[4 + 4 * ranges.length];
        FrameIO.putInt(p, 0, ranges.length);
        for (int i = 0; i < ranges.length; i++) {
            FrameIO.putInt(p, 4 + 4 * i, ranges[i]);
        }
        return p;
    }

    /** The ranges of an AE_RANGES payload (those below {@link #RANGES}). */
    static int[] ranges(byte[] p, int length) {
        int n = Math.min(FrameIO.getInt(p, 0), (length - 4) / 4);
        int[] r = new int[Math.max(0, n)];
        int k = 0;
        for (int i = 0; i < n; i++) {
            int range = FrameIO.getInt(p, 4 + 4 * i);
            if (range >= 0 && range < RANGES) {
                r[k++] = range;
            }
        }
        return java.util.Arrays.copyOf(r, k);
    }

    /**
     * Sends this node's live items of {@code ranges} as {@code type} frames (a sender clock, then SET
     * records), then the records already in {@code extra} (if any); returns how many items went.
     */
    static long sendRanges(FrameIO io, byte type, int[] ranges, RemoteWrites remote, ItemStore store, RecordBuffer extra)
            throws IOException {
        RecordBuffer buf = new RecordBuffer(4);
        long items = 0;
        for (int range : ranges) {
            remote.visitRange(range, RANGES, it -> {
                buf.addItem(it, store);
                return true;
            });
            if (buf.full()) {
                items += flush(io, type, buf, store);
            }
        }
        items += flush(io, type, buf, store);
        if (extra != null) {
            flush(io, type, extra, store);
        }
        return items;
    }

    /** Sends what {@code buf} holds as one {@code type} frame (nothing when empty); returns its record count. */
    static long flush(FrameIO io, byte type, RecordBuffer buf, ItemStore store) throws IOException {
        if (buf.isEmpty()) {
            return 0;
        }
        long n = buf.records();
        FrameIO.putInt(buf.bytes(), 0, store.clock().now());
        io.send(type, buf.bytes(), buf.length());
        buf.clear();
        return n;
    }
}
