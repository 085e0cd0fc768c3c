package memfleet.node.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import memfleet.node.Node;
import memfleet.node.command.ReplyBytes;
import memfleet.node.command.Session;
import memfleet.node.command.Sessions;
import memfleet.node.command.Step;
import memfleet.node.stats.ThreadStats;
import memfleet.node.store.NativeMemory;
import memfleet.node.config.Protocol;
import memfleet.protocol.text.TextReplies;

/**
 * One client stream connection as a transport: input accumulates in one direct buffer that the
 * connection's {@link Session} consumes step by step, and replies to everything that arrived in one read go
 * out in one write. Knows no command grammar: the session decides (under {@code -B auto} from the first
 * byte) and answers with a {@link Step}. A client that does not read its replies stops being read from
 * (backpressure) instead of growing memory; after {@code -R} commands in a row the connection yields to the
 * others on its event loop; a client that half-closes gets every reply, then the connection closes.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    /** Replies are written out once this much is queued, even mid-batch. */
    private static final int OUT_FLUSH_BYTES = 256 * 1024;

    private final Node node;
    private final Runnable resume = this::resume;
    private ThreadStats stats;
    private final Sessions sessions;
    private final Runnable shutdown;
    /** The connection's command state; under {@code -B auto} made when its first byte arrives. */
    private Session session;
    private ChannelHandlerContext ctx;
    private ByteBuf in;
    private ByteBuf out;
    private boolean closing;
    /** The client shut its write side (FIN): run what arrived, answer it all, then close (as memcached). */
    private boolean inputShut;
    private boolean paused;
    private boolean resumeScheduled;
    private int fd = -1;
    private ConnectionEntry entry;
    /** Streaming a metadump or watching the log: memcached's conn_watch. */
    private volatile boolean streaming;
    /** This connection's handle in the watchers' log, once it runs {@code watch}. */
    private Object watcher;
    /** Why the connection closes, for {@code watch connevents}: normal unless an error or idle timeout. */
    private String closeReason = "normal";
    // --min-acks: the connection holds its replies until enough peers have the write
    private final AckWait ackWait = new AckWait();
    private boolean awaitingAcks;
    private int ackMark;
    private long ackGeneration;

    ClientHandler(Node node, Sessions sessions, Runnable shutdown) {
        this.node = node;
        this.sessions = sessions;
        this.shutdown = shutdown;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        Channel ch = ctx.channel();
        stats = NodeServer.threadStats(ch.eventLoop());
        fd = NodeServer.fdOf(ch);
        String listenAddress = ch.parent() != null ? NodeServer.describe(ch.parent().localAddress()) : null;
        entry = new ConnectionEntry(fd, NodeServer.describe(ch.remoteAddress()), listenAddress, false, this::state,
                System.currentTimeMillis());
        long current = entry.opened(node);
        var watch = node.store().watchLog();
        if (watch.wants(memfleet.node.watch.WatchLog.CONNEVENTS)) {
            connEvent(ch, null);
        }
        Protocol protocol = node.settings().protocol;
        if (!sessions.negotiates()) {
            session = sessions.open(stats, 0, fd);
        }
        if (node.settings().verbose > 1) {
            System.err.println("<" + fd + switch (protocol) {
                case AUTO -> " new auto-negotiating client connection";
                case BINARY -> " new binary client connection.";
                case ASCII -> " new ascii client connection.";
            });
        }
        if (current > node.maxClients()) {
            node.connectionStats().rejected.incrementAndGet();
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
        if (entry != null) {
            entry.closed(node);
        }
        var watch = node.store().watchLog();
        if (watcher != null) {
            watch.remove(watcher);
            watcher = null;
        }
        if (watch.wants(memfleet.node.watch.WatchLog.CONNEVENTS)) {
            connEvent(ctx.channel(), closeReason);
        }
        if (awaitingAcks) {
            awaitingAcks = false;
            node.replication().cancel(ackWait);
        }
        if (session != null) {
            session.abandon();
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

    /** {@code conn_new} (reason null) or {@code conn_close} for the watchers, as memcached names the peer. */
    private void connEvent(Channel ch, String reason) {
        var watch = node.store().watchLog();
        String rip = "unix";
        int rport = 0;
        String transport = "local";
        if (ch.remoteAddress() instanceof java.net.InetSocketAddress a) {
            rip = a.getAddress().getHostAddress();
            int zone = rip.indexOf('%');
            rip = zone >= 0 ? rip.substring(0, zone) : rip;
            rport = a.getPort();
            transport = "tcp";
        }
        if (reason == null) {
            watch.connNew(rip, rport, transport, fd);
        } else {
            watch.connClose(rip, rport, transport, reason, fd);
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
            int n = buf.readableBytes();
            if (buf.hasMemoryAddress()) {
                // address to address: ByteBuf.writeBytes(ByteBuf) between pooled direct buffers allocates a
                // ByteBuffer view per call
                in.ensureWritable(n);
                NativeMemory.copy(buf.memoryAddress() + buf.readerIndex(), in.memoryAddress() + in.writerIndex(), n);
                in.writerIndex(in.writerIndex() + n);
            } else {
                in.writeBytes(buf);
            }
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
            if (session == null) {
                session = sessions.open(stats, in.getByte(in.readerIndex()), fd);
            }
            ByteBuf o = out();
            int mark = o.writerIndex();
            Step step = session.step(in, o, budget > 0);
            if (step == Step.COMMAND) {
                budget--;
                entry.commandRan();
            }
            if (session.takeMutated()) {
                awaitAcks(mark);
            }
            switch (step) {
                case NEED_INPUT -> {
                    flushAndEnd();
                    return;
                }
                case YIELD -> {
                    stats.connYields++;
                    scheduleResume();
                    flush(false);
                    return;
                }
                case CLOSE -> closeNow();
                case CLOSE_AFTER_WRITE -> {
                    closeNow();
                    return;
                }
                case SHUTDOWN -> {
                    closeNow();
                    shutdown.run();
                    return;
                }
                case STREAM -> {
                    startMetadump(session.takeStream());
                    return;
                }
                case WATCH -> {
                    if (startWatch(session.takeWatch())) {
                        return;
                    }
                }
                default -> { }
            }
            if (out != null && out.readableBytes() >= OUT_FLUSH_BYTES) {
                flush(false);
                if (!ctx.channel().isWritable()) {
                    pause();
                }
            }
        }
        flushAndEnd();
    }

    /** The end of a batch: input buffer given back when drained, replies written, a half-closed client closed. */
    private void flushAndEnd() {
        if (in != null && !in.isReadable() && in.capacity() > 65536) {
            in.release();
            in = null;
        }
        if (awaitingAcks || closing) {
            return;
        }
        if (inputShut && !paused && !resumeScheduled) {
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
     * Writes the queued replies. The output buffer is kept for the next batch when the socket took it
     * all at once (only our reference is left), so a request-reply connection allocates nothing.
     */
    private void flush(boolean thenClose) {
        if (out != null && out.isReadable()) {
            stats.bytesWritten += out.readableBytes();
            ByteBuf sent = out.retain();
            // no promise object per reply unless the connection closes after it
            var f = thenClose ? ctx.writeAndFlush(sent) : ctx.writeAndFlush(sent, ctx.voidPromise());
            if (session != null) {
                session.outputFlushed();
            }
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
        streaming = true;
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
                    streaming = false;
                    paused = false;
                    if (ch.isActive()) {
                        ch.config().setAutoRead(true);
                        process();
                    }
                });
            }
        });
    }

    /**
     * memcached's {@code logger_add_watcher}: the replies so far go out, then the log's lines; the connection
     * runs no more commands and what the client sends is read and dropped (so a close is seen at once).
     * False, with memcached's refusal queued, when 20 connections watch already.
     */
    private boolean startWatch(int flags) {
        flush(false);
        Object handle = node.store().watchLog().add(new WatchSink(ctx.channel()), flags);
        if (handle == null) {
            ReplyBytes.put(out(), WATCHER_TOO_MANY);
            return false;
        }
        watcher = handle;
        closing = true; // read and drop from now on
        streaming = true;
        return true;
    }

    private static final byte[] WATCHER_TOO_MANY = "WATCHER_TOO_MANY log watcher limit reached\r\n"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

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
        closeReason = "error";
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent && watcher != null) {
            ctx.close(); // memcached's logger closes a watcher whose client has gone (read 0)
        } else if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            inputShut = true;
            if (!closing) {
                process();
            }
        } else if (evt instanceof io.netty.handler.timeout.IdleStateEvent) {
            stats.idleKicks++;
            closeReason = "idle_timeout";
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }
    /** memcached's state of this connection, for {@code stats conns}. */
    private String state() {
        if (streaming) {
            return "conn_watch";
        }
        if (paused) {
            return "conn_mwrite"; // the client does not read its replies
        }
        Session s = session;
        return s == null ? "conn_new_cmd" : s.state();
    }
}
