package memfleet.node.replication;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.atomic.LongAdder;

import memfleet.protocol.replication.ReplicationFrames;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Frames over one replication socket (see {@link ReplicationFrames}), blocking: one platform thread reads,
 * one writes; a read waits at most the socket's timeout. With {@code --repl-compress} a frame of at least
 * {@link #MIN_COMPRESSED} bytes goes LZ4-compressed when that saves a sixteenth or more: its type gets the
 * {@link #COMPRESSED} bit and its payload is the original length (u32) then the LZ4 block. Every reader
 * understands both, so the two ends of a link choose for themselves.
 */
final class FrameIO implements Closeable {
    static final int COMPRESSED = 0x80;
    static final int MIN_COMPRESSED = 2048;
    private static final int MAX_FRAME = (1 << 30) + (1 << 20);
    private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4.safeDecompressor();
    /** Over all links: frame payload bytes sent, and bytes that went on the wire for them (after compression). */
    static final LongAdder PAYLOAD_OUT = new LongAdder();
    static final LongAdder WIRE_OUT = new LongAdder();

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final LZ4Compressor compressor;
    private byte[] payload = new byte[64 * 1024];
    private int length;
    /** Compression scratch: the frame's payload in one piece, and its LZ4 block (sender side, under the send lock). */
    private byte[] plain = new byte[0];
    private byte[] packed = new byte[0];
    /** A compressed frame as read. */
    private byte[] wire = new byte[0];

    FrameIO(Socket socket, int readTimeoutMillis) throws IOException {
        this(socket, readTimeoutMillis, false);
    }

    FrameIO(Socket socket, int readTimeoutMillis, boolean compress) throws IOException {
        this.compressor = compress ? LZ4.fastCompressor() : null;
        this.socket = socket;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(readTimeoutMillis);
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
    }

    String remote() {
        return String.valueOf(socket.getRemoteSocketAddress());
    }

    /** Reads the next frame; its payload is {@link #payload()}[0, {@link #length()}). */
    byte read() throws IOException {
        byte type = in.readByte();
        int len = in.readInt();
        if (len < 0 || len > MAX_FRAME) {
            throw new IOException("bad replication frame length " + len);
        }
        if ((type & COMPRESSED) != 0) {
            return readCompressed((byte) (type & ~COMPRESSED), len);
        }
        if (payload.length < len) {
            payload = new byte[Math.max(len, payload.length * 2)];
        } else if (payload.length > (4 << 20) && len < (64 << 10)) {
            payload = new byte[64 * 1024]; // a huge item has passed: give its buffer back
        }
        in.readFully(payload, 0, len);
        length = len;
        return type;
    }

    private byte readCompressed(byte type, int len) throws IOException {
        int original = in.readInt();
        if (len < 4 || original < 0 || original > MAX_FRAME) {
            throw new IOException("bad compressed replication frame: " + len + " bytes for " + original);
        }
        int n = len - 4;
        if (wire.length < n || wire.length > (4 << 20) && n < (64 << 10)) {
            wire = new byte[n];
        }
        in.readFully(wire, 0, n);
        if (payload.length < original) {
            payload = new byte[Math.max(original, payload.length * 2)];
        }
        int got;
        try {
            got = DECOMPRESSOR.decompress(wire, 0, n, payload, 0, original);
        } catch (net.jpountz.lz4.LZ4Exception e) {
            throw new IOException("corrupt compressed replication frame: " + e.getMessage());
        }
        if (got != original) {
            throw new IOException("compressed replication frame gave " + got + " bytes, not " + original);
        }
        length = original;
        return type;
    }

    byte[] payload() {
        return payload;
    }

    int length() {
        return length;
    }

    /** Writes one frame whose payload is {@code head} then {@code body[0, bodyLength)}, and flushes. */
    synchronized void send(byte type, byte[] head, int headLength, byte[] body, int bodyLength) throws IOException {
        int len = headLength + bodyLength;
        PAYLOAD_OUT.add(len);
        if (compressor != null && len >= MIN_COMPRESSED && sendCompressed(type, head, headLength, body, bodyLength)) {
            return;
        }
        WIRE_OUT.add(5 + len);
        out.writeByte(type);
        out.writeInt(headLength + bodyLength);
        out.write(head, 0, headLength);
        if (bodyLength > 0) {
            out.write(body, 0, bodyLength);
        }
        out.flush();
    }

    /** Sends the frame compressed if that saves enough; false when it must go plain. */
    private boolean sendCompressed(byte type, byte[] head, int headLength, byte[] body, int bodyLength) throws IOException {
        int len = headLength + bodyLength;
        byte[] src;
        if (bodyLength == 0) {
            src = head;
        } else {
            if (plain.length < len) {
                plain = new byte[Math.max(len, 256 * 1024)];
            }
            System.arraycopy(head, 0, plain, 0, headLength);
            System.arraycopy(body, 0, plain, headLength, bodyLength);
            src = plain;
        }
        int max = compressor.maxCompressedLength(len);
        if (packed.length < max) {
            packed = new byte[Math.max(max, 256 * 1024)];
        }
        int n = compressor.compress(src, 0, len, packed, 0, max);
        if (n > len - len / 16) {
            return false;
        }
        WIRE_OUT.add(9 + n);
        out.writeByte(type | COMPRESSED);
        out.writeInt(4 + n);
        out.writeInt(len);
        out.write(packed, 0, n);
        out.flush();
        if (plain.length > (4 << 20) && len < (256 << 10)) {
            plain = new byte[0]; // a huge item has passed
            packed = new byte[0];
        }
        return true;
    }

    void send(byte type, byte[] head, int headLength) throws IOException {
        send(type, head, headLength, null, 0);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
    }

    /** Big-endian field writers for handshake payloads. */
    static int putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + 7 - i] = (byte) (v >>> (8 * i));
        }
        return at + 8;
    }

    static int putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
        return at + 4;
    }

    static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    static int getInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }
}
