package memfleet.node.replication;

import memfleet.node.os.Libc;
import memfleet.node.store.ItemStore;
import memfleet.node.store.NativeMemory;
import memfleet.node.store.RemoteWrites;
import memfleet.protocol.replication.MutationRecord;

/**
 * Applies a frame's {@link MutationRecord}s to this node last-writer-wins ({@link RemoteWrites}), for one
 * thread: copies them into its own native scratch first, so keys and values have addresses for the
 * store (and the copy stays there for a {@link Mirror} to keep). Counts the records and how many changed
 * this node.
 */
final class RecordApplier {
    private final RemoteWrites remote;
    private final ItemStore store;
    private long scratch;
    private long scratchSize;
    private long changed;

    RecordApplier(RemoteWrites remote, ItemStore store) {
        this.remote = remote;
        this.store = store;
    }

    /** The native copy of the records the last {@link #apply} got. */
    long scratch() {
        return scratch;
    }

    /** How many records of the last {@link #apply} changed this node (a set stored, a delete that removed). */
    long changed() {
        return changed;
    }

    /**
     * Applies the records in {@code p[from, from + len)}, whose exptimes are on {@code senderClock}; returns
     * how many there were. With {@code refused}, a SET this node refuses because it deleted the key later
     * adds a DELETE of it at that later version there (so anti-entropy tells the sender).
     */
    long apply(byte[] p, int from, int len, int senderClock, RecordBuffer refused) {
        changed = 0;
        if (len <= 0) {
            return 0;
        }
        if (scratchSize < len) {
            free();
            scratchSize = Math.max(len, RecordBuffer.CHUNK);
            scratch = Libc.mmapAnonymous(scratchSize);
        }
        NativeMemory.copyFromArray(p, from, scratch, len);
        int now = store.clock().now();
        long at = scratch;
        long end = scratch + len;
        long ops = 0;
        while (at + MutationRecord.HEADER <= end) {
            byte op = NativeMemory.getByte(at + MutationRecord.OP);
            int nkey = NativeMemory.getByte(at + MutationRecord.NKEY) & 0xFF;
            int flags = NativeMemory.getInt(at + MutationRecord.FLAGS);
            int exptime = NativeMemory.getInt(at + MutationRecord.EXPTIME);
            int nbytes = NativeMemory.getInt(at + MutationRecord.NBYTES);
            long version = NativeMemory.getLong(at + MutationRecord.VERSION);
            long key = at + MutationRecord.HEADER;
            int local = exptime == 0 ? 0 : now + (exptime - senderClock);
            switch (op) {
                case MutationRecord.SET -> {
                    if (exptime == 0 || exptime > senderClock) {
                        int r = remote.set(key, nkey, flags, local, version, key + nkey, nbytes);
                        if (r == RemoteWrites.APPLIED) {
                            changed++;
                        } else if (r == RemoteWrites.TOMBSTONED && refused != null) {
                            refused.addDelete(key, nkey, remote.deletedAt(key, nkey));
                        }
                    }
                }
                case MutationRecord.DELETE -> {
                    if (remote.delete(key, nkey, version)) {
                        changed++;
                    }
                }
                case MutationRecord.TOUCH -> remote.touch(key, nkey, exptime != 0 && exptime <= senderClock ? now : local, version);
                case MutationRecord.FLUSH -> remote.flush(exptime == 0 ? 0 : local, version);
                default -> { }
            }
            ops++;
            at += MutationRecord.length(nkey, nbytes);
        }
        return ops;
    }

    /** Releases the scratch (the thread is done). */
    void free() {
        if (scratch != 0) {
            Libc.munmap(scratch, scratchSize);
            scratch = 0;
            scratchSize = 0;
        }
    }
}
