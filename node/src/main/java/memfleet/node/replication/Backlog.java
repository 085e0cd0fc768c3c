package memfleet.node.replication;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import memfleet.node.os.Libc;
import memfleet.node.store.Item;
import memfleet.node.store.ItemStore;
import memfleet.node.store.NativeMemory;
import memfleet.protocol.replication.MutationRecord;

/**
 * The ring of this node's recent mutations, off the Java heap, that peers stream from: offsets count
 * every byte ever logged, the ring keeps the last {@code capacity} bytes of whole records. A peer that
 * falls further behind than the ring is cut and resyncs by a full copy, so a slow or dead peer never
 * makes memory grow. Writers (worker threads, under their item's stripe lock) append under one short
 * lock; readers copy without it and then check that what they copied was not overwritten meanwhile.
 * The lock is a compare-and-set flag that yields rather than parks: it is held for one copy of a
 * record (tens of nanoseconds), so a writer that finds it taken only waits for a holder that was
 * preempted, and an unlock never has a sleeper to wake (no futex calls on the write path).
 */
final class Backlog {
    private static final VarHandle LOCKED;

    static {
        try {
            LOCKED = MethodHandles.lookup().findVarHandle(Backlog.class, "locked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long base;
    private final long capacity;
    @SuppressWarnings("unused") // through LOCKED
    private volatile int locked;
    private final Object signal = new Object();
    /** End of the last record: the next record's offset. */
    private volatile long head;
    /** Offset of the oldest record still whole in the ring. */
    private volatile long oldest;
    private volatile long ops;
    private volatile int waiting;

    Backlog(long capacity) {
        this.capacity = capacity;
        this.base = Libc.mmapAnonymous(capacity);
    }

    long head() {
        return head;
    }

    long oldest() {
        return oldest;
    }

    long ops() {
        return ops;
    }

    long capacity() {
        return capacity;
    }

    private void lock() {
        for (int spins = 0; !LOCKED.compareAndSet(this, 0, 1); spins++) {
            if (spins < 64) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // the holder was preempted: let it run
            }
        }
    }

    private void unlock() {
        LOCKED.setRelease(this, 0);
    }

    /** Appends a record for item {@code it} (SET or TOUCH); the value travels only with SET. */
    void appendItem(byte op, long it, ItemStore store) {
        int nkey = Item.nkey(it);
        int nbytes = op == MutationRecord.SET ? Item.nbytes(it) : 0;
        long len = MutationRecord.length(nkey, nbytes);
        lock();
        try {
            long at = reserve(len);
            if (at < 0) {
                return;
            }
            header(at, op, nkey, Item.clientFlags(it), Item.exptime(it), nbytes, Item.cas(it));
            put(at + MutationRecord.HEADER, Item.key(it), nkey);
            long pos = at + MutationRecord.HEADER + nkey;
            for (long off = 0; off < nbytes; ) {
                long run = store.contiguousFrom(it, off);
                put(pos + off, store.valueAddress(it, off), run);
                off += run;
            }
            publish(at + len);
        } finally {
            unlock();
        }
        wake();
    }

    /** Appends a DELETE or FLUSH record (a key without value, or no key). */
    void appendKeyOnly(byte op, long key, int nkey, int exptime, long version) {
        long len = MutationRecord.length(nkey, 0);
        lock();
        try {
            long at = reserve(len);
            if (at < 0) {
                return;
            }
            header(at, op, nkey, 0, exptime, 0, version);
            put(at + MutationRecord.HEADER, key, nkey);
            publish(at + len);
        } finally {
            unlock();
        }
        wake();
    }

    /**
     * Appends {@code len} bytes of whole records already encoded at {@code src} (a frame of another node's
     * stream, for a {@link Mirror}); a batch larger than the whole ring leaves it empty at the batch's end.
     */
    void appendRecords(long src, long len) {
        lock();
        try {
            long at = reserve(len);
            if (at >= 0) {
                put(at, src, len);
                publish(at + len);
            }
        } finally {
            unlock();
        }
    }

    /**
     * Empties the ring; the next record appended will be at {@code offset} (a mirror that lost its place).
     * Readers must not run meanwhile (a {@link Mirror} serializes them with its monitor).
     */
    void restartAt(long offset) {
        lock();
        try {
            head = offset;
            oldest = offset;
        } finally {
            unlock();
        }
    }

    /**
     * Makes room for {@code len} bytes at {@link #head}, dropping the oldest records; returns the offset,
     * or -1 when the record is larger than the whole ring (then nothing before it can be resumed from).
     */
    private long reserve(long len) {
        long at = head;
        if (len > capacity) {
            oldest = at + len;
            head = at + len;
            ops++;
            VarHandle.storeStoreFence();
            return -1;
        }
        long o = oldest;
        while (o < at + len - capacity) {
            o += recordLength(o);
        }
        if (o != oldest) {
            oldest = o;
            VarHandle.storeStoreFence(); // readers that see the new bytes see the new oldest too
        }
        return at;
    }

    private void header(long at, byte op, int nkey, int flags, int exptime, int nbytes, long version) {
        long pos = at % capacity;
        // straight into the ring unless the header wraps (then through a scratch copy)
        long dst = pos + MutationRecord.HEADER <= capacity ? base + pos : headerScratch;
        NativeMemory.putLong(dst + MutationRecord.OP, (op & 0xFFL) | (nkey & 0xFFL) << 8 | (long) flags << 32);
        NativeMemory.putLong(dst + MutationRecord.EXPTIME, (exptime & 0xFFFFFFFFL) | (long) nbytes << 32);
        NativeMemory.putLong(dst + MutationRecord.VERSION, version);
        NativeMemory.putLong(dst + MutationRecord.LOGGED_AT, System.currentTimeMillis());
        if (dst == headerScratch) {
            put(at, headerScratch, MutationRecord.HEADER);
        }
    }

    /** 32 bytes for composing a header that wraps around the ring's end (used under the lock). */
    private final long headerScratch = Libc.mmapAnonymous(4096);

    private void publish(long newHead) {
        ops++;
        head = newHead;
    }

    private void wake() {
        if (waiting > 0) {
            synchronized (signal) {
                signal.notifyAll();
            }
        }
    }

    /** Waits up to {@code millis} for the head to pass {@code offset}. */
    void awaitBeyond(long offset, long millis) throws InterruptedException {
        if (head > offset) {
            return;
        }
        synchronized (signal) {
            waiting++;
            try {
                if (head <= offset) {
                    signal.wait(millis);
                }
            } finally {
                waiting--;
            }
        }
    }

    /** Wakes every waiting reader (shutting down). */
    void wakeAll() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void put(long offset, long src, long n) {
        long pos = offset % capacity;
        long first = Math.min(n, capacity - pos);
        NativeMemory.copy(src, base + pos, first);
        if (first < n) {
            NativeMemory.copy(src + first, base, n - first);
        }
    }

    private void get(long offset, long dst, long n) {
        long pos = offset % capacity;
        long first = Math.min(n, capacity - pos);
        NativeMemory.copy(base + pos, dst, first);
        if (first < n) {
            NativeMemory.copy(base, dst + first, n - first);
        }
    }

    /** Under the lock, or for a record known to be intact: its total length. */
    /** Total bytes of the record whose header is at native {@code address} (not in the ring: a copy). */
    static long lengthAt(long address) {
        return MutationRecord.length(NativeMemory.getByte(address + MutationRecord.NKEY) & 0xFF,
                NativeMemory.getInt(address + MutationRecord.NBYTES));
    }

    private long recordLength(long offset) {
        long pos = offset % capacity;
        int nkey = NativeMemory.getByte(base + (pos + MutationRecord.NKEY) % capacity) & 0xFF;
        int nbytes = 0;
        for (int i = 0; i < 4; i++) {
            nbytes |= (NativeMemory.getByte(base + (pos + MutationRecord.NBYTES + i) % capacity) & 0xFF) << (8 * i);
        }
        return MutationRecord.length(nkey, nbytes);
    }

    /**
     * Copies whole records from {@code from} into {@code dst} (at most {@code max} bytes, but at least one
     * record however large if {@code max} allows it); returns the bytes copied, 0 when there is nothing
     * new (or the next record is not wholly logged yet), -1 when {@code from} has been overwritten (the
     * reader fell too far behind), or {@code -2 - length} when the next record is longer than {@code max}.
     */
    long read(long from, long dst, long max) {
        if (from < oldest) {
            return -1;
        }
        long h = head;
        long n = Math.min(h - from, max);
        if (n <= 0) {
            return 0;
        }
        get(from, dst, n);
        VarHandle.loadLoadFence();
        if (from < oldest) {
            return -1;
        }
        // cut at the last whole record, reading lengths from the verified copy
        long end = 0;
        while (end + MutationRecord.HEADER <= n) {
            long len = lengthAt(dst + end);
            if (end + len > n) {
                break;
            }
            end += len;
        }
        if (end == 0 && n >= MutationRecord.HEADER) {
            long len = lengthAt(dst);
            if (len > max) {
                return -2 - len; // the next record does not fit: the caller needs a larger buffer
            }
        }
        return end;
    }

    /** For {@code stats replication}: {records, milliseconds since the oldest} between {@code from} and the head. */
    long[] lagFrom(long from) {
        long h = head;
        if (from >= h) {
            return new long[] {0, 0};
        }
        lock();
        try {
            if (from < oldest) {
                return new long[] {ops, -1}; // fell out of the ring: a full copy is due
            }
            long records = 0;
            long loggedAt = 0;
            for (long o = from; o < head && records < 10_000_000; o += recordLength(o)) {
                if (records == 0) {
                    long scratch = headerScratch + 64;
                    get(o, scratch, MutationRecord.HEADER);
                    loggedAt = NativeMemory.getLong(scratch + MutationRecord.LOGGED_AT);
                }
                records++;
            }
            return new long[] {records, Math.max(0, System.currentTimeMillis() - loggedAt)};
        } finally {
            unlock();
        }
    }
}
