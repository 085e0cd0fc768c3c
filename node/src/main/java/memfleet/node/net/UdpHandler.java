package memfleet.node.net;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import memfleet.node.Node;
import memfleet.node.command.ReplyMarks;
import memfleet.node.command.Session;
import memfleet.node.command.Sessions;
import memfleet.node.command.Step;
import memfleet.node.config.Settings;
import memfleet.node.stats.ThreadStats;

/**
 * memcached's UDP transport ({@code -U}): one datagram socket on one worker event loop, running the text
 * commands of every datagram that arrives and answering to its sender. Each datagram starts with an
 * 8-byte frame header (request id, sequence number, datagram count, reserved; 16-bit big-endian) followed
 * by whole text commands, several per datagram if the client likes, a storage command's data block
 * included.
 *
 * <p>What Debian's memcached 1.6.18 does, and so what this does, byte for byte:
 * <ul>
 * <li>A datagram of 8 bytes or fewer, or whose datagram count is not 1 ("multi-packet request"), is
 *     dropped unanswered; the sequence number and reserved field are ignored.</li>
 * <li>Every reply goes out as a message of its own, numbered 0..n-1 of n, under the request's id. A
 *     message carries at most 1392 bytes of reply after its header: datagrams of at most 1400 bytes
 *     ({@code UDP_MAX_PAYLOAD_SIZE}) header included. A reply is one command's answer, except that a
 *     multi-key get answers each key on its own (its hit's VALUE block, or nothing for a miss), the last
 *     one carrying END.</li>
 * <li>A reply with nothing in it (a missed key of a multi-get, {@code quit}) goes out as a bare header
 *     with count 0 when nothing was sent since the last flush; after a sent datagram it is dropped, as are
 *     noreply commands always. memcached flushes after each successful get/gets/gat/gats, after
 *     {@code mn}, after {@code quit}, after -R+1 and then every -R commands, and at the end of the
 *     datagram; {@link #flush} keeps those points, so even the bare headers fall where memcached's do.</li>
 * <li>A get with a key over 250 bytes drops the replies not yet flushed before answering its
 *     CLIENT_ERROR; a line ending in "HTTP/..." (or {@code shutdown}) drops them and the rest of the
 *     datagram; {@code quit} flushes and ends the datagram; a last line without newline is ignored.</li>
 * </ul>
 *
 * <p>Where memcached keeps state from one datagram to the next it is a leak between clients (its UDP
 * "connection" is shared by everyone), and here every datagram stands alone instead: a data block cut off
 * by the end of the datagram answers {@code CLIENT_ERROR bad data chunk} at once (memcached reads the
 * next datagram, header and all, as the rest of the block, then answers that); a refused value
 * ({@code SERVER_ERROR object too large for cache}) is answered and its block skipped within the
 * datagram (memcached swallows following datagrams and answers only then); {@code quit} does not make
 * later datagrams stop at their first flush (it does in memcached, whose close_after_write is never reset
 * on a UDP connection).
 *
 * <p>A datagram whose payload starts with the binary magic (0x80) holds binary requests, as in memcached:
 * each response is its own message, a quiet command that answers nothing an empty reply (a bare header when
 * nothing was sent before it), a binary {@code stats} one message of all its packets; a bad magic ends the
 * datagram, what it answered before still sent.
 *
 * <p>memcached shares one socket between -t worker threads ({@code num_threads_per_udp}, one thread per
 * address when -l names several). With io_uring or epoll this binds that many sockets per address with SO_REUSEPORT,
 * one per worker event loop, so the kernel spreads clients over the workers; with NIO one socket per
 * address. Each socket counts as a connection and shows in {@code stats conns} as memcached's do.
 */
final class UdpHandler extends ChannelInboundHandlerAdapter implements ReplyMarks {
    /** {@code UDP_HEADER_SIZE}. */
    static final int HEADER_SIZE = 8;
    /** {@code UDP_MAX_PAYLOAD_SIZE}: a reply datagram, header included. */
    static final int MAX_PAYLOAD_SIZE = 1400;
    /** {@code UDP_DATA_SIZE}: reply bytes per datagram. */
    static final int DATA_SIZE = MAX_PAYLOAD_SIZE - HEADER_SIZE;
    /** {@code UDP_READ_BUFFER_SIZE}: room for the largest datagram. */
    static final int READ_BUFFER_SIZE = 65536;
    /** Replies are handed to the socket once this much is queued, instead of at the end of the read. */
    private static final int WRITE_FLUSH_BYTES = 256 * 1024;
    /** The output buffer is given back after a flush when it grew past this. */
    private static final int OUT_KEEP_BYTES = 64 * 1024;
    private static final byte BINARY_REQUEST_MAGIC = (byte) 0x80;

    // what a recorded reply is: memcached's resp->skip, an empty resp, or one with bytes to send
    private static final byte SKIP = 0;
    private static final byte EMPTY = 1;
    private static final byte DATA = 2;

    private final Node node;
    private final Sessions sessions;
    private final Runnable shutdown;
    private ChannelHandlerContext ctx;
    private ThreadStats stats;
    /** The session of the datagram being run: {@link #textSession} or {@link #binarySession}. */
    private Session session;
    private Session textSession;
    private Session binarySession;
    /** A command asked for its replies to go out ({@link #transmit}): done once it has returned. */
    private boolean transmitPending;
    /** A datagram copied into direct memory, for one that arrived in a buffer without a memory address. */
    private ByteBuf copy;
    /** Replies not yet flushed, end to end; {@link #ends}/{@link #kinds} cut them into memcached's resps. */
    private ByteBuf out;
    private int[] ends = new int[32];
    private byte[] kinds = new byte[32];
    private int replies;
    private int requestId;
    private InetSocketAddress sender;
    private int unflushedBytes;
    private int fd = -1;
    private ConnectionEntry entry;

    private UdpHandler(Node node, Sessions sessions, Runnable shutdown) {
        this.node = node;
        this.sessions = sessions;
        this.shutdown = shutdown;
    }

    /**
     * Binds the UDP sockets for {@code -U} on every listen address, on the worker event loops, and returns
     * them, noting each address's port in {@code portFile} (when there is one); closing a channel closes its
     * socket.
     */
    static List<Channel> bind(Node node, Sessions sessions, Runnable shutdown, EventLoopGroup workers, Transport transport,
            PortFile portFile) throws InterruptedException {
        Settings settings = node.settings();
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor executor : workers) {
            loops.add((EventLoop) executor);
        }
        String inter = settings.inter();
        int perAddress = transport.reusePort() != null && (inter == null || inter.indexOf(',') < 0) ? settings.numThreads : 1;
        List<Channel> channels = new ArrayList<>();
        int next = 0;
        for (InetSocketAddress address : settings.listenAddresses(settings.udpPort)) {
            InetSocketAddress bindTo = address;
            for (int i = 0; i < perAddress; i++) {
                Bootstrap bootstrap = new Bootstrap()
                        .group(loops.get(next++ % loops.size()))
                        .channel(transport.datagram())
                        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(READ_BUFFER_SIZE))
                        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                        .handler(new UdpHandler(node, sessions, shutdown));
                if (perAddress > 1) {
                    bootstrap.option(transport.reusePort(), true);
                }
                Channel ch = bootstrap.bind(bindTo).sync().channel();
                channels.add(ch);
                if (i == 0) {
                    // an ephemeral port (-U -1): the other sockets of the address share the one it got
                    bindTo = new InetSocketAddress(address.getAddress(), ((InetSocketAddress) ch.localAddress()).getPort());
                    if (portFile != null) {
                        portFile.udpBound(ch.localAddress());
                    }
                }
            }
        }
        return channels;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        Channel ch = ctx.channel();
        stats = NodeServer.threadStats(ch.eventLoop());
        fd = NodeServer.fdOf(ch);
        textSession = sessions.datagram(stats, this, fd);
        session = textSession;
        entry = new ConnectionEntry(fd, "udp:" + NodeServer.describe(ch.localAddress()).substring(4), null, true,
                () -> "conn_read", System.currentTimeMillis());
        entry.opened(node);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (entry != null) {
            entry.closed(node);
        }
        if (textSession != null) {
            textSession.abandon();
        }
        if (binarySession != null) {
            binarySession.abandon();
        }
        if (copy != null) {
            copy.release();
            copy = null;
        }
        if (out != null) {
            out.release();
            out = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            ByteBuf content = packet.content();
            int length = content.readableBytes();
            if (length <= HEADER_SIZE) {
                return;
            }
            stats.bytesRead += length;
            int r = content.readerIndex();
            if (content.getUnsignedShort(r + 4) != 1) {
                return;
            }
            // memcached reads a datagram whose payload starts with the binary magic as binary requests
            if (content.getByte(r + HEADER_SIZE) == BINARY_REQUEST_MAGIC) {
                if (binarySession == null) {
                    binarySession = sessions.binaryDatagram(stats, this, fd);
                }
                session = binarySession;
            } else {
                session = textSession;
            }
            requestId = content.getUnsignedShort(r);
            sender = packet.sender();
            ByteBuf in = content;
            if (!content.hasMemoryAddress()) {
                if (copy == null) {
                    copy = ctx.alloc().directBuffer(READ_BUFFER_SIZE);
                }
                copy.clear().writeBytes(content, r, length);
                in = copy;
                r = 0;
            }
            in.writerIndex(r + length);
            in.readerIndex(r + HEADER_SIZE);
            run(in);
        } finally {
            packet.release();
        }
        if (unflushedBytes >= WRITE_FLUSH_BYTES) {
            writeOut();
        }
    }

    /** Runs the commands of one datagram, as memcached's state machine does. */
    private void run(ByteBuf in) {
        if (out == null) {
            out = ctx.alloc().directBuffer(4096);
        }
        int perEvent = node.settings().reqsPerEvent;
        int budget = perEvent + 1;
        while (in.isReadable()) {
            Step step = session.step(in, out, true);
            switch (step) {
                case NEED_INPUT -> {
                    // a last line without newline: ignored, as memcached does
                    in.skipBytes(in.readableBytes());
                }
                case CLOSE -> {
                    cull();
                    return;
                }
                case SHUTDOWN -> {
                    cull();
                    shutdown.run();
                    return;
                }
                case CLOSE_AFTER_WRITE -> {
                    flush();
                    return;
                }
                default -> { }
            }
            if (transmitPending) {
                flush();
            }
            if (step == Step.COMMAND) {
                entry.commandRan();
                if (--budget == 0) {
                    // memcached's yield after -R requests: it flushes, then goes on with the datagram
                    flush();
                    stats.connYields++;
                    budget = perEvent;
                }
            }
        }
        session.endOfInput(out);
        flush();
    }

    // ---------------------------------------------------------------- replies as memcached's resp objects

    private int lastEnd() {
        return replies == 0 ? 0 : ends[replies - 1];
    }

    private void add(int end, byte kind) {
        if (replies == ends.length) {
            ends = java.util.Arrays.copyOf(ends, replies * 2);
            kinds = java.util.Arrays.copyOf(kinds, replies * 2);
        }
        ends[replies] = end;
        kinds[replies] = kind;
        replies++;
    }

    @Override
    public void reply(ByteBuf out) {
        int w = out.writerIndex();
        add(w, w == lastEnd() ? SKIP : DATA);
    }

    @Override
    public void emptyReply(ByteBuf out) {
        int w = out.writerIndex();
        add(w, w == lastEnd() ? EMPTY : DATA);
    }

    @Override
    public void transmit() {
        transmitPending = true;
    }

    @Override
    public void discard() {
        replies = 0;
    }

    /** Drops the replies not yet flushed. */
    private void cull() {
        replies = 0;
        out.clear();
        transmitPending = false;
        session.outputFlushed();
    }

    /**
     * Sends the recorded replies as memcached's {@code transmit_udp} does: each reply its own message; an
     * empty one as a bare header (count 0) unless something was sent since the last flush; skipped ones
     * never.
     */
    private void flush() {
        boolean sent = false;
        int start = 0;
        for (int i = 0; i < replies; i++) {
            int end = ends[i];
            if (kinds[i] == DATA || (kinds[i] == EMPTY && !sent)) {
                send(start, end);
                sent = true;
            }
            start = end;
        }
        replies = 0;
        transmitPending = false;
        session.outputFlushed();
        if (out.capacity() > OUT_KEEP_BYTES) {
            out.release();
            out = ctx.alloc().directBuffer(4096);
        } else {
            out.clear();
        }
    }

    /** Sends {@code out[start, end)} as one message: datagrams numbered 0..n-1 of n. */
    private void send(int start, int end) {
        int length = end - start;
        int total = Math.min((length + DATA_SIZE - 1) / DATA_SIZE, 0xFFFF);
        int sequence = 0;
        int at = start;
        do {
            int n = Math.min(DATA_SIZE, end - at);
            ByteBuf datagram = ctx.alloc().directBuffer(HEADER_SIZE + n);
            datagram.writeShort(requestId);
            datagram.writeShort(sequence++);
            datagram.writeShort(total);
            datagram.writeShort(0);
            datagram.writeBytes(out, at, n);
            stats.bytesWritten += HEADER_SIZE + n;
            unflushedBytes += HEADER_SIZE + n;
            ctx.write(new DatagramPacket(datagram, sender));
            at += n;
        } while (at < end);
    }

    private void writeOut() {
        unflushedBytes = 0;
        ctx.flush();
        if (!ctx.channel().isWritable()) {
            // as memcached stops reading while its socket will not take a reply
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        writeOut();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // an unreachable sender and the like: memcached ignores a failed send and reads on
    }
}
