package memfleet.node.it.udp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A raw memcached UDP client: sends one datagram with the 8-byte frame header in front of a payload and
 * collects the datagrams that come back, exactly as they come.
 */
final class UdpClient implements AutoCloseable {
    static final int HEADER_SIZE = 8;
    /** memcached's UDP_MAX_PAYLOAD_SIZE: a reply datagram, header included. */
    static final int MAX_DATAGRAM = 1400;
    static final int DATA_SIZE = MAX_DATAGRAM - HEADER_SIZE;

    /** One datagram of a reply: its frame header fields and what follows the header. */
    record Datagram(int requestId, int sequence, int total, int reserved, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.ISO_8859_1);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Datagram d && d.requestId == requestId && d.sequence == sequence
                    && d.total == total && d.reserved == reserved && Arrays.equals(d.payload, payload);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(payload) * 31 + requestId;
        }

        @Override
        public String toString() {
            String t = text();
            if (t.length() > 60) {
                t = t.substring(0, 40) + "..." + t.substring(t.length() - 15);
            }
            return "[id " + requestId + " seq " + sequence + "/" + total + " res " + reserved + " " + payload.length
                    + "B " + t.replace("\r\n", "|") + "]";
        }
    }

    private final DatagramSocket socket;
    private final InetSocketAddress server;

    UdpClient(String host, int port) {
        try {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0));
            socket.setReceiveBufferSize(4 << 20);
            server = new InetSocketAddress(host, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A UDP port nobody on loopback holds right now. */
    static int freePort() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The frame header: request id, sequence number, datagram count, reserved; big-endian 16-bit each. */
    static byte[] header(int requestId, int sequence, int total, int reserved) {
        return ByteBuffer.allocate(HEADER_SIZE).putShort((short) requestId).putShort((short) sequence)
                .putShort((short) total).putShort((short) reserved).array();
    }

    /** Sends a request datagram as clients do: id, sequence 0 of 1, reserved 0. */
    UdpClient send(int requestId, String payload) {
        return sendRaw(concat(header(requestId, 0, 1, 0), payload.getBytes(StandardCharsets.ISO_8859_1)));
    }

    UdpClient sendRaw(byte[] datagram) {
        try {
            socket.send(new DatagramPacket(datagram, datagram.length, server));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Receives datagrams until {@code count} arrived or none came for {@code quietMillis}. */
    List<Datagram> receive(int count, int quietMillis) {
        List<Datagram> got = new ArrayList<>();
        byte[] buf = new byte[65536];
        try {
            socket.setSoTimeout(quietMillis);
            while (got.size() < count) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                got.add(parse(Arrays.copyOf(p.getData(), p.getLength())));
            }
        } catch (SocketTimeoutException quiet) {
            // nothing more within quietMillis
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return got;
    }

    /** Receives datagrams until none came for {@code quietMillis}, waiting at most 5 s for the first. */
    List<Datagram> receiveAll(int quietMillis) {
        List<Datagram> got = new ArrayList<>(receive(1, 5000));
        if (!got.isEmpty()) {
            got.addAll(receive(Integer.MAX_VALUE, quietMillis));
        }
        return got;
    }

    private static Datagram parse(byte[] d) {
        if (d.length < HEADER_SIZE) {
            throw new AssertionError("datagram shorter than its header: " + d.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(d);
        return new Datagram(b.getShort() & 0xFFFF, b.getShort() & 0xFFFF, b.getShort() & 0xFFFF,
                b.getShort() & 0xFFFF, Arrays.copyOfRange(d, HEADER_SIZE, d.length));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /**
     * The datagrams memcached sends for one reply message of {@code body}: 1392-byte pieces numbered
     * 0..n-1 of n, or a bare header with count 0 for an empty reply.
     */
    static List<Datagram> message(int requestId, byte[] body) {
        List<Datagram> out = new ArrayList<>();
        int total = (body.length + DATA_SIZE - 1) / DATA_SIZE;
        int seq = 0;
        int at = 0;
        do {
            int n = Math.min(DATA_SIZE, body.length - at);
            out.add(new Datagram(requestId, seq++, total, 0, Arrays.copyOfRange(body, at, at + n)));
            at += n;
        } while (at < body.length);
        return out;
    }

    static List<Datagram> message(int requestId, String body) {
        return message(requestId, body.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Puts a reply back together the way a client must: runs of datagrams numbered 0..n-1 of n, each run
     * one message, the messages in arrival order. Fails on a run that does not count up to its total.
     */
    static byte[] reassemble(List<Datagram> datagrams) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int expected = 0;
        int total = 0;
        for (Datagram d : datagrams) {
            if (d.sequence() == 0) {
                if (expected < total) {
                    throw new AssertionError("message cut short at " + expected + " of " + total + ": " + datagrams);
                }
                expected = 0;
                total = d.total();
            }
            boolean bare = total == 0 && expected == 0 && d.payload().length == 0;
            if (d.sequence() != expected || d.total() != total || (total == 0 && !bare)) {
                throw new AssertionError("datagram out of sequence: " + d + " in " + datagrams);
            }
            expected++;
            all.writeBytes(d.payload());
        }
        if (expected < total) {
            throw new AssertionError("message cut short at " + expected + " of " + total + ": " + datagrams);
        }
        return all.toByteArray();
    }

    @Override
    public void close() {
        socket.close();
    }
}
