package memfleet.node.stats;

import java.util.concurrent.atomic.AtomicLong;

/** Connection counters shared by all threads: opened, rejected over {@code -c}, currently open. */
public final class ConnectionStats {
    public final AtomicLong current = new AtomicLong();
    public final AtomicLong total = new AtomicLong();
    public final AtomicLong rejected = new AtomicLong();
    public final AtomicLong structures = new AtomicLong();

    public void reset() {
        total.set(0);
        rejected.set(0);
    }
}
