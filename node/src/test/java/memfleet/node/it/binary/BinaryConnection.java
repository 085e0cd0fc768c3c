package memfleet.node.it.binary;

import static memfleet.protocol.binary.BinaryHeader.*;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import memfleet.node.it.ServerProcess;

/** A raw binary-protocol connection: writes request packets, reads response packets. */
final class BinaryConnection implements AutoCloseable {
    /** One response packet; {@link #EOF} stands for the server closing the connection. */
    record Packet(int opcode, int status, byte[] extras, byte[] key, byte[] value, int opaque, long cas) {
        static final Packet EOF = new Packet(-1, -1, new byte[0], new byte[0], new byte[0], 0, 0);

        String valueText() {
            return new String(value, java.nio.charset.StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            if (this == EOF) {
                return "<closed>";
            }
            return String.format("op=%02x status=%02x ext=%s key=%s value=%s opaque=%d cas=%d", opcode, status,
                    Arrays.toString(extras), text(key), text(value), opaque, cas);
        }

        private static String text(byte[] b) {
            StringBuilder sb = new StringBuilder("'");
            for (byte x : b) {
                sb.append(x >= 32 && x < 127 ? Character.toString(x) : String.format("\\x%02x", x & 0xff));
            }
            return sb.append('\'').toString();
        }
    }

    private final Socket socket;
    private final DataInputStream in;

    BinaryConnection(ServerProcess server) {
        try {
            socket = new Socket(server.host(), server.port());
            socket.setSoTimeout(5000);
            in = new DataInputStream(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] request(int opcode, byte[] key, byte[] extras, byte[] value, long cas, int opaque) {
        int body = extras.length + key.length + value.length;
        byte[] b = new byte[SIZE + body];
        write(b, 0, REQUEST_MAGIC, opcode, key.length, extras.length, 0, body, opaque, cas);
        System.arraycopy(extras, 0, b, SIZE, extras.length);
        System.arraycopy(key, 0, b, SIZE + extras.length, key.length);
        System.arraycopy(value, 0, b, SIZE + extras.length + key.length, value.length);
        return b;
    }

    static byte[] request(int opcode, String key, byte[] extras, String value) {
        return request(opcode, bytes(key), extras, bytes(value), 0, 0);
    }

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    static byte[] ints(int... v) {
        byte[] b = new byte[v.length * 4];
        for (int i = 0; i < v.length; i++) {
            putInt(b, i * 4, v[i]);
        }
        return b;
    }

    static byte[] arithmeticExtras(long delta, long initial, int exptime) {
        byte[] b = new byte[ARITHMETIC_EXTRAS];
        putLong(b, 0, delta);
        putLong(b, 8, initial);
        putInt(b, 16, exptime);
        return b;
    }

    void send(byte[]... requests) {
        try {
            for (byte[] r : requests) {
                socket.getOutputStream().write(r);
            }
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next packet, or {@link Packet#EOF} when the server closed (or reset) the connection. */
    Packet read() {
        try {
            byte[] h = new byte[SIZE];
            in.readFully(h);
            int extlen = h[EXTRAS_LENGTH] & 0xff;
            int keylen = getShort(h, KEY_LENGTH);
            int bodylen = getInt(h, BODY_LENGTH);
            byte[] body = new byte[bodylen];
            in.readFully(body);
            return new Packet(h[OPCODE] & 0xff, getShort(h, STATUS), Arrays.copyOfRange(body, 0, extlen),
                    Arrays.copyOfRange(body, extlen, extlen + keylen), Arrays.copyOfRange(body, extlen + keylen, bodylen),
                    getInt(h, OPAQUE), getLong(h, CAS));
        } catch (EOFException | java.net.SocketException e) {
            return Packet.EOF;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no reply within 5 s", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next packet, or null when none arrives within {@code millis}. */
    Packet readWithin(int millis) {
        try {
            socket.setSoTimeout(millis);
            try {
                return read();
            } catch (AssertionError silent) {
                return null;
            } finally {
                socket.setSoTimeout(5000);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code requests} in one write. */
    void sendTogether(List<byte[]> requests) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        requests.forEach(all::writeBytes);
        send(all.toByteArray());
    }

    /** Packets up to and including the first with {@code opaque} (or the close). */
    List<Packet> readThrough(int opaque) {
        List<Packet> packets = new ArrayList<>();
        while (true) {
            Packet p = read();
            packets.add(p);
            if (p == Packet.EOF || p.opaque() == opaque) {
                return packets;
            }
        }
    }

    /** Sends {@code requests} then a NOOP with {@code opaque}, and returns every packet through its reply. */
    List<Packet> exchange(int opaque, byte[]... requests) {
        send(requests);
        send(request(NOOP, new byte[0], new byte[0], new byte[0], 0, opaque));
        return readThrough(opaque);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
