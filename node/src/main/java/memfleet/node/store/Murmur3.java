package memfleet.node.store;

/** MurmurHash3 x86_32 with seed 0 over native memory: memcached's default {@code hash_algorithm}. */
public final class Murmur3 {
    private Murmur3() {}

    public static int hash(long address, int length) {
        final int c1 = 0xcc9e2d51;
        final int c2 = 0x1b873593;
        int h1 = 0;
        int blocks = length >>> 2;
        for (int i = 0; i < blocks; i++) {
            int k1 = NativeMemory.getInt(address + ((long) i << 2));
            k1 *= c1;
            k1 = Integer.rotateLeft(k1, 15);
            k1 *= c2;
            h1 ^= k1;
            h1 = Integer.rotateLeft(h1, 13);
            h1 = h1 * 5 + 0xe6546b64;
        }
        long tail = address + ((long) blocks << 2);
        int k1 = 0;
        switch (length & 3) {
            case 3:
                k1 ^= (NativeMemory.getByte(tail + 2) & 0xff) << 16;
            // fall through
            case 2:
                k1 ^= (NativeMemory.getByte(tail + 1) & 0xff) << 8;
            // fall through
            case 1:
                k1 ^= NativeMemory.getByte(tail) & 0xff;
                k1 *= c1;
                k1 = Integer.rotateLeft(k1, 15);
                k1 *= c2;
                h1 ^= k1;
            default:
                break;
        }
        h1 ^= length;
        h1 ^= h1 >>> 16;
        h1 *= 0x85ebca6b;
        h1 ^= h1 >>> 13;
        h1 *= 0xc2b2ae35;
        h1 ^= h1 >>> 16;
        return h1;
    }
}
