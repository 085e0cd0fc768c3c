package memfleet.node.net;

import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;

/**
 * How the node's sockets do their I/O: Linux's io_uring (submission and completion rings, fewer system calls per
 * request), epoll, or Java's NIO where neither native transport loads. Every listener (TCP, UDP, unix socket,
 * TLS over TCP) and every client connection of a node uses the one transport chosen at start-up.
 */
public enum Transport {
    IO_URING("io_uring") {
        @Override
        public boolean isAvailable() {
            return IoUring.isAvailable();
        }

        @Override
        Throwable unavailabilityCause() {
            return IoUring.unavailabilityCause();
        }

        @Override
        IoHandlerFactory ioHandlerFactory() {
            return IoUringIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverSocket() {
            return IoUringServerSocketChannel.class;
        }

        @Override
        Class<? extends ServerChannel> serverDomainSocket() {
            return IoUringServerDomainSocketChannel.class;
        }

        @Override
        Class<? extends DatagramChannel> datagram() {
            return IoUringDatagramChannel.class;
        }

        @Override
        ChannelOption<Boolean> reusePort() {
            return IoUringChannelOption.SO_REUSEPORT;
        }
    },
    EPOLL("epoll") {
        @Override
        public boolean isAvailable() {
            return Epoll.isAvailable();
        }

        @Override
        Throwable unavailabilityCause() {
            return Epoll.unavailabilityCause();
        }

        @Override
        IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverSocket() {
            return EpollServerSocketChannel.class;
        }

        @Override
        Class<? extends ServerChannel> serverDomainSocket() {
            return EpollServerDomainSocketChannel.class;
        }

        @Override
        Class<? extends DatagramChannel> datagram() {
            return EpollDatagramChannel.class;
        }

        @Override
        ChannelOption<Boolean> reusePort() {
            return EpollChannelOption.SO_REUSEPORT;
        }
    },
    NIO("nio") {
        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        Throwable unavailabilityCause() {
            return null;
        }

        @Override
        IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverSocket() {
            return NioServerSocketChannel.class;
        }

        @Override
        Class<? extends ServerChannel> serverDomainSocket() {
            return null;
        }

        @Override
        Class<? extends DatagramChannel> datagram() {
            return NioDatagramChannel.class;
        }

        @Override
        ChannelOption<Boolean> reusePort() {
            return null;
        }
    };

    private final String label;

    Transport(String label) {
        this.label = label;
    }

    /** The name {@code -o} takes and {@code stats memfleet} shows: {@code io_uring}, {@code epoll} or {@code nio}. */
    public String label() {
        return label;
    }

    /** Whether this transport loads on this machine (its native library, the kernel's support). */
    public abstract boolean isAvailable();

    abstract Throwable unavailabilityCause();

    abstract IoHandlerFactory ioHandlerFactory();

    abstract Class<? extends ServerChannel> serverSocket();

    /** The unix socket ({@code -s}) listener, or null where the transport has none (NIO). */
    abstract Class<? extends ServerChannel> serverDomainSocket();

    abstract Class<? extends DatagramChannel> datagram();

    /** {@code SO_REUSEPORT}, which lets each worker have its own UDP socket on one port, or null (NIO). */
    abstract ChannelOption<Boolean> reusePort();

    /** The transport named {@code label}, or null for {@code auto}; throws for an unknown name. */
    public static Transport named(String label) {
        if (label.equals("auto")) {
            return null;
        }
        for (Transport t : values()) {
            if (t.label.equals(label)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Unknown transport \"" + label + "\": io_uring, epoll, nio or auto");
    }

    /**
     * The transport to serve with: {@code chosen} if it was named (it must then be available: asking for io_uring
     * and getting epoll would hide a slower node), else the best that loads, io_uring first.
     */
    public static Transport choose(Transport chosen) {
        if (chosen != null) {
            if (!chosen.isAvailable()) {
                Throwable cause = chosen.unavailabilityCause();
                throw new IllegalStateException("the " + chosen.label + " transport is not available here"
                        + (cause != null ? ": " + cause : ""));
            }
            return chosen;
        }
        for (Transport t : values()) {
            if (t.isAvailable()) {
                return t;
            }
        }
        return NIO;
    }
}
