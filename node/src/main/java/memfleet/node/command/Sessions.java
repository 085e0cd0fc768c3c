package memfleet.node.command;

import memfleet.node.Node;
import memfleet.node.command.binary.BinarySession;
import memfleet.node.command.text.TextSession;
import memfleet.node.config.Protocol;
import memfleet.node.stats.StatsWriter;
import memfleet.node.stats.ThreadStats;
import memfleet.protocol.binary.BinaryHeader;

/**
 * Makes the command session of each new connection: text or binary as {@code -B} says, or under {@code -B
 * auto} as the connection's first byte says (0x80 is binary, anything else text), for the connection's
 * life. Each session gets its own {@link ItemOps} on its worker thread's counters.
 */
public final class Sessions {
    private final Node node;
    private final StatsWriter statsWriter;

    public Sessions(Node node, StatsWriter statsWriter) {
        this.node = node;
        this.statsWriter = statsWriter;
    }

    private ItemOps ops(ThreadStats stats, int fd) {
        return new ItemOps(node.store(), stats, node.prefixStats(), node.settings(), fd);
    }

    /** True when the protocol is only known from a connection's first byte. */
    public boolean negotiates() {
        return node.settings().protocol == Protocol.AUTO;
    }

    /** A stream connection's session; {@code firstByte} decides under {@code -B auto} (ignored otherwise). */
    public Session open(ThreadStats stats, int firstByte, int fd) {
        Protocol protocol = node.settings().protocol;
        boolean binary = protocol == Protocol.BINARY
                || (protocol == Protocol.AUTO && (byte) firstByte == BinaryHeader.REQUEST_MAGIC);
        if (protocol == Protocol.AUTO && node.settings().verbose > 1) {
            System.err.println(fd + ": Client using the " + (binary ? "binary" : "ascii") + " protocol");
        }
        if (binary) {
            return new BinarySession(node, ops(stats, fd), statsWriter, fd);
        }
        return new TextSession(node, ops(stats, fd), statsWriter, ReplyMarks.NONE, false, fd);
    }

    /** A UDP socket's session for text datagrams: replies split where {@code marks} are set. */
    public Session datagram(ThreadStats stats, ReplyMarks marks, int fd) {
        return new TextSession(node, ops(stats, fd), statsWriter, marks, true, fd);
    }

    /** A UDP socket's session for binary datagrams (memcached serves both on one socket, by first byte). */
    public Session binaryDatagram(ThreadStats stats, ReplyMarks marks, int fd) {
        return new BinarySession(node, ops(stats, fd), statsWriter, marks, fd);
    }
}
