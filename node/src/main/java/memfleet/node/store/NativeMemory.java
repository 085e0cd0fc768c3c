package memfleet.node.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads and writes native memory by absolute address through one segment spanning the address space,
 * the FFM equivalent of memcached's plain pointers. Callers own the bounds: every address passed here
 * lies inside the slab region or inside a live Netty direct buffer.
 */
public final class NativeMemory {
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private NativeMemory() {}

    public static int getInt(long address) {
        return ALL.get(INT, address);
    }

    public static void putInt(long address, int value) {
        ALL.set(INT, address, value);
    }

    public static long getLong(long address) {
        return ALL.get(LONG, address);
    }

    public static void putLong(long address, long value) {
        ALL.set(LONG, address, value);
    }

    public static byte getByte(long address) {
        return ALL.get(BYTE, address);
    }

    public static void putByte(long address, byte value) {
        ALL.set(BYTE, address, value);
    }

    public static void copy(long from, long to, long length) {
        MemorySegment.copy(ALL, from, ALL, to, length);
    }

    public static void copyToArray(long from, byte[] to, int offset, int length) {
        MemorySegment.copy(ALL, BYTE, from, to, offset, length);
    }

    public static void copyFromArray(byte[] from, int offset, long to, int length) {
        MemorySegment.copy(from, offset, ALL, BYTE, to, length);
    }

    public static void fill(long address, long length, byte value) {
        ALL.asSlice(address, length).fill(value);
    }

    /**
     * Index of the first {@code value} byte in {@code [address, address + length)}, or -1. Scans eight
     * bytes at a time (the classic has-zero-byte test on {@code word ^ pattern}).
     */
    public static int indexOf(long address, int length, byte value) {
        long pattern = (value & 0xFFL) * 0x0101010101010101L;
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            long x = ALL.get(LONG, address + i) ^ pattern;
            long found = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < length; i++) {
            if (ALL.get(BYTE, address + i) == value) {
                return i;
            }
        }
        return -1;
    }

    /** True when the {@code length} bytes at {@code a} and {@code b} are equal. */
    public static boolean equal(long a, long b, int length) {
        return MemorySegment.mismatch(ALL, a, a + length, ALL, b, b + length) < 0;
    }
}
