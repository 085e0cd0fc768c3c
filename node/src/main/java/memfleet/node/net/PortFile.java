package memfleet.node.net;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * memcached's port file: with {@code MEMCACHED_PORT_FILENAME} set (and no unix socket), one line per TCP then
 * per UDP listener, {@code TCP INET: <port>} or {@code UDP INET6: <port>}, with the port the system gave it,
 * so a server started with {@code -p -1} / {@code -U -1} (any free port) can be found. Written to {@code
 * <name>.lck} (appended, as memcached opens it) and renamed into place once every listener is bound.
 */
final class PortFile {
    /** The environment variable memcached reads. */
    static final String VARIABLE = "MEMCACHED_PORT_FILENAME";

    private final Path file;
    private final List<String> tcp = new ArrayList<>();
    private final List<String> udp = new ArrayList<>();

    PortFile(Path file) {
        this.file = file;
    }

    /** The port file the environment asks for, or null. */
    static PortFile fromEnvironment() {
        String name = System.getenv(VARIABLE);
        return name == null ? null : new PortFile(Path.of(name));
    }

    /** memcached's line for a listener bound at {@code bound}. */
    static String line(boolean udpSocket, SocketAddress bound) {
        InetSocketAddress a = (InetSocketAddress) bound;
        return (udpSocket ? "UDP" : "TCP") + (a.getAddress() instanceof Inet6Address ? " INET6: " : " INET: ")
                + a.getPort();
    }

    void tcpBound(SocketAddress bound) {
        tcp.add(line(false, bound));
    }

    void udpBound(SocketAddress bound) {
        udp.add(line(true, bound));
    }

    /** The lines so far, TCP listeners first as memcached binds them. */
    List<String> lines() {
        List<String> all = new ArrayList<>(tcp);
        all.addAll(udp);
        return all;
    }

    /** Writes the file: the lines into {@code <name>.lck}, then renamed to the name. */
    void write() throws IOException {
        Path lock = file.resolveSibling(file.getFileName() + ".lck");
        StringBuilder sb = new StringBuilder();
        for (String l : lines()) {
            sb.append(l).append('\n');
        }
        Files.writeString(lock, sb, StandardCharsets.US_ASCII, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Files.move(lock, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
