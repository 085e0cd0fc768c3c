package memfleet.node.command;

import io.netty.buffer.ByteBuf;
import memfleet.node.store.NativeMemory;

/**
 * Appends reply bytes to a direct output buffer through its memory address: one bounds check per
 * reply piece instead of Netty's per-call checks, which matter when a reply is six small writes.
 */
public final class ReplyBytes {
    private ReplyBytes() {}

    public static void put(ByteBuf out, byte[] bytes) {
        put(out, bytes, bytes.length);
    }

    public static void put(ByteBuf out, byte[] bytes, int length) {
        out.ensureWritable(length);
        int w = out.writerIndex();
        NativeMemory.copyFromArray(bytes, 0, out.memoryAddress() + w, length);
        out.writerIndex(w + length);
    }

    public static void put(ByteBuf out, byte b) {
        out.ensureWritable(1);
        int w = out.writerIndex();
        NativeMemory.putByte(out.memoryAddress() + w, b);
        out.writerIndex(w + 1);
    }

    /** Copies native bytes to the end of {@code out}. */
    public static void copy(ByteBuf out, long from, int length) {
        out.ensureWritable(length);
        int w = out.writerIndex();
        NativeMemory.copy(from, out.memoryAddress() + w, length);
        out.writerIndex(w + length);
    }

    /** An unsigned 64-bit number in decimal, as memcached's {@code itoa_u64}. */
    public static void decimal(ByteBuf out, long value) {
        int len = 1;
        for (long v = Long.divideUnsigned(value, 10); v != 0; v = Long.divideUnsigned(v, 10)) {
            len++;
        }
        out.ensureWritable(len);
        int w = out.writerIndex();
        long a = out.memoryAddress() + w;
        long v = value;
        for (int i = len - 1; i >= 0; i--) {
            long q = Long.divideUnsigned(v, 10);
            NativeMemory.putByte(a + i, (byte) ('0' + (v - q * 10)));
            v = q;
        }
        out.writerIndex(w + len);
    }
}
