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
 *
 * <pre>
 * frame      = type:u8 length:u32 payload[length]          (big-endian)
 * SUBSCRIBE  = magic:u32 node:u8 replid:u64 wantFull:u8 count:u32 (node:u8 replid:u64 offset:u64)*count
 * FULL       = node:u8 replid:u64 offset:u64 count:u32 (node:u8 replid:u64 offset:u64)*count items:u64
 * CONTINUE   = node:u8 replid:u64 offset:u64
 * REFUSED    = reason (UTF-8)
 * RECORDS    = senderClock:i32 offset:u64 record*           (offset of the first record)
 * SNAPSHOT   = senderClock:i32 record*
 * SNAPSHOT_END = items:u64
 * PING       = senderClock:i32
 * ACK        = offset:u64
 * REPAIR     = origin:u8 replid:u64 from:u64                (subscriber to peer)
 * MIRRORED   = originClock:i32 origin:u8 replid:u64 offset:u64 record*   (peer to subscriber)
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

    /** One entry of a position vector: node id, replication id, offset. */
    public static final int VECTOR_ENTRY = 1 + 8 + 8;
}
