package memfleet.node.command.text;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import memfleet.node.Node;
import memfleet.node.auth.AsciiAuth;
import memfleet.node.command.ItemOps;
import memfleet.node.command.Metadump;
import memfleet.node.command.ReplyBytes;
import memfleet.node.command.ReplyMarks;
import memfleet.node.command.Session;
import memfleet.node.command.Step;
import memfleet.node.command.VerboseLog;
import memfleet.node.stats.StatsWriter;
import memfleet.node.stats.ThreadStats;
import memfleet.node.store.NativeMemory;

/**
 * A text-protocol connection, memcached's {@code conn} states for ASCII: a command line ({@code
 * conn_parse_cmd}), a data block read straight into its item ({@code conn_nread}), a refused block
 * discarded ({@code conn_swallow}), and before them all, under {@code -Y}, the authentication set. The
 * line rules are memcached's: a line that passes 2048 bytes without a newline closes the connection
 * unless it is a get, and a stream connection's first read takes 16 KB, so a longer non-get line closes it
 * too.
 */
public final class TextSession implements Session {
    private static final int LINE = 0;
    private static final int DATA = 1;
    private static final int SWALLOW = 2;
    /** -Y: reading the credentials block of the authentication set. */
    private static final int AUTH_DATA = 3;
    /** memcached closes a connection whose line passes this without a newline (unless it is a get). */
    private static final int LINE_LIMIT = 2048;
    /** memcached's first read of a connection: a command line must end inside it (gets aside). */
    private static final int FIRST_READ_BYTES = 16 * 1024;
    /** A multi-get line may be long, but not unbounded. */
    private static final int GET_LINE_LIMIT = 16 * 1024 * 1024;

    private final Node node;
    private final ItemOps ops;
    private final ThreadStats stats;
    private final TextLine line = new TextLine();
    private final TextCommands commands;
    private final ReplyMarks marks;
    /** A datagram transport: each input stands alone and no first-read rule applies. */
    private final boolean datagram;
    private final int fd;
    /** -Y: this connection's authentication, null once authenticated or when -Y is off. */
    private AsciiAuth auth;
    private int state = LINE;
    /** Input has arrived: memcached's connection waits in conn_read from then on, conn_new_cmd before. */
    private boolean started;
    private boolean running;
    private long dataRemaining;
    private long dataOffset;
    private long valueLength;
    private byte tail0;
    private byte tail1;

    public TextSession(Node node, ItemOps ops, StatsWriter statsWriter, ReplyMarks marks, boolean datagram, int fd) {
        this.node = node;
        this.ops = ops;
        this.stats = ops.stats();
        this.marks = marks;
        this.datagram = datagram;
        this.fd = fd;
        this.commands = new TextCommands(node, ops, statsWriter, line, marks);
        if (node.authFile() != null) {
            auth = new AsciiAuth(node.authFile());
        }
    }

    @Override
    public Step step(ByteBuf in, ByteBuf out, boolean mayRun) {
        started = true;
        if (auth != null) {
            return authenticate(in, out);
        }
        return switch (state) {
            case DATA -> readData(in, out);
            case SWALLOW -> {
                int n = (int) Math.min(in.readableBytes(), dataRemaining);
                in.skipBytes(n);
                dataRemaining -= n;
                if (dataRemaining == 0) {
                    state = LINE;
                }
                yield Step.PROGRESS;
            }
            default -> command(in, out, mayRun);
        };
    }

    private Step command(ByteBuf in, ByteBuf out, boolean mayRun) {
        int start = in.readerIndex();
        int found = NativeMemory.indexOf(in.memoryAddress() + start, in.writerIndex() - start, (byte) '\n');
        if (found < 0) {
            if (in.readableBytes() > LINE_LIMIT && !mayBeLongGet(in, start)) {
                return Step.CLOSE;
            }
            return Step.NEED_INPUT;
        }
        int eol = start + found;
        if (!datagram && found > FIRST_READ_BYTES && !mayBeLongGet(in, start)) {
            // memcached reads 16 KB at first: a longer non-get line has no newline in it, so it closes
            return Step.CLOSE;
        }
        if (!mayRun) {
            return Step.YIELD;
        }
        int end = eol;
        if (found > 1 && in.getByte(eol - 1) == '\r') {
            end = eol - 1;
        }
        int mark = out.writerIndex();
        boolean verbose = node.settings().verbose > 1;
        if (verbose) {
            System.err.println("<" + fd + " " + in.toString(start, end - start, StandardCharsets.ISO_8859_1));
        }
        running = true;
        Step step;
        try {
            step = commands.execute(in, start, end, out);
        } finally {
            running = false;
        }
        if (verbose) {
            VerboseLog.replies(fd, out, Math.min(mark, out.writerIndex()));
        }
        in.readerIndex(eol + 1);
        if (line.dataItem != 0) {
            state = DATA;
            dataRemaining = line.dataLength;
            valueLength = dataRemaining - 2;
            dataOffset = 0;
        } else if (line.swallowLength > 0) {
            state = SWALLOW;
            dataRemaining = line.swallowLength;
        }
        return step;
    }

    /** Copies as much of the pending data block as has arrived into the item. */
    private Step readData(ByteBuf in, ByteBuf out) {
        int avail = (int) Math.min(in.readableBytes(), dataRemaining);
        long valueLeft = valueLength - dataOffset;
        int toValue = (int) Math.min(avail, Math.max(0, valueLeft));
        int r = in.readerIndex();
        if (toValue > 0) {
            ops.store().writeValue(line.dataItem, dataOffset, in.memoryAddress() + r, toValue);
            dataOffset += toValue;
        }
        for (int i = toValue; i < avail; i++) {
            tail0 = tail1;
            tail1 = NativeMemory.getByte(in.memoryAddress() + r + i);
        }
        in.skipBytes(avail);
        dataRemaining -= avail;
        if (dataRemaining > 0) {
            return Step.PROGRESS;
        }
        finishData(out, tail0 == '\r' && tail1 == '\n');
        return Step.PROGRESS;
    }

    private void finishData(ByteBuf out, boolean crlfOk) {
        state = LINE;
        int mark = out.writerIndex();
        commands.completeData(crlfOk, out);
        if (node.settings().verbose > 1) {
            VerboseLog.replies(fd, out, mark);
        }
        tail0 = tail1 = 0;
    }

    private static boolean mayBeLongGet(ByteBuf in, int start) {
        if (in.readableBytes() > GET_LINE_LIMIT) {
            return false;
        }
        int p = start;
        int end = in.writerIndex();
        while (p < end && in.getByte(p) == ' ') {
            p++;
        }
        if (p - start > 100) {
            return false;
        }
        return startsWith(in, p, "get ") || startsWith(in, p, "gets ");
    }

    private static boolean startsWith(ByteBuf in, int p, String s) {
        if (in.writerIndex() - p < s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (in.getByte(p + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * -Y: one step of memcached's ASCII authentication. Every line but the authentication set gets {@code
     * CLIENT_ERROR unauthenticated}.
     */
    private Step authenticate(ByteBuf in, ByteBuf out) {
        int start = in.readerIndex();
        if (state == AUTH_DATA) {
            if (in.readableBytes() < dataRemaining) {
                return Step.NEED_INPUT;
            }
            byte[] block = new byte[(int) dataRemaining];
            in.readBytes(block);
            state = LINE;
            byte[] reply = auth.check(block, block.length);
            if (reply == AsciiAuth.STORED || reply == AsciiAuth.FAILURE) {
                stats.authCmds++;
                if (reply == AsciiAuth.FAILURE) {
                    stats.authErrors++;
                }
            }
            ReplyBytes.put(out, reply);
            if (auth.authenticated()) {
                auth = null;
            }
            return Step.COMMAND;
        }
        int found = NativeMemory.indexOf(in.memoryAddress() + start, in.writerIndex() - start, (byte) '\n');
        if (found < 0) {
            return in.readableBytes() > LINE_LIMIT ? Step.CLOSE : Step.NEED_INPUT;
        }
        byte[] bytes = new byte[found];
        in.getBytes(start, bytes);
        in.readerIndex(start + found + 1);
        long length = auth.credentialsLength(bytes, found);
        if (length < 0) {
            ReplyBytes.put(out, AsciiAuth.UNAUTHENTICATED);
        } else if (length > AsciiAuth.MAX_CREDENTIALS) {
            ReplyBytes.put(out, AsciiAuth.UNAUTHENTICATED);
            return Step.CLOSE_AFTER_WRITE;
        } else {
            state = AUTH_DATA;
            dataRemaining = length;
        }
        return Step.COMMAND;
    }

    @Override
    public boolean takeMutated() {
        return ops.takeMutated();
    }

    @Override
    public String state() {
        if (running) {
            return "conn_parse_cmd";
        }
        return switch (state) {
            case DATA -> "conn_nread";
            case SWALLOW -> "conn_swallow";
            default -> started ? "conn_read" : "conn_new_cmd";
        };
    }

    @Override
    public void outputFlushed() {
        commands.outputFlushed();
    }

    @Override
    public void endOfInput(ByteBuf out) {
        if (state == DATA) {
            // the block does not continue in another datagram: it is cut short
            finishData(out, false);
        } else if (state == SWALLOW) {
            state = LINE;
        }
    }

    @Override
    public void abandon() {
        commands.abandon();
        ops.done();
    }

    @Override
    public Metadump takeStream() {
        return commands.takeMetadump();
    }

    @Override
    public int takeWatch() {
        return commands.takeWatch();
    }
}
