package memfleet.node.it.replication;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on a free loopback port that forwards to one target and can be told to misbehave, for the
 * network between two replicating nodes: {@link #delay} holds every chunk back for a while (a delay line, not a
 * throttle), {@link #stall} stops forwarding but keeps the connections open (what a dropped link looks like to
 * TCP: the sender's buffers fill, nothing arrives), {@link #cut} closes every connection and closes new ones at
 * once, {@link #restore} makes it a plain proxy again. Each connection has one thread per direction reading and
 * one delivering; a direction holds at most {@value #QUEUED_CHUNKS} chunks in the test's memory.
 */
final class FaultProxy implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;
    private static final int QUEUED_CHUNKS = 64;
    private static final byte[] END = new byte[0];

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private volatile long delayNanos;
    private volatile boolean stalled;
    private volatile boolean cut;
    private volatile boolean closed;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();

    /** Starts a proxy to {@code target} on a free loopback port. */
    FaultProxy(InetSocketAddress target) {
        this.target = target;
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = Thread.ofPlatform().daemon().name("fault-proxy-" + port()).start(this::acceptLoop);
    }

    /** A proxy to {@code 127.0.0.1:port}. */
    FaultProxy(int targetPort) {
        this(new InetSocketAddress("127.0.0.1", targetPort));
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The proxy's address as a peer would be given it in {@code -x}. */
    String hostPort() {
        return "127.0.0.1:" + port();
    }

    /** Holds every chunk back for {@code millis} before passing it on (0: no delay). */
    FaultProxy delay(long millis) {
        delayNanos = TimeUnit.MILLISECONDS.toNanos(millis);
        return this;
    }

    /** Stops forwarding in both directions; connections stay open and new ones are accepted but stay silent. */
    FaultProxy stall() {
        stalled = true;
        return this;
    }

    /** Closes every connection now and every new one as soon as it is accepted, until {@link #restore}. */
    FaultProxy cut() {
        cut = true;
        for (Link link : links) {
            link.close();
        }
        return this;
    }

    /** No delay, no stall, no cut: forwards again (connections closed by a cut stay closed). */
    FaultProxy restore() {
        delayNanos = 0;
        cut = false;
        synchronized (lock) {
            stalled = false;
            lock.notifyAll();
        }
        return this;
    }

    /** Connections accepted and forwarded so far. */
    long accepted() {
        return accepted.get();
    }

    /** Connections closed right after accepting because of a cut. */
    long refused() {
        return refused.get();
    }

    /** Bytes delivered so far, both directions together. */
    long forwardedBytes() {
        return forwarded.get();
    }

    /** Connections open now. */
    int openConnections() {
        return links.size();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut) {
                refused.incrementAndGet();
                closeQuietly(client);
                continue;
            }
            Socket server = new Socket();
            try {
                server.connect(target, 2000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
            } catch (IOException e) {
                // the target is down: the client sees its connection closed, as it would see a refusal
                closeQuietly(client);
                closeQuietly(server);
                continue;
            }
            accepted.incrementAndGet();
            Link link = new Link(client, server);
            links.add(link);
            link.start();
        }
    }

    /** One proxied connection: two sockets, two directions. */
    private final class Link {
        private final Socket client;
        private final Socket server;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() {
            direction(client, server, "up");
            direction(server, client, "down");
        }

        private void direction(Socket from, Socket to, String name) {
            BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
            Thread.ofPlatform().daemon().name("fault-proxy-" + port() + "-" + name + "-read").start(() -> {
                try {
                    InputStream in = from.getInputStream();
                    byte[] buf = new byte[CHUNK];
                    while (true) {
                        awaitNotStalled();
                        int n = in.read(buf);
                        if (n < 0) {
                            break;
                        }
                        queue.put(new Chunk(Arrays.copyOf(buf, n), System.nanoTime() + delayNanos));
                    }
                } catch (IOException | InterruptedException e) {
                    // closed, reset or cut: the deliverer closes the other side
                } finally {
                    try {
                        queue.put(new Chunk(END, 0));
                    } catch (InterruptedException ignored) {
                        close();
                    }
                }
            });
            Thread.ofPlatform().daemon().name("fault-proxy-" + port() + "-" + name + "-write").start(() -> {
                try {
                    OutputStream out = to.getOutputStream();
                    while (true) {
                        Chunk chunk = queue.take();
                        if (chunk.bytes == END) {
                            break;
                        }
                        long wait = chunk.due - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        awaitNotStalled();
                        out.write(chunk.bytes);
                        out.flush();
                        forwarded.addAndGet(chunk.bytes.length);
                    }
                } catch (IOException | InterruptedException e) {
                    // the other side is gone
                } finally {
                    close();
                }
            });
        }

        void close() {
            links.remove(this);
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    private record Chunk(byte[] bytes, long due) {}

    private void awaitNotStalled() throws InterruptedException {
        synchronized (lock) {
            while (stalled && !closed) {
                lock.wait(100);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Link link : links) {
            link.close();
        }
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[" + port() + " -> " + target + "]";
    }
}
