package memfleet.node.it.differential;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import memfleet.node.it.ServerProcess;

/**
 * A raw, buffered TCP connection for the text protocol, fast enough for megabyte values: the harness's
 * {@code TextConnection} reads one byte per system call, which is fine for short replies only. Every read has a
 * timeout (5 s unless told otherwise), so a silent server fails a test instead of hanging it.
 */
public final class WireConnection implements AutoCloseable {
    private static final int DEFAULT_TIMEOUT_MILLIS = 5000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public WireConnection(ServerProcess server) {
        this(server, DEFAULT_TIMEOUT_MILLIS);
    }

    public WireConnection(ServerProcess server, int timeoutMillis) {
        try {
            socket = new Socket();
            socket.connect(new InetSocketAddress(server.host(), server.port()), timeoutMillis);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(timeoutMillis);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException("connect to " + server, e);
        }
    }

    /** Sets the timeout of every following read. */
    public WireConnection timeout(Duration timeout) {
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public WireConnection write(String text) {
        return write(text.getBytes(ISO_8859_1));
    }

    public WireConnection write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code bytes} in pieces cut at the ascending offsets {@code cuts}, pausing {@code pause} between
     * pieces so that the server most likely reads each piece on its own.
     */
    public void writeInPieces(byte[] bytes, int[] cuts, Duration pause) throws IOException {
        int from = 0;
        for (int cut : cuts) {
            if (cut > from && cut < bytes.length) {
                out.write(bytes, from, cut - from);
                out.flush();
                from = cut;
                LockSupport.parkNanos(pause.toNanos());
            }
        }
        out.write(bytes, from, bytes.length - from);
        out.flush();
    }

    /** Closes the write side (FIN), as a client piping its commands into {@code nc} does at their end. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /**
     * Reads one line including its {@code \n}; at end of stream returns what arrived (no {@code \n} at its end),
     * or null if nothing did.
     */
    public byte[] readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toByteArray();
            }
            line.write(b);
            if (b == '\n') {
                return line.toByteArray();
            }
        }
    }

    /** Reads exactly {@code n} bytes, or fewer if the stream ends first. */
    public byte[] readExact(int n) throws IOException {
        return in.readNBytes(n);
    }

    /** Sends one command line and returns the first reply line, without its line end. */
    public String call(String command) {
        write(command);
        try {
            byte[] line = readLine();
            if (line == null) {
                throw new IOException("connection closed after " + command.strip());
            }
            return new String(line, ISO_8859_1).stripTrailing();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads lines up to and including {@code last} (e.g. {@code END}) and returns them without line ends. */
    public List<String> readLinesUntil(String last) {
        List<String> lines = new ArrayList<>();
        try {
            while (true) {
                byte[] raw = readLine();
                if (raw == null) {
                    throw new IOException("connection closed after " + lines);
                }
                String line = new String(raw, ISO_8859_1).stripTrailing();
                lines.add(line);
                if (line.equals(last)) {
                    return lines;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code stats} (or {@code stats <group>}) and returns the values by name, in the server's order. */
    public Map<String, String> stats(String group) {
        write(group.isEmpty() ? "stats\r\n" : "stats " + group + "\r\n");
        Map<String, String> stats = new LinkedHashMap<>();
        for (String line : readLinesUntil("END")) {
            if (line.startsWith("STAT ")) {
                int space = line.indexOf(' ', 5);
                stats.put(line.substring(5, space), line.substring(space + 1));
            } else if (!line.equals("END")) {
                throw new IllegalStateException("not a stats line: " + line);
            }
        }
        return stats;
    }

    public Map<String, String> stats() {
        return stats("");
    }

    /** One general stat as a number. */
    public long stat(String name) {
        String value = stats().get(name);
        if (value == null) {
            throw new IllegalStateException("no stat " + name);
        }
        return Long.parseLong(value);
    }

    /**
     * Reads and discards whatever arrives until the server closes the connection (true) or stays silent for
     * {@code within} (false). A reset counts as closed.
     */
    public boolean closedWithin(Duration within) {
        try {
            socket.setSoTimeout((int) within.toMillis());
            byte[] sink = new byte[8192];
            while (in.read(sink) >= 0) {
                // discard until end of stream
            }
            return true;
        } catch (SocketTimeoutException silent) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
