package memfleet.node.stats;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connection counters shared by all threads: opened, rejected over {@code -c}, currently open, and the connection
 * structures memcached would have allocated.
 */
public final class ConnectionStats {
    public final AtomicLong current = new AtomicLong();
    public final AtomicLong total = new AtomicLong();
    public final AtomicLong rejected = new AtomicLong();
    public final AtomicLong structures = new AtomicLong();
    private final BitSet descriptorsSeen = new BitSet();

    /**
     * A listener, UDP socket or connection starts on file descriptor {@code fd}. memcached keeps one connection
     * structure per descriptor and allocates it the first time that descriptor is served, so {@code
     * connection_structures} counts the distinct descriptors ever used, listeners and UDP sockets included.
     */
    public void servesOn(int fd) {
        synchronized (descriptorsSeen) {
            if (!descriptorsSeen.get(fd)) {
                descriptorsSeen.set(fd);
                structures.incrementAndGet();
            }
        }
    }

    public void reset() {
        total.set(0);
        rejected.set(0);
    }
}
