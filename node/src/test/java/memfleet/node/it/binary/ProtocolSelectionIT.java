package memfleet.node.it.binary;

import static java.util.concurrent.TimeUnit.SECONDS;
import static memfleet.node.it.binary.BinaryConnection.bytes;
import static memfleet.node.it.binary.BinaryConnection.request;
import static memfleet.protocol.binary.BinaryHeader.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.binary.BinaryConnection.Packet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code -B}: auto-detection per connection, binary only, ascii only; checked on memcached first. */
@ServerTest(shared = false)
@Timeout(value = 60, unit = SECONDS)
class ProtocolSelectionIT {
    private final ServerRun run;

    ProtocolSelectionIT(ServerRun run) {
        this.run = run;
    }

    private ServerProcess start(String protocol) {
        return run.start("-B", protocol);
    }

    /** What a text client gets back: everything until the server closes or stays silent for 1 s. */
    private static String text(ServerProcess server, String lines) throws IOException {
        try (Socket s = new Socket(server.host(), server.port())) {
            s.setSoTimeout(1000);
            s.getOutputStream().write(bytes(lines));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                int b;
                while ((b = in.read()) >= 0) {
                    got.write(b);
                }
                got.writeBytes(bytes("<closed>"));
            } catch (SocketTimeoutException silent) {
                // still open
            }
            return got.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    private static String binding(ServerProcess server) {
        try (BinaryConnection c = new BinaryConnection(server)) {
            return c.exchange(1, request(STAT, "settings", new byte[0], "")).stream()
                    .filter(p -> new String(p.key()).equals("binding_protocol")).map(Packet::valueText)
                    .findFirst().orElseThrow();
        }
    }

    @Test
    void autoDecidesPerConnectionByTheFirstByte() throws IOException {
        try (ServerProcess server = start("auto")) {
            assertThat(text(server, "set k 0 0 2\r\nhi\r\nget k\r\n")).isEqualTo("STORED\r\nVALUE k 0 2\r\nhi\r\nEND\r\n");
            try (BinaryConnection c = new BinaryConnection(server)) {
                List<Packet> r = c.exchange(2, request(GET, "k", new byte[0], ""));
                assertThat(r.getFirst().valueText()).isEqualTo("hi");
            }
            assertThat(binding(server)).isEqualTo("auto-negotiate");
        }
    }

    @Test
    void binaryOnlyClosesATextConnectionAtItsFirstHeader() throws IOException {
        try (ServerProcess server = start("binary")) {
            assertThat(text(server, "version\r\nversion\r\nversion\r\n")).isEqualTo("<closed>");
            assertThat(binding(server)).isEqualTo("binary");
        }
    }

    @Test
    void asciiOnlyReadsABinaryRequestAsText() throws IOException {
        try (ServerProcess server = start("ascii")) {
            // a binary NOOP's opcode byte is a newline: the text parser sees "\x80" and 22 NULs as two lines
            String noop = new String(request(NOOP, new byte[0], new byte[0], new byte[0], 0, 0),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(text(server, noop + "\r\nversion\r\n")).isEqualTo("ERROR\r\nERROR\r\nVERSION 1.6.18\r\n");
        }
    }
}
