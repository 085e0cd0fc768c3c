package memfleet.node.replication;

/**
 * The recent part of one other node's stream as this node applied it, in a ring as large as the backlog,
 * so that a peer which lost its link to that origin can fetch from here what it missed ({@code REPAIR},
 * see {@link memfleet.protocol.replication.ReplicationFrames}). Kept in groups of three or more only: in
 * a pair the origin is the only other node. Offsets are the origin's, so a repaired peer resumes from the
 * origin itself where the repair left it.
 *
 * <p>One writer (the link to the origin, or a repair that continues it) appends after applying a frame;
 * readers serve repairs. The monitor orders them, so a reader never sees the ring restarted under it.
 */
final class Mirror {
    private final Backlog ring;
    /** The origin's incarnation whose offsets the ring holds (0: none yet). */
    private long replid;
    /** The origin's clock minus this node's, in seconds, as of the last frame: the records' exptimes are on it. */
    private int skew;

    Mirror(long capacity) {
        this.ring = new Backlog(capacity);
    }

    /**
     * After the records {@code [offset, offset + len)} of incarnation {@code replid}, at native {@code src},
     * were applied here: keeps them. A frame that does not continue the ring restarts it.
     */
    synchronized void append(long replid, long offset, long src, long len, int originClock, int now) {
        skew = originClock - now;
        if (replid == this.replid && offset + len <= ring.head() && offset >= ring.oldest()) {
            return; // held already (a repair and the origin's own stream overlapped)
        }
        if (replid != this.replid || offset != ring.head()) {
            this.replid = replid;
            ring.restartAt(offset);
        }
        ring.appendRecords(src, len);
    }

    /**
     * Copies whole records of incarnation {@code replid} from {@code from} into {@code dst}, as {@link
     * Backlog#read}; -1 also when this mirror holds another incarnation.
     */
    synchronized long read(long replid, long from, long dst, long max) {
        if (replid != this.replid) {
            return -1;
        }
        return ring.read(from, dst, max);
    }

    /** This node's estimate of the origin's clock now, for the exptimes of what {@link #read} copied. */
    synchronized int originClock(int now) {
        return now + skew;
    }
}
