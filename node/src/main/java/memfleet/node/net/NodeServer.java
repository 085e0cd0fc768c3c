package memfleet.node.net;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.UnixChannel;
import io.netty.handler.timeout.IdleStateHandler;
import memfleet.node.Node;
import memfleet.node.command.Sessions;
import memfleet.node.replication.Replication;
import memfleet.node.config.Settings;
import memfleet.node.stats.StatsWriter;
import memfleet.node.stats.ThreadStats;

/**
 * The running cache server: its listeners, worker event loops and the node (store, background workers)
 * behind them. Worker threads are Netty event loops, one per {@code -t}, each with its own counters.
 */
public final class NodeServer implements AutoCloseable {
    private static final Map<EventLoop, ThreadStats> THREAD_STATS = new ConcurrentHashMap<>();

    private final Settings settings;
    private final Node node;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Transport transport;
    private final List<Channel> listeners = new ArrayList<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Sessions sessions;
    /** What the {@code shutdown} command does: the server closes, off the event loop that ran it. */
    private final Runnable shutdown = () -> Thread.ofPlatform().name("shutdown").start(this::close);
    private Thread clockThread;
    private volatile boolean closed;

    public NodeServer(Node node) {
        this.settings = node.settings();
        this.node = node;
        this.transport = Transport.choose(Transport.named(settings.transport));
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        this.workerGroup = new MultiThreadIoEventLoopGroup(settings.numThreads, transport.ioHandlerFactory());
        for (var executor : workerGroup) {
            THREAD_STATS.put((EventLoop) executor, node.newThreadStats());
        }
        this.sessions = new Sessions(node, new StatsWriter(settings, node.store(), node.crawler(), node.maintainer(),
                node.rebalancer(), node.threadStats(), node.connectionStats(), node.connections(), node.tls(),
                node.replication(), transport.label()));
    }

    /** The I/O transport the sockets use. */
    public Transport transport() {
        return transport;
    }

    public Node node() {
        return node;
    }

    static ThreadStats threadStats(EventLoop loop) {
        return THREAD_STATS.get(loop);
    }

    static int fdOf(Channel ch) {
        if (ch instanceof UnixChannel u) {
            return u.fd().intValue();
        }
        return System.identityHashCode(ch) & 0xffff;
    }

    static String describe(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            String host = i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
            if (host.contains(":")) {
                host = "[" + host + "]";
            }
            return "tcp:" + host + ":" + i.getPort();
        }
        if (a instanceof DomainSocketAddress d) {
            return "unix:" + d.path();
        }
        return String.valueOf(a);
    }

    /** Binds every listener the settings name; throws if any address cannot be bound. */
    public void bind() throws Exception {
        if (settings.verbose > 1) {
            var slabs = node.store().slabs();
            for (int c = 1; c <= slabs.largest(); c++) {
                System.err.printf("slab class %3d: chunk size %9d perslab %7d%n", c, slabs.chunkSize(c), slabs.perSlab(c));
            }
        }
        // UDP (-U) first, not with a unix socket: once the TCP port answers, UDP is ready too (clients and
        // tests take an open TCP port as "the node is up"); close() closes them with the rest
        PortFile portFile = settings.socketPath == null ? PortFile.fromEnvironment() : null;
        if (settings.socketPath == null && settings.udpPort != 0) {
            listeners.addAll(UdpHandler.bind(node, sessions, shutdown, workerGroup, transport, portFile));
        }
        if (settings.socketPath != null) {
            if (transport.serverDomainSocket() == null) {
                throw new IllegalStateException("unix sockets (-s) need the io_uring or epoll transport, not "
                        + transport.label());
            }
            java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(settings.socketPath));
            Channel ch = bootstrap(transport.serverDomainSocket())
                    .bind(new DomainSocketAddress(settings.socketPath)).sync().channel();
            java.nio.file.Files.setPosixFilePermissions(java.nio.file.Path.of(settings.socketPath),
                    permissions(settings.accessMask));
            addListener(ch);
        } else if (settings.port != 0) {
            Class<? extends ServerChannel> type = transport.serverSocket();
            for (InetSocketAddress address : settings.listenAddresses(settings.port)) {
                Channel ch = bootstrap(type).bind(address).sync().channel();
                addListener(ch);
                if (portFile != null) {
                    portFile.tcpBound(ch.localAddress());
                }
            }
        }
        if (portFile != null) {
            portFile.write();
        }
        node.listenersOpened(listeners.size());
        node.maintainer().start();
        node.crawler().start();
        node.rebalancer().start();
        clockThread = Thread.ofPlatform().daemon().name("clock").start(() -> {
            while (!closed) {
                node.store().clock().tick();
                try {
                    Thread.sleep(1000 - System.currentTimeMillis() % 1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private static java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions(int mode) {
        var set = java.util.EnumSet.noneOf(java.nio.file.attribute.PosixFilePermission.class);
        var all = java.nio.file.attribute.PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
        for (int i = 0; i < 9; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                set.add(all[i]);
            }
        }
        return set;
    }

    private void addListener(Channel ch) {
        listeners.add(ch);
        node.connectionStats().total.incrementAndGet(); // memcached counts its listening sockets here too
        String address = describe(ch.localAddress());
        int fd = fdOf(ch);
        node.connectionStats().servesOn(fd);
        if (settings.verbose > 1) {
            System.err.println("<" + fd + " server listening (" + settings.protocol.statName() + ")");
        }
        node.connections().add(new ConnectionEntry(fd, address, null, false, () -> "conn_listening", node.startedMillis()));
    }

    private ServerBootstrap bootstrap(Class<? extends ServerChannel> type) {
        return new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(type)
                .option(ChannelOption.SO_BACKLOG, settings.backlog)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // a client's FIN ends its input only: what it sent before is still run and answered
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.ALLOCATOR, io.netty.buffer.PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        var tls = node.tls();
                        if (tls != null) {
                            var ssl = tls.server().newHandler(ch.alloc());
                            ssl.handshakeFuture().addListener(f -> {
                                if (!f.isSuccess()) {
                                    tls.handshakeFailed();
                                }
                            });
                            ch.pipeline().addLast(ssl);
                        }
                        if (settings.idleTimeout > 0) {
                            ch.pipeline().addLast(new IdleStateHandler(0, 0, settings.idleTimeout, TimeUnit.SECONDS));
                        }
                        ch.pipeline().addLast(new ClientHandler(node, sessions, shutdown));
                    }
                });
    }

    /** Blocks until the server stops ({@code shutdown} command or {@link #close()}). */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Channel ch : listeners) {
            ch.close();
        }
        Replication r = node.replication();
        if (r != null) {
            r.drain(5000); // graceful: peers get what is queued for them before we go
        }
        node.maintainer().stop();
        node.crawler().stop();
        node.rebalancer().stop();
        if (clockThread != null) {
            clockThread.interrupt();
        }
        // bounded: an event loop that misses its wake-up must not keep the process from exiting
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (r != null) {
            r.close();
        }
        if (settings.socketPath != null) {
            try {
                java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(settings.socketPath));
            } catch (java.io.IOException ignored) {
                // best effort: the socket file goes with the process anyway
            }
        }
        terminated.countDown();
    }
}
