package memfleet.node.replication;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import memfleet.node.store.Item;
import memfleet.node.store.ItemStore;
import memfleet.node.store.NativeMemory;
import memfleet.protocol.replication.MutationRecord;

/**
 * A frame's payload being filled with {@link MutationRecord}s made from live items (a full copy, an
 * anti-entropy exchange): a few leading bytes the frame needs first (its sender clock), then the records.
 * Grows for an item larger than it, and shrinks back after sending one.
 */
final class RecordBuffer {
    static final int CHUNK = 256 * 1024;
    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final int lead;
    private byte[] buf = new byte[CHUNK + 4096];
    private int pos;
    private long records;

    /** A buffer whose payloads start with {@code lead} bytes before the first record. */
    RecordBuffer(int lead) {
        this.lead = lead;
        this.pos = lead;
    }

    byte[] bytes() {
        return buf;
    }

    /** The payload's length so far, leading bytes included. */
    int length() {
        return pos;
    }

    boolean isEmpty() {
        return pos == lead;
    }

    /** At least one chunk's worth of records: time to send. */
    boolean full() {
        return pos >= CHUNK;
    }

    /** Records added since the last {@link #clear}. */
    long records() {
        return records;
    }

    /** Empties it after a send. */
    void clear() {
        pos = lead;
        records = 0;
        if (buf.length > 4 * CHUNK) {
            buf = new byte[CHUNK + 4096];
        }
    }

    /** A SET record of item {@code it} (under its stripe lock) with its value, flags, exptime and CAS. */
    void addItem(long it, ItemStore store) {
        int nkey = Item.nkey(it);
        int nbytes = Item.nbytes(it);
        int o = reserve(MutationRecord.length(nkey, nbytes));
        header(o, MutationRecord.SET, nkey, Item.clientFlags(it), Item.exptime(it), nbytes, Item.cas(it));
        NativeMemory.copyToArray(Item.key(it), buf, o + MutationRecord.HEADER, nkey);
        int vo = o + MutationRecord.HEADER + nkey;
        for (long off = 0; off < nbytes; ) {
            long run = store.contiguousFrom(it, off);
            NativeMemory.copyToArray(store.valueAddress(it, off), buf, vo + (int) off, (int) run);
            off += run;
        }
    }

    /** A DELETE record of the key at native {@code key} at {@code version}. */
    void addDelete(long key, int nkey, long version) {
        int o = reserve(MutationRecord.length(nkey, 0));
        header(o, MutationRecord.DELETE, nkey, 0, 0, 0, version);
        NativeMemory.copyToArray(key, buf, o + MutationRecord.HEADER, nkey);
    }

    private int reserve(long len) {
        if (pos + len > buf.length) {
            byte[] grown = new byte[(int) Math.max(buf.length * 2L, pos + len)];
            System.arraycopy(buf, 0, grown, 0, pos);
            buf = grown;
        }
        int o = pos;
        pos += (int) len;
        records++;
        return o;
    }

    private void header(int o, byte op, int nkey, int flags, int exptime, int nbytes, long version) {
        buf[o + MutationRecord.OP] = op;
        buf[o + MutationRecord.NKEY] = (byte) nkey;
        buf[o + 2] = 0;
        buf[o + 3] = 0;
        LE_INT.set(buf, o + MutationRecord.FLAGS, flags);
        LE_INT.set(buf, o + MutationRecord.EXPTIME, exptime);
        LE_INT.set(buf, o + MutationRecord.NBYTES, nbytes);
        LE_LONG.set(buf, o + MutationRecord.VERSION, version);
        LE_LONG.set(buf, o + MutationRecord.LOGGED_AT, 0L);
    }
}
