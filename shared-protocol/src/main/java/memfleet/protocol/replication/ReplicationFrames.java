package memfleet.protocol.replication;

/**
 * Frames on a replication link. A subscriber connects to a peer's replication port and sends {@link
 * #SUBSCRIBE}; the peer answers {@link #FULL} (a snapshot follows, then the stream), {@link #CONTINUE}
 * (the stream resumes from the subscriber's offset), {@link #NOT_READY} (the peer is itself still
 * copying) or {@link #REFUSED}. The stream is {@link #RECORDS} frames of whole {@link MutationRecord}s
 * and {@link #PING}s when idle; the subscriber answers with {@link #ACK}s of the offset it has applied.
 * In a group of three or more, a subscriber that has lost its link to an origin node asks its other peers
 * with {@link #REPAIR} for that origin's records past the position it has applied; a peer that kept them
 * (each node keeps a mirror of the streams it applies) answers with {@link #MIRRORED} frames on the same
 * connection. Writes travel from their origin to every peer once; this is the only relaying there is.
 * Anti-entropy, also on a subscription and started by the subscriber: it asks for the peer's digests of
 * {@code ranges} key ranges ({@link #AE_DIGESTS_REQ}; a key's range is its hash modulo {@code ranges}),
 * compares them with its own, asks for the items of the ranges that differ ({@link #AE_RANGES}), applies
 * them, pushes its own items of those ranges ({@link #AE_PUSH}, with DELETEs of keys it refused because it
 * deleted them later), and the peer answers {@link #AE_DONE} after sending back DELETEs of its own.
 *
 * <pre>
 * frame      = type:u8 length:u32 payload[length]          (big-endian)
 * SUBSCRIBE  = magic:u32 node:u8 replid:u64 wantFull:u8 count:u32 (node:u8 replid:u64 offset:u64)*count
 * FULL       = node:u8 replid:u64 offset:u64 count:u32 (node:u8 replid:u64 offset:u64)*count items:u64 bytes:u64
 * CONTINUE   = node:u8 replid:u64 offset:u64
 * REFUSED    = reason (UTF-8)
 * RECORDS    = senderClock:i32 offset:u64 record*           (offset of the first record)
 * SNAPSHOT   = senderClock:i32 record*
 * SNAPSHOT_END = items:u64
 * PING       = senderClock:i32
 * ACK        = offset:u64
 * REPAIR     = origin:u8 replid:u64 from:u64                (subscriber to peer)
 * MIRRORED   = originClock:i32 origin:u8 replid:u64 offset:u64 record*   (peer to subscriber)
 * AE_DIGESTS_REQ = ranges:u32                               (subscriber to peer)
 * AE_DIGESTS = ranges:u32 (items:u32 sum:u64)*ranges        (peer to subscriber)
 * AE_RANGES  = count:u32 range:u32*count                    (subscriber to peer)
 * AE_ITEMS   = senderClock:i32 record*                      (peer to subscriber; then AE_ITEMS_END)
 * AE_ITEMS_END = items:u64
 * AE_PUSH    = senderClock:i32 record*                      (subscriber to peer; then AE_PUSH_END)
 * AE_PUSH_END = items:u64
 * AE_DONE    = changed:u64                                  (peer to subscriber: keys the push changed there)
 * </pre>
 *
 * {@code senderClock} is the sender's relative clock (seconds); exptimes in the records are on that
 * clock, so the receiver turns them into remaining lifetimes and clock skew between hosts does not matter.
 * In MIRRORED the records' exptimes are on the origin's clock and {@code originClock} is the mirroring
 * peer's estimate of that clock now.
 * The vector in SUBSCRIBE and FULL lists, per origin node, the stream position its holder has applied.
 */
public final class ReplicationFrames {
    private ReplicationFrames() {}

    public static final int MAGIC = 0x4D465231; // "MFR1"
    public static final int HEADER = 5;

    public static final byte SUBSCRIBE = 1;
    public static final byte FULL = 2;
    public static final byte CONTINUE = 3;
    public static final byte NOT_READY = 4;
    public static final byte REFUSED = 5;
    public static final byte RECORDS = 6;
    public static final byte SNAPSHOT = 7;
    public static final byte SNAPSHOT_END = 8;
    public static final byte PING = 9;
    public static final byte ACK = 10;
    public static final byte REPAIR = 11;
    public static final byte MIRRORED = 12;
    public static final byte AE_DIGESTS_REQ = 13;
    public static final byte AE_DIGESTS = 14;
    public static final byte AE_RANGES = 15;
    public static final byte AE_ITEMS = 16;
    public static final byte AE_ITEMS_END = 17;
    public static final byte AE_PUSH = 18;
    public static final byte AE_PUSH_END = 19;
    public static final byte AE_DONE = 20;

    /** One entry of a position vector: node id, replication id, offset. */
    public static final int VECTOR_ENTRY = 1 + 8 + 8;
}
