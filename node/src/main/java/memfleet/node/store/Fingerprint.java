package memfleet.node.store;

/**
 * A 64-bit hash of native bytes for replication's bookkeeping: tombstone keys and the order-independent
 * digest that compares two nodes' contents. Not memcached's key hash (that is {@link Murmur3}).
 */
public final class Fingerprint {
    private static final long M = 0x9FB21C651E98DF25L;

    private Fingerprint() {}

    /** Hashes {@code n} bytes at {@code address}, continuing from {@code seed}. */
    public static long of(long address, long n, long seed) {
        long h = seed ^ (n * M);
        long i = 0;
        for (; i + 8 <= n; i += 8) {
            h = mix(h ^ NativeMemory.getLong(address + i));
        }
        long tail = 0;
        for (int shift = 0; i < n; i++, shift += 8) {
            tail |= (NativeMemory.getByte(address + i) & 0xFFL) << shift;
        }
        return mix(h ^ tail);
    }

    /** A strong 64-bit mixer (Stafford's variant 13, as in SplitMix64). */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The same hash fed in pieces: a value split across chunks hashes as if it were contiguous. */
    public static final class Stream {
        private long h;
        private long tail;
        private int tailBytes;
        private long n;

        public Stream reset(long seed) {
            h = seed;
            tail = 0;
            tailBytes = 0;
            n = 0;
            return this;
        }

        public Stream update(long address, long len) {
            long i = 0;
            while (i < len) {
                if (tailBytes == 0 && len - i >= 8) {
                    h = mix(h ^ NativeMemory.getLong(address + i));
                    i += 8;
                    continue;
                }
                tail |= (NativeMemory.getByte(address + i) & 0xFFL) << (tailBytes * 8);
                i++;
                if (++tailBytes == 8) {
                    h = mix(h ^ tail);
                    tail = 0;
                    tailBytes = 0;
                }
            }
            n += len;
            return this;
        }

        public long finish() {
            return mix(h ^ tail ^ (n * M));
        }
    }
}
