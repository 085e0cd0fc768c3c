package memfleet.node.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import memfleet.node.store.Fingerprint;
import memfleet.node.store.NativeMemory;

/**
 * One worker thread's sample of the keys its clients hit, for {@code stats hotkeys}: one hit in every
 * {@code sampleRate}, picked at random (a load that repeats with the rate's period must not alias onto one
 * key), is counted in a Space-Saving table of {@link #SLOTS} keys (a key not in the table
 * takes the place of the least counted one and inherits its count as its error bound), and every
 * {@link #HALF_LIFE_SECONDS} seconds all counts halve, so the table follows what is hot now. Fixed
 * arrays allocated once: a sampled hit hashes the key, scans 64 longs and may copy the key; the other
 * hits cost three shifts of a xorshift generator. The worker is the only writer; a reader copies the table under a sequence
 * number and retries when a write overlapped.
 */
public final class HotKeys {
    public static final int SLOTS = 64;
    public static final int HALF_LIFE_SECONDS = 10;
    private static final int MAX_KEY = 250;
    private static final long SEED = 0x6A09E667F3BCC909L;
    private static final VarHandle SEQ;

    static {
        try {
            SEQ = MethodHandles.lookup().findVarHandle(HotKeys.class, "seq", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int sampleMask;
    private long random = System.nanoTime() | 1;
    private int used;
    private int lastHalved;
    @SuppressWarnings("unused") // through SEQ
    private volatile int seq;
    private final long[] hashes = new long[SLOTS];
    private final long[] counts = new long[SLOTS];
    private final long[] errors = new long[SLOTS];
    private final int[] nkeys = new int[SLOTS];
    private final byte[] keys = new byte[SLOTS * MAX_KEY];

    /** {@code sampleRate}: a power of two, or 0 for no sampling at all. */
    public HotKeys(int sampleRate) {
        this.sampleMask = sampleRate <= 0 ? -1 : sampleRate - 1;
    }

    /**
     * Whether this hit is one of the sampled ones (one in {@code sampleRate}, never with rate 0); the caller
     * then {@linkplain #record records} it, so the other hits cost only this xorshift step.
     */
    public boolean sampled() {
        if (sampleMask < 0) {
            return false;
        }
        long x = random;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        random = x;
        return (x & sampleMask) == 0;
    }

    /** On a hit of the key at native {@code key}, if {@link #sampled()} ({@code now}: the server's clock, in s). */
    public void hit(long key, int nkey, int now) {
        if (sampled()) {
            record(key, nkey, now);
        }
    }

    /** Counts a sampled hit of the key at native {@code key}. */
    public void record(long key, int nkey, int now) {
        long h = Fingerprint.of(key, nkey, SEED);
        int v = (int) SEQ.getAndAdd(this, 1) + 1; // odd: a write is in progress
        try {
            if (now - lastHalved >= HALF_LIFE_SECONDS) {
                for (int i = 0; i < used; i++) {
                    counts[i] >>= 1;
                    errors[i] >>= 1;
                }
                lastHalved = now;
            }
            int min = 0;
            for (int i = 0; i < used; i++) {
                if (hashes[i] == h && nkeys[i] == nkey) {
                    counts[i]++;
                    return;
                }
                if (counts[i] < counts[min]) {
                    min = i;
                }
            }
            int slot;
            if (used < SLOTS) {
                slot = used++;
                counts[slot] = 1;
                errors[slot] = 0;
            } else {
                slot = min;
                errors[slot] = counts[slot];
                counts[slot]++;
            }
            hashes[slot] = h;
            int n = Math.min(nkey, MAX_KEY);
            nkeys[slot] = n;
            NativeMemory.copyToArray(key, keys, slot * MAX_KEY, n);
        } finally {
            SEQ.setRelease(this, v + 1);
        }
    }

    /** The sampled count of each key now, with its error bound: {@code {count, error}} by key bytes. */
    Map<Key, long[]> snapshot() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int before = (int) SEQ.getAcquire(this);
            if ((before & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            Map<Key, long[]> copy = new HashMap<>();
            int n = used;
            for (int i = 0; i < n; i++) {
                byte[] k = java.util.Arrays.copyOfRange(keys, i * MAX_KEY, i * MAX_KEY + nkeys[i]);
                copy.put(new Key(k), new long[] {counts[i], errors[i]});
            }
            VarHandle.loadLoadFence();
            if ((int) SEQ.getAcquire(this) == before) {
                return copy;
            }
        }
        return Map.of(); // the worker kept writing: this thread's sample is left out of this answer
    }

    /** A key's bytes, compared by content. */
    record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && java.util.Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(bytes);
        }
    }

    /** One line of {@code stats hotkeys}: a key, its estimated hits (sampled count × rate) and error bound. */
    public record Entry(byte[] key, long hits, long error) {
    }

    /**
     * The {@code limit} keys with the most estimated hits over every thread's sample: counts of the same
     * key on several threads add up.
     */
    public static List<Entry> top(List<HotKeys> threads, int sampleRate, int limit) {
        Map<Key, long[]> all = new HashMap<>();
        for (HotKeys t : threads) {
            t.snapshot().forEach((k, c) -> all.merge(k, c, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]}));
        }
        List<Entry> entries = new ArrayList<>();
        all.forEach((k, c) -> {
            if (c[0] > 0) {
                entries.add(new Entry(k.bytes(), c[0] * sampleRate, c[1] * sampleRate));
            }
        });
        entries.sort((a, b) -> Long.compare(b.hits(), a.hits()));
        return entries.size() > limit ? entries.subList(0, limit) : entries;
    }

    void reset() {
        int v = (int) SEQ.getAndAdd(this, 1) + 1;
        used = 0;
        SEQ.setRelease(this, v + 1);
    }
}
