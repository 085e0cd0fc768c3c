package memfleet.node.store;

/**
 * The versions of recent client deletes, so a peer's older write to a deleted key does not bring it
 * back. A fixed direct-mapped table (64 K slots, 1 MB on the heap, allocated once): slot {@code hv & mask}
 * always falls under the key's stripe lock because the table is larger than the stripe count, so no
 * other lock is needed. A slot keeps the newest delete of the keys that share it; an overwritten entry
 * only forgets an old delete, it never drops a write newer than a delete it holds.
 */
final class Tombstones {
    private static final int SLOTS = 1 << 16;
    private final long[] keyHashes = new long[SLOTS];
    private final long[] versions = new long[SLOTS];

    /** Under the stripe lock of {@code hv}. */
    /** Remembers the delete; false when the slot already held this key's delete at this version or later. */
    boolean put(int hv, long key, int nkey, long version) {
        int slot = hv & (SLOTS - 1);
        long h = keyHash(key, nkey);
        if (keyHashes[slot] == h && versions[slot] >= version) {
            return false; // an older delete arriving late must not replace the newer one
        }
        keyHashes[slot] = h;
        versions[slot] = version;
        return true;
    }

    /** Under the stripe lock: the version of the key's last remembered delete, or 0. */
    long deletedAt(int hv, long key, int nkey) {
        int slot = hv & (SLOTS - 1);
        return versions[slot] != 0 && keyHashes[slot] == keyHash(key, nkey) ? versions[slot] : 0;
    }

    private static long keyHash(long key, int nkey) {
        return Fingerprint.of(key, nkey, 0x9E3779B97F4A7C15L);
    }
}
