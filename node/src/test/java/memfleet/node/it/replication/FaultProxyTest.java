package memfleet.node.it.replication;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fault proxy itself, in front of an echo server in this JVM: forward, delay, stall, cut, restore. */
@Timeout(value = 30, unit = SECONDS)
class FaultProxyTest {
    private ServerSocket echo;
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            while (true) {
                Socket s;
                try {
                    s = echo.accept();
                } catch (IOException closed) {
                    return;
                }
                Thread.ofPlatform().daemon().start(() -> {
                    try (s) {
                        s.getInputStream().transferTo(s.getOutputStream());
                    } catch (IOException gone) {
                        // client went away
                    }
                });
            }
        });
        proxy = new FaultProxy(echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.setSoTimeout(5000);
        return s;
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(ISO_8859_1));
        out.flush();
        return new String(s.getInputStream().readNBytes(text.length()), ISO_8859_1);
    }

    @Test
    void forwardsBothWays() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "hello")).isEqualTo("hello");
            String big = "x".repeat(1 << 20);
            Thread.ofPlatform().start(() -> {
                try {
                    s.getOutputStream().write(big.getBytes(ISO_8859_1));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(new String(s.getInputStream().readNBytes(big.length()), ISO_8859_1)).isEqualTo(big);
        }
        assertThat(proxy.accepted()).isEqualTo(1);
        // the proxy counts a chunk after writing it on, so the client can hold the last bytes first
        await().atMost(Duration.ofSeconds(5)).untilAsserted(
                () -> assertThat(proxy.forwardedBytes()).isEqualTo(2L * (5 + (1 << 20))));
    }

    @Test
    void aDelayedLinkStillDeliversEverythingInOrder() throws IOException {
        proxy.delay(100);
        try (Socket s = connect()) {
            for (int i = 0; i < 5; i++) {
                assertThat(roundTrip(s, "message " + i)).isEqualTo("message " + i);
            }
        }
    }

    @Test
    void aStalledLinkStaysOpenButSilentUntilRestored() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "before")).isEqualTo("before");
            proxy.stall();
            s.getOutputStream().write("during".getBytes(ISO_8859_1));
            s.setSoTimeout(500);
            try {
                int b = s.getInputStream().read();
                throw new AssertionError("read " + b + " through a stalled proxy");
            } catch (SocketTimeoutException expected) {
                // nothing gets through
            }
            assertThat(proxy.openConnections()).isEqualTo(1);
            s.setSoTimeout(5000);
            proxy.restore();
            assertThat(new String(s.getInputStream().readNBytes(6), ISO_8859_1)).isEqualTo("during");
        }
    }

    @Test
    void aCutClosesConnectionsAndRefusesNewOnesUntilRestored() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "before")).isEqualTo("before");
            proxy.cut();
            InputStream in = s.getInputStream();
            assertThat(readOrEnd(in)).as("read on a cut connection").isEqualTo(-1);
        }
        try (Socket s = connect()) {
            assertThat(readOrEnd(s.getInputStream())).as("read on a connection made during the cut").isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.refused() == 1);
        proxy.restore();
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "after")).isEqualTo("after");
        }
        assertThat(proxy.accepted()).isEqualTo(2);
    }

    /** The next byte, or -1 at end of stream or on a reset. */
    private static int readOrEnd(InputStream in) {
        try {
            return in.read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("neither data nor end of stream within the timeout", e);
        } catch (IOException reset) {
            return -1;
        }
    }
}
