package memfleet.console.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP forwarder on a loopback port standing for the network between two replicating nodes: {@link #cut()}
 * drops every connection and refuses new ones (a partition, while both nodes keep serving clients),
 * {@link #heal()} forwards again.
 */
final class LinkProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final List<Socket> open = new ArrayList<>();
    private volatile boolean cut;

    LinkProxy(int target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket in;
            try {
                in = server.accept();
            } catch (IOException closed) {
                return;
            }
            if (cut) {
                close(in);
                continue;
            }
            Socket out;
            try {
                out = new Socket(InetAddress.getLoopbackAddress(), target);
            } catch (IOException refused) {
                close(in);
                continue;
            }
            synchronized (open) {
                open.add(in);
                open.add(out);
            }
            Thread.ofVirtual().start(() -> pump(in, out));
            Thread.ofVirtual().start(() -> pump(out, in));
        }
    }

    private static void pump(Socket from, Socket to) {
        byte[] buf = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException done) {
            // either side closed
        } finally {
            close(from);
            close(to);
        }
    }

    void cut() {
        cut = true;
        synchronized (open) {
            open.forEach(LinkProxy::close);
            open.clear();
        }
    }

    void heal() {
        cut = false;
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        cut();
        server.close();
    }
}
