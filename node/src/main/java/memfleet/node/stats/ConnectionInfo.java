package memfleet.node.stats;

/** What {@code stats conns} shows of one connection or listener. */
public interface ConnectionInfo {
    /** The socket's file descriptor number, or a stable id where there is none. */
    int fd();

    /** "tcp:127.0.0.1:54321" or "unix:/path". */
    String address();

    /** The listener it came in on, or null for a listener itself. */
    String listenAddress();

    /** A UDP socket: memcached shows it as a connection of its own, marked "UDP". */
    default boolean udp() {
        return false;
    }

    /** memcached's state name: conn_listening, conn_parse_cmd, conn_nread, conn_swallow, ... */
    String state();

    /** Seconds since the connection last sent a command. */
    long secondsSinceLastCommand();
}
