package memfleet.node.store;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

import memfleet.node.config.Settings;

/** Drives an {@link ItemStore} the way the command layer does, with keys and values in native memory. */
final class StoreFixture {
    final ItemStore store;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment valueScratch = arena.allocate(4 << 20);
    private final MemorySegment scratch = arena.allocate(4 << 20);

    StoreFixture(Settings settings) {
        this(new ItemStore(settings));
    }

    /** Another thread's view of the same store (each thread needs its own key scratch memory). */
    StoreFixture(ItemStore store) {
        this.store = store;
    }

    static Settings settings(long maxBytes) {
        Settings s = new Settings();
        s.maxBytes = maxBytes;
        return s;
    }

    long key(String key) {
        byte[] b = key.getBytes(StandardCharsets.ISO_8859_1);
        MemorySegment.copy(b, 0, scratch, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
        return scratch.address();
    }

    /** set: allocate, fill, store under the lock; returns memcached's store result or NO_MEMORY. */
    int store(int comm, String key, byte[] value, int flags, int exptime, long cas) {
        byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
        long keyAddr = key(key);
        if (store.tooLarge(k.length, flags, value.length)) {
            return ItemStore.TOO_LARGE;
        }
        long it = store.allocate(keyAddr, k.length, flags, store.clock().realtime(exptime), value.length);
        if (it == 0) {
            return ItemStore.NO_MEMORY;
        }
        MemorySegment.copy(value, 0, valueScratch, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, value.length);
        store.writeValue(it, 0, valueScratch.address(), value.length);
        int hv = store.hash(Item.key(it), k.length);
        ReentrantLock lock = store.lock(hv);
        int ret;
        lock.lock();
        try {
            ret = store.store(it, comm, hv, cas);
        } finally {
            lock.unlock();
        }
        if (ret != ItemStore.STORED || comm == ItemStore.APPEND || comm == ItemStore.PREPEND) {
            store.freeChunks(it);
        }
        return ret;
    }

    int set(String key, String value) {
        return store(ItemStore.SET, key, value.getBytes(StandardCharsets.ISO_8859_1), 0, 0, 0);
    }

    /** The value, or null on a miss. */
    byte[] get(String key) {
        int nkey = key.length();
        long k = key(key);
        int hv = store.hash(k, nkey);
        ReentrantLock lock = store.lock(hv);
        lock.lock();
        try {
            long it = store.get(hv, k, nkey);
            if (it <= 0) {
                return null;
            }
            store.bump(it, hv);
            byte[] out = new byte[Item.nbytes(it)];
            long off = 0;
            while (off < out.length) {
                long run = store.contiguousFrom(it, off);
                NativeMemory.copyToArray(store.valueAddress(it, off), out, (int) off, (int) run);
                off += run;
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    String getString(String key) {
        byte[] v = get(key);
        return v == null ? null : new String(v, StandardCharsets.ISO_8859_1);
    }

    long cas(String key) {
        long k = key(key);
        int hv = store.hash(k, key.length());
        ReentrantLock lock = store.lock(hv);
        lock.lock();
        try {
            long it = store.get(hv, k, key.length());
            return it <= 0 ? 0 : Item.cas(it);
        } finally {
            lock.unlock();
        }
    }

    boolean delete(String key) {
        long k = key(key);
        int hv = store.hash(k, key.length());
        ReentrantLock lock = store.lock(hv);
        lock.lock();
        try {
            long it = store.get(hv, k, key.length());
            if (it <= 0) {
                return false;
            }
            store.unlink(it, hv);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** incr/decr: the new value as text, or a DELTA_* code name. */
    String delta(String key, boolean incr, long delta) {
        long k = key(key);
        int hv = store.hash(k, key.length());
        ReentrantLock lock = store.lock(hv);
        byte[] digits = new byte[24];
        int[] result = new int[3];
        lock.lock();
        try {
            int rc = store.addDelta(hv, k, key.length(), incr, delta, digits, result);
            return rc == ItemStore.DELTA_OK ? new String(digits, 0, result[0], StandardCharsets.US_ASCII) : "rc" + rc;
        } finally {
            lock.unlock();
        }
    }
}
