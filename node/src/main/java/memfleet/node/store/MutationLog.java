package memfleet.node.store;

/**
 * Told about every change a client makes to the store, under the key's stripe lock and in the order the
 * changes happen, so replication can ship them. Evictions, expiry and page moves are not changes a
 * client made and are not reported; neither are writes that came from a peer.
 */
public interface MutationLog {
    /** {@code it} is now the key's value: set, add, replace, cas, append, prepend, incr or decr. */
    void stored(long it);

    /** {@code it}'s exptime changed (touch, gat); its value and CAS did not. */
    void touched(long it);

    /** The key was deleted by a client; {@code version} orders the delete against writes. */
    void deleted(long key, int nkey, long version);

    /** flush_all: taking effect at relative time {@code at} (0: now); {@code version} is the flush's CAS. */
    void flushed(int at, long version);
}
