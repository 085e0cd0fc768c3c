package memfleet.node.net;

import java.util.function.Supplier;

import memfleet.node.Node;
import memfleet.node.stats.ConnectionInfo;

/**
 * What {@code stats conns} shows of one listener, UDP socket or client connection: fixed when it opens,
 * except its state, read live from its transport, and the time of its last command.
 */
final class ConnectionEntry implements ConnectionInfo {
    private final int fd;
    private final String address;
    private final String listenAddress;
    private final boolean udp;
    private final Supplier<String> state;
    private volatile long lastCommandMillis;

    ConnectionEntry(int fd, String address, String listenAddress, boolean udp, Supplier<String> state, long sinceMillis) {
        this.fd = fd;
        this.address = address;
        this.listenAddress = listenAddress;
        this.udp = udp;
        this.state = state;
        this.lastCommandMillis = sinceMillis;
    }

    /**
     * Counts a connection that opened (memcached counts its UDP sockets among them) and lists it in {@code
     * stats conns}; returns how many are open now.
     */
    long opened(Node node) {
        var cs = node.connectionStats();
        long current = cs.current.incrementAndGet();
        cs.total.incrementAndGet();
        cs.servesOn(fd);
        node.connections().add(this);
        return current;
    }

    /** The connection closed: no longer counted or listed. */
    void closed(Node node) {
        node.connectionStats().current.decrementAndGet();
        node.connections().remove(this);
    }

    /** A command ran on it now. */
    void commandRan() {
        lastCommandMillis = System.currentTimeMillis();
    }

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
    public boolean udp() {
        return udp;
    }

    @Override
    public String state() {
        return state.get();
    }

    @Override
    public long secondsSinceLastCommand() {
        return (System.currentTimeMillis() - lastCommandMillis) / 1000;
    }
}
