package memfleet.node.replication;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;

import memfleet.protocol.replication.ReplicationFrames;

/**
 * Frames over one replication socket (see {@link ReplicationFrames}), blocking: one platform thread reads,
 * one writes; a read waits at most the socket's timeout.
 */
final class FrameIO implements Closeable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private byte[] payload = new byte[64 * 1024];
    private int length;

    FrameIO(Socket socket, int readTimeoutMillis) throws IOException {
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
        if (len < 0 || len > (1 << 30) + (1 << 20)) {
            throw new IOException("bad replication frame length " + len);
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

    byte[] payload() {
        return payload;
    }

    int length() {
        return length;
    }

    /** Writes one frame whose payload is {@code head} then {@code body[0, bodyLength)}, and flushes. */
    synchronized void send(byte type, byte[] head, int headLength, byte[] body, int bodyLength) throws IOException {
        out.writeByte(type);
        out.writeInt(headLength + bodyLength);
        out.write(head, 0, headLength);
        if (bodyLength > 0) {
            out.write(body, 0, bodyLength);
        }
        out.flush();
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
