package memfleet.node.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A raw TCP connection for the text protocol: send bytes, read replies, exactly as they come. */
public final class TextConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public TextConnection(ServerProcess server) {
        this(server.host(), server.port());
    }

    public TextConnection(String host, int port) {
        try {
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(5000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public TextConnection send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public TextConnection send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads until the reply ends with {@code terminator} (e.g. {@code "END\r\n"}). */
    public String readUntil(String terminator) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] end = terminator.getBytes(StandardCharsets.ISO_8859_1);
        try {
            while (!endsWith(buf, end)) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                buf.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("after " + buf.toString(StandardCharsets.ISO_8859_1), e);
        }
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads one line including its {@code \r\n}. */
    public String readLine() {
        return readUntil("\r\n");
    }

    /** Sends {@code command} and reads one reply line. */
    public String call(String command) {
        return send(command).readLine();
    }

    /** Sends {@code stats} and returns the general stat {@code name} as a number. */
    public long stat(String name) {
        String prefix = "STAT " + name + " ";
        for (String line : send("stats\r\n").readUntil("END\r\n").split("\r\n")) {
            if (line.startsWith(prefix)) {
                return Long.parseLong(line.substring(prefix.length()));
            }
        }
        throw new IllegalStateException("no stat " + name);
    }

    /** Reads whatever arrives until the server stays quiet for {@code quietMillis}, or closes. */
    public String readQuiet(int quietMillis) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            socket.setSoTimeout(quietMillis);
            byte[] chunk = new byte[65536];
            while (true) {
                int n = in.read(chunk);
                if (n < 0) {
                    break;
                }
                buf.write(chunk, 0, n);
            }
        } catch (SocketTimeoutException quiet) {
            // nothing more for quietMillis: the reply is complete
        } catch (IOException e) {
            // reset by peer after close: keep what arrived
        } finally {
            try {
                socket.setSoTimeout(5000);
            } catch (IOException ignored) {
                // socket already closed
            }
        }
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    /** True once the server has closed this connection. */
    public boolean closedByServer() {
        try {
            socket.setSoTimeout(2000);
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean endsWith(ByteArrayOutputStream buf, byte[] end) {
        if (buf.size() < end.length) {
            return false;
        }
        byte[] all = buf.toByteArray();
        for (int i = 0; i < end.length; i++) {
            if (all[all.length - end.length + i] != end[i]) {
                return false;
            }
        }
        return true;
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
