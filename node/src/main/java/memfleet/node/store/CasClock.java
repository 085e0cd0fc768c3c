package memfleet.node.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Where CAS values come from. A lone node counts up from 1 as memcached does. A replicating node issues
 * hybrid logical clock versions instead, {@code wall-clock ms << 20 | counter << 8 | node id}: they rise
 * with time on every node, never repeat across nodes (the low byte is the issuer), and after
 * {@link #observe} a node's next version is above every version it has seen, so "larger CAS" means
 * "later write" group-wide and last-writer-wins needs no other timestamp.
 */
public final class CasClock {
    private static final int NODE_BITS = 8;
    private static final long STEP = 1L << NODE_BITS;
    private static final int PHYSICAL_SHIFT = 20;

    private final AtomicLong last = new AtomicLong();
    private final boolean hybrid;
    private final long nodeId;

    private CasClock(boolean hybrid, int nodeId) {
        this.hybrid = hybrid;
        this.nodeId = nodeId;
    }

    /** memcached's counter: 1, 2, 3, ... */
    public static CasClock counter() {
        return new CasClock(false, 0);
    }

    /** Versions for a replicating node with id {@code nodeId} (0-255). */
    public static CasClock hybrid(int nodeId) {
        if (nodeId < 0 || nodeId > 255) {
            throw new IllegalArgumentException("node id must be 0-255: " + nodeId);
        }
        return new CasClock(true, nodeId);
    }

    public boolean hybrid() {
        return hybrid;
    }

    /** The issuer of a hybrid version. */
    public static int nodeOf(long version) {
        return (int) (version & (STEP - 1));
    }

    /** A new CAS value, above every value issued or observed before. */
    public long next() {
        if (!hybrid) {
            return last.incrementAndGet();
        }
        long physical = (System.currentTimeMillis() << PHYSICAL_SHIFT) | nodeId;
        while (true) {
            long prev = last.get();
            long v = Math.max(prev + STEP, physical);
            if (last.compareAndSet(prev, v)) {
                return v;
            }
        }
    }

    /** The last value issued (or observed, rounded to this node). */
    public long current() {
        return last.get();
    }

    /** Moves the clock past a version another node issued, so later local writes win over it. */
    public void observe(long version) {
        if (!hybrid) {
            return;
        }
        long mine = (version & ~(STEP - 1)) | nodeId;
        last.accumulateAndGet(mine, Math::max);
    }
}
