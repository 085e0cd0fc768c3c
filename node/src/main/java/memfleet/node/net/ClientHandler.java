package memfleet.node.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import memfleet.node.Node;
import memfleet.node.command.BinaryCommands;
import memfleet.node.command.ReplyBytes;
import memfleet.node.command.TextCommands;
import memfleet.node.stats.ConnectionInfo;
import memfleet.node.stats.ThreadStats;
import memfleet.node.store.ItemStore;
import memfleet.node.store.NativeMemory;
import memfleet.node.config.Protocol;
import memfleet.protocol.binary.BinaryHeader;
import memfleet.protocol.text.TextReplies;

/**
 * One client connection, memcached's {@code conn} state machine: parse a command line (or a binary
 * request header), read a data block straight into the item, or swallow a refused one. Under {@code -B auto}
 * the first byte decides the protocol for the connection's life: 0x80 is binary, anything else text. Input accumulates in
 * one direct buffer; replies to everything that arrived in one read go out in one write. A client that
 * does not read its replies stops being read from (backpressure) instead of growing memory. After
 * {@code -R} commands in a row the connection yields to the others on its event loop.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter implements ConnectionInfo {
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
    /** Replies are written out once this much is queued, even mid-batch. */
    private static final int OUT_FLUSH_BYTES = 256 * 1024;

    private final Node node;
    private final ItemStore store;
    private final String listenAddress;
    private final Runnable resume = this::resume;
    private ThreadStats stats;
    private TextCommands commands;
    private BinaryCommands binaryCommands;
    /** The connection speaks the binary protocol ({@code -B binary}, or a first byte of 0x80 under auto). */
    private boolean binary;
    /** Under {@code -B auto}: the first byte has not been seen yet. */
    private boolean negotiating;
    /** -Y: this connection's authentication, null once authenticated or when -Y is off. */
    private memfleet.node.auth.AsciiAuth auth;
    private ChannelHandlerContext ctx;
    private ByteBuf in;
    private ByteBuf out;
    private int state = LINE;
    private long dataRemaining;
    private long dataOffset;
    private long valueLength;
    private byte tail0;
    private byte tail1;
    private boolean closing;
    /** The client shut its write side (FIN): run what arrived, answer it all, then close (as memcached). */
    private boolean inputShut;
    private boolean paused;
    private boolean resumeScheduled;
    private int fd = -1;
    private String address = "";
    private volatile long lastCommandMillis = System.currentTimeMillis();
    private volatile String stateName = "conn_new_cmd";
    // --min-acks: the connection holds its replies until enough peers have the write
    private final AckWait ackWait = new AckWait();
    private boolean awaitingAcks;
    private int ackMark;
    private long ackGeneration;

    ClientHandler(Node node, String listenAddress) {
        this.node = node;
        this.store = node.store();
        this.listenAddress = listenAddress;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        Channel ch = ctx.channel();
        stats = NodeServer.threadStats(ch.eventLoop());
        commands = new TextCommands(node, stats);
        if (node.authFile() != null) {
            auth = new memfleet.node.auth.AsciiAuth(node.authFile());
        }
        fd = NodeServer.fdOf(ch);
        address = NodeServer.describe(ch.remoteAddress());
        var cs = node.connectionStats();
        long current = cs.current.incrementAndGet();
        cs.total.incrementAndGet();
        cs.structures.accumulateAndGet(current, Math::max);
        node.connections().add(this);
        Protocol protocol = node.settings().protocol;
        negotiating = protocol == Protocol.AUTO;
        if (protocol == Protocol.BINARY) {
            startBinary();
        }
        if (node.settings().verbose > 1) {
            System.err.println("<" + fd + switch (protocol) {
                case AUTO -> " new auto-negotiating client connection";
                case BINARY -> " new binary client connection.";
                case ASCII -> " new ascii client connection.";
            });
        }
        if (current > node.maxClients()) {
            cs.rejected.incrementAndGet();
            closing = true;
            ByteBuf msg = ctx.alloc().directBuffer(TextReplies.TOO_MANY_CONNECTIONS.length);
            msg.writeBytes(TextReplies.TOO_MANY_CONNECTIONS);
            ctx.writeAndFlush(msg).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (node.settings().verbose > 1) {
            System.err.println("<" + fd + " connection closed.");
        }
        node.connectionStats().current.decrementAndGet();
        node.connections().remove(this);
        if (awaitingAcks) {
            awaitingAcks = false;
            node.replication().cancel(ackWait);
        }
        if (commands != null) {
            commands.abandon();
        }
        if (binaryCommands != null) {
            binaryCommands.abandon();
        }
        if (in != null) {
            in.release();
            in = null;
        }
        if (out != null) {
            out.release();
            out = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        if (closing) {
            buf.release();
            return;
        }
        stats.bytesRead += buf.readableBytes();
        accumulate(buf);
        process();
    }

    /** Appends {@code buf} to the input, keeping it one direct buffer with a memory address. */
    private void accumulate(ByteBuf buf) {
        if (in == null || !in.isReadable()) {
            if (in != null) {
                in.release();
                in = null;
            }
            if (buf.hasMemoryAddress()) {
                in = buf;
                return;
            }
            in = ctx.alloc().directBuffer(Math.max(buf.readableBytes(), 4096));
        }
        try {
            in.discardSomeReadBytes();
            in.writeBytes(buf);
        } finally {
            buf.release();
        }
    }

    private ByteBuf out() {
        if (out == null) {
            out = ctx.alloc().directBuffer(4096);
        }
        return out;
    }

    /** Runs whatever complete commands the input holds, then sends the replies. */
    private void process() {
        int budget = node.settings().reqsPerEvent;
        while (!closing && in != null && in.isReadable() && !paused && !awaitingAcks) {
            if (negotiating) {
                negotiating = false;
                if (in.getByte(in.readerIndex()) == BinaryHeader.REQUEST_MAGIC) {
                    startBinary();
                }
                if (node.settings().verbose > 1) {
                    System.err.println(fd + ": Client using the " + (binary ? "binary" : "ascii") + " protocol");
                }
            }
            if (auth != null) {
                if (!authenticate()) {
                    break;
                }
                continue;
            }
            if (state == LINE && binary) {
                int start = in.readerIndex();
                if (in.readableBytes() < BinaryHeader.SIZE) {
                    break;
                }
                if (in.getByte(start) != BinaryHeader.REQUEST_MAGIC) {
                    // memcached: an invalid magic closes at once; replies not yet written are lost with it
                    if (node.settings().verbose > 0) {
                        System.err.printf("Invalid magic:  %x%n", in.getByte(start) & 0xff);
                    }
                    if (out != null) {
                        out.clear();
                    }
                    closing = true;
                    ctx.close();
                    break;
                }
                int prefix = BinaryCommands.prefixLength(in, start);
                if (in.readableBytes() < prefix) {
                    break;
                }
                if (budget-- <= 0) {
                    stats.connYields++;
                    scheduleResume();
                    break;
                }
                lastCommandMillis = System.currentTimeMillis();
                ByteBuf o = out();
                int mark = o.writerIndex();
                if (node.settings().verbose > 1) {
                    VerboseLog.binaryRequest(fd, in, start);
                }
                int action = binaryCommands.execute(in, start, o);
                if (node.settings().verbose > 1) {
                    VerboseLog.binaryResponses(fd, o, mark);
                }
                in.readerIndex(start + prefix);
                if (binaryCommands.mutated()) {
                    awaitAcks(mark);
                }
                switch (action) {
                    case BinaryCommands.READ_DATA -> {
                        state = DATA;
                        stateName = "conn_nread";
                        dataRemaining = binaryCommands.pendingLength();
                        valueLength = dataRemaining;
                        dataOffset = 0;
                    }
                    case BinaryCommands.SWALLOW -> {
                        state = SWALLOW;
                        stateName = "conn_swallow";
                        dataRemaining = binaryCommands.swallowLength();
                    }
                    case BinaryCommands.CLOSE_AFTER_WRITE -> {
                        closing = true;
                        flush(true);
                        return;
                    }
                    default -> { }
                }
            } else if (state == LINE) {
                int start = in.readerIndex();
                int found = NativeMemory.indexOf(in.memoryAddress() + start, in.writerIndex() - start, (byte) '\n');
                int eol = found < 0 ? -1 : start + found;
                if (eol < 0) {
                    if (in.readableBytes() > LINE_LIMIT && !mayBeLongGet(start)) {
                        closeNow();
                    }
                    break;
                }
                if (eol - start > FIRST_READ_BYTES && !mayBeLongGet(start)) {
                    // memcached reads 16 KB at first: a longer non-get line has no newline in it, so it closes
                    closeNow();
                    break;
                }
                if (budget-- <= 0) {
                    stats.connYields++;
                    scheduleResume();
                    break;
                }
                int end = eol;
                if (eol - start > 1 && in.getByte(eol - 1) == '\r') {
                    end = eol - 1;
                }
                lastCommandMillis = System.currentTimeMillis();
                ByteBuf o = out();
                int mark = o.writerIndex();
                if (node.settings().verbose > 1) {
                    System.err.println("<" + fd + " " + in.toString(start, end - start, java.nio.charset.StandardCharsets.ISO_8859_1));
                }
                int action = commands.execute(in, start, end, o);
                if (node.settings().verbose > 1 && out != null) {
                    VerboseLog.replies(fd, out, Math.min(mark, out.writerIndex()));
                }
                in.readerIndex(eol + 1);
                if (commands.mutated()) {
                    awaitAcks(mark);
                }
                switch (action) {
                    case TextCommands.READ_DATA -> {
                        state = DATA;
                        stateName = "conn_nread";
                        dataRemaining = commands.pendingLength();
                        valueLength = dataRemaining - 2;
                        dataOffset = 0;
                    }
                    case TextCommands.SWALLOW -> {
                        state = SWALLOW;
                        stateName = "conn_swallow";
                        dataRemaining = commands.swallowLength();
                    }
                    case TextCommands.CLOSE -> closeNow();
                    case TextCommands.STREAM -> {
                        startMetadump(commands.takeMetadump());
                        return;
                    }
                    case TextCommands.CLOSE_AFTER_WRITE -> {
                        closing = true;
                        flush(true);
                        return;
                    }
                    default -> { }
                }
            } else if (state == DATA) {
                readData();
            } else {
                int n = (int) Math.min(in.readableBytes(), dataRemaining);
                in.skipBytes(n);
                dataRemaining -= n;
                if (dataRemaining == 0) {
                    state = LINE;
                    stateName = "conn_new_cmd";
                }
            }
            if (out != null && out.readableBytes() >= OUT_FLUSH_BYTES) {
                flush(false);
                if (!ctx.channel().isWritable()) {
                    pause();
                }
            }
        }
        if (in != null && !in.isReadable() && in.capacity() > 65536) {
            in.release();
            in = null;
        }
        if (awaitingAcks) {
            return;
        }
        if (inputShut && !closing && !paused && !resumeScheduled) {
            // what is left is a command cut off by the end of the stream: memcached drops it and closes
            closeNow();
            return;
        }
        flush(false);
    }

    /**
     * {@code --min-acks}: the write whose reply starts at {@code mark} is answered only once enough peers
     * hold it; until then this connection runs nothing more. On timeout the reply becomes {@code
     * SERVER_ERROR replication timeout} (the write stays, as on a memcached that lost its connection).
     */
    private void awaitAcks(int mark) {
        var replication = node.replication();
        int k = node.settings().minAcks;
        if (replication == null || k == 0) {
            return;
        }
        long target = replication.head();
        if (replication.acked(target, k)) {
            return;
        }
        awaitingAcks = true;
        ackMark = mark;
        long generation = ++ackGeneration;
        ackWait.target = target;
        ackWait.generation = generation;
        ctx.channel().config().setAutoRead(false);
        ctx.executor().schedule(() -> acksDone(generation, false), node.settings().minAcksTimeoutMillis,
                java.util.concurrent.TimeUnit.MILLISECONDS);
        replication.await(ackWait);
    }

    private void acksDone(long generation, boolean ok) {
        if (!awaitingAcks || generation != ackGeneration) {
            return;
        }
        awaitingAcks = false;
        if (!ok) {
            node.replication().cancel(ackWait);
            if (out != null && out.writerIndex() > ackMark) {
                out.writerIndex(ackMark);
                ReplyBytes.put(out, REPLICATION_TIMEOUT);
            }
        }
        if (closing || out == null && in == null) {
            return;
        }
        ctx.channel().config().setAutoRead(true);
        process();
    }

    private static final byte[] REPLICATION_TIMEOUT = "SERVER_ERROR replication timeout\r\n"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** This connection's entry in the replication's waiters. */
    private final class AckWait implements memfleet.node.replication.Replication.AckWaiter {
        volatile long target;
        volatile long generation;

        @Override
        public long target() {
            return target;
        }

        @Override
        public void acknowledged() {
            long g = generation;
            ctx.executor().execute(() -> acksDone(g, true));
        }
    }

    /**
     * -Y: one step of memcached's ASCII authentication; false when more input is needed. Every line but
     * the authentication set gets {@code CLIENT_ERROR unauthenticated}.
     */
    private boolean authenticate() {
        int start = in.readerIndex();
        if (state == AUTH_DATA) {
            if (in.readableBytes() < dataRemaining) {
                return false;
            }
            byte[] block = new byte[(int) dataRemaining];
            in.readBytes(block);
            state = LINE;
            byte[] reply = auth.check(block, block.length);
            if (reply == memfleet.node.auth.AsciiAuth.STORED || reply == memfleet.node.auth.AsciiAuth.FAILURE) {
                stats.authCmds++;
                if (reply == memfleet.node.auth.AsciiAuth.FAILURE) {
                    stats.authErrors++;
                }
            }
            ReplyBytes.put(out(), reply);
            if (auth.authenticated()) {
                auth = null;
            }
            return true;
        }
        int found = NativeMemory.indexOf(in.memoryAddress() + start, in.writerIndex() - start, (byte) '\n');
        if (found < 0) {
            if (in.readableBytes() > LINE_LIMIT) {
                closeNow();
            }
            return false;
        }
        byte[] line = new byte[found];
        in.getBytes(start, line);
        in.readerIndex(start + found + 1);
        long length = auth.credentialsLength(line, found);
        if (length < 0) {
            ReplyBytes.put(out(), memfleet.node.auth.AsciiAuth.UNAUTHENTICATED);
        } else if (length > memfleet.node.auth.AsciiAuth.MAX_CREDENTIALS) {
            ReplyBytes.put(out(), memfleet.node.auth.AsciiAuth.UNAUTHENTICATED);
            closeNow();
        } else {
            state = AUTH_DATA;
            dataRemaining = length;
        }
        return true;
    }

    /** Copies as much of the pending data block as has arrived into the item. */
    private void readData() {
        if (binary) {
            int avail = (int) Math.min(in.readableBytes(), dataRemaining);
            binaryCommands.data(in.memoryAddress() + in.readerIndex(), avail);
            in.skipBytes(avail);
            dataRemaining -= avail;
            if (dataRemaining == 0) {
                state = LINE;
                stateName = "conn_new_cmd";
                ByteBuf o = out();
                int mark = o.writerIndex();
                binaryCommands.completeData(o);
                if (node.settings().verbose > 1) {
                    VerboseLog.binaryResponses(fd, o, mark);
                }
                if (binaryCommands.mutated()) {
                    awaitAcks(mark);
                }
            }
            return;
        }
        int avail = (int) Math.min(in.readableBytes(), dataRemaining);
        long valueLeft = valueLength - dataOffset;
        int toValue = (int) Math.min(avail, Math.max(0, valueLeft));
        int r = in.readerIndex();
        if (toValue > 0) {
            store.writeValue(commands.pendingItem(), dataOffset, in.memoryAddress() + r, toValue);
            dataOffset += toValue;
        }
        for (int i = toValue; i < avail; i++) {
            tail0 = tail1;
            tail1 = NativeMemory.getByte(in.memoryAddress() + r + i);
        }
        in.skipBytes(avail);
        dataRemaining -= avail;
        if (dataRemaining == 0) {
            state = LINE;
            stateName = "conn_new_cmd";
            ByteBuf o = out();
            int mark = o.writerIndex();
            commands.completeData(tail0 == '\r' && tail1 == '\n', o);
            if (node.settings().verbose > 1) {
                VerboseLog.replies(fd, o, mark);
            }
            tail0 = tail1 = 0;
            if (commands.mutated()) {
                awaitAcks(mark);
            }
        }
    }

    private void startBinary() {
        binary = true;
        binaryCommands = new BinaryCommands(node, stats);
    }

    private boolean mayBeLongGet(int start) {
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
        return startsWith(p, "get ") || startsWith(p, "gets ");
    }

    private boolean startsWith(int p, String s) {
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
     * Writes the queued replies. The output buffer is kept for the next batch when the socket took it
     * all at once (only our reference is left), so a request-reply connection allocates nothing.
     */
    private void flush(boolean thenClose) {
        if (out != null && out.isReadable()) {
            stats.bytesWritten += out.readableBytes();
            ByteBuf sent = out.retain();
            // no promise object per reply unless the connection closes after it
            var f = thenClose ? ctx.writeAndFlush(sent) : ctx.writeAndFlush(sent, ctx.voidPromise());
            commands.outputFlushed();
            if (sent.refCnt() == 1) {
                sent.clear();
            } else {
                sent.release();
                out = null;
            }
            if (thenClose) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        } else if (thenClose) {
            ctx.close();
        }
    }

    private void closeNow() {
        closing = true;
        flush(true);
    }

    /**
     * Runs a metadump on a virtual thread that writes chunks as the client reads them; the connection
     * reads no further commands until it has ended (memcached's conn_watch).
     */
    private void startMetadump(memfleet.node.command.Metadump dump) {
        flush(false);
        paused = true;
        stateName = "conn_watch";
        Channel ch = ctx.channel();
        ch.config().setAutoRead(false);
        Thread.ofVirtual().name("metadump-" + fd).start(() -> {
            try {
                dump.run(new memfleet.node.command.Metadump.Sink() {
                    @Override
                    public ByteBuf newChunk() {
                        return ctx.alloc().directBuffer(80 * 1024);
                    }

                    @Override
                    public void send(ByteBuf chunk) {
                        if (!ch.isActive()) {
                            chunk.release();
                            throw new java.util.concurrent.CancellationException();
                        }
                        ctx.writeAndFlush(chunk);
                        while (ch.isActive() && !ch.isWritable()) {
                            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                        }
                    }
                });
            } finally {
                ctx.executor().execute(() -> {
                    stateName = "conn_new_cmd";
                    paused = false;
                    if (ch.isActive()) {
                        ch.config().setAutoRead(true);
                        process();
                    }
                });
            }
        });
    }

    private void pause() {
        paused = true;
        ctx.channel().config().setAutoRead(false);
    }

    private void scheduleResume() {
        if (!resumeScheduled) {
            resumeScheduled = true;
            ctx.executor().execute(resume);
        }
    }

    private void resume() {
        resumeScheduled = false;
        process();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (paused && ctx.channel().isWritable()) {
            paused = false;
            ctx.channel().config().setAutoRead(true);
            process();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a reset or broken pipe from a vanished client: memcached just closes the connection
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            inputShut = true;
            if (!closing) {
                process();
            }
        } else if (evt instanceof io.netty.handler.timeout.IdleStateEvent) {
            stats.idleKicks++;
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    // ---------------------------------------------------------------- stats conns

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public String listenAddress() {
        return listenAddress;
    }

    @Override
    public String state() {
        return stateName;
    }

    @Override
    public long secondsSinceLastCommand() {
        return (System.currentTimeMillis() - lastCommandMillis) / 1000;
    }
}
