package memfleet.node.it.udp;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.TextConnection;
import memfleet.node.it.udp.UdpClient.Datagram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The UDP transport ({@code -U}) datagram by datagram: frame headers, replies cut into 1400-byte
 * datagrams, one message per reply, the bare headers memcached 1.6 sends for empty replies, dropped
 * requests. Every expectation is checked byte for byte, and Debian's memcached 1.6.18 passes them all.
 */
@ServerTest(shared = false)
@Timeout(value = 60, unit = SECONDS)
class UdpIT {
    /** How long a reply may pause between datagrams before we take it as complete. */
    private static final int QUIET_MILLIS = 300;

    private final ServerRun run;
    /** The UDP port, chosen free before the server starts. */
    private final int udpPort;
    private final ServerProcess server;

    private UdpClient udp;

    UdpIT(ServerRun run) {
        this.run = run;
        this.udpPort = run.once("udp port", UdpClient::freePort);
        this.server = run.once("server", () -> startServer(run.kind(), udpPort));
    }

    private static ServerProcess startServer(String kind, int port) {
        return ServerProcess.of(kind, "-m", "64", "-U", Integer.toString(port));
    }

    @BeforeEach
    void open() {
        udp = new UdpClient(server.host(), udpPort);
    }

    @AfterEach
    void closeClient() {
        udp.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void setThenGetEachAnsweredInOneDatagramUnderTheRequestId() {
        assertThat(udp.send(0x1234, "set udp:a 5 0 3\r\nabc\r\n").receiveAll(QUIET_MILLIS))
                .containsExactlyElementsOf(UdpClient.message(0x1234, "STORED\r\n"));
        assertThat(udp.send(0xBEEF, "get udp:a\r\n").receiveAll(QUIET_MILLIS))
                .containsExactlyElementsOf(UdpClient.message(0xBEEF, "VALUE udp:a 5 3\r\nabc\r\nEND\r\n"));
        try (TextConnection tcp = new TextConnection(server)) {
            assertThat(tcp.send("get udp:a\r\n").readUntil("END\r\n")).isEqualTo("VALUE udp:a 5 3\r\nabc\r\nEND\r\n");
        }
    }

    @Test
    void theRequestIdIsEchoedWhateverItIs() {
        for (int id : new int[] {0, 1, 0x7FFF, 0x8000, 0xFFFF}) {
            assertThat(udp.send(id, "get udp:nothing\r\n").receiveAll(QUIET_MILLIS))
                    .containsExactlyElementsOf(UdpClient.message(id, "END\r\n"));
        }
    }

    @Test
    void aMultiGetSpanningManyDatagramsReassemblesToTheTcpReply() {
        // sizes around the 1392-byte data of a datagram, hits and misses mixed, a miss first
        int[] sizes = {0, 1, 1350, 1366, 1367, 1368, 1392, 2762, 2763, 4000, 20000, 100000};
        List<String> keys = new ArrayList<>();
        keys.add("udp:multi:missing:first");
        try (TextConnection tcp = new TextConnection(server)) {
            for (int i = 0; i < sizes.length; i++) {
                String key = "udp:multi:" + sizes[i];
                String value = Character.toString('a' + i % 26).repeat(sizes[i]);
                assertThat(tcp.send("set " + key + " " + i + " 0 " + sizes[i] + "\r\n" + value + "\r\n").readLine())
                        .isEqualTo("STORED\r\n");
                keys.add(key);
                if (i % 4 == 1) {
                    keys.add("udp:multi:missing:" + i);
                }
            }
            String line = "get " + String.join(" ", keys) + "\r\n";
            String tcpReply = tcp.send(line).readUntil("END\r\n");

            List<Datagram> got = udp.send(77, line).receiveAll(QUIET_MILLIS);

            assertThat(got.size()).isGreaterThan(70);
            assertThat(got).allSatisfy(d -> {
                assertThat(d.requestId()).isEqualTo(77);
                assertThat(d.reserved()).isZero();
                assertThat(UdpClient.HEADER_SIZE + d.payload().length).isLessThanOrEqualTo(UdpClient.MAX_DATAGRAM);
            });
            assertThat(new String(UdpClient.reassemble(got), StandardCharsets.ISO_8859_1)).isEqualTo(tcpReply);
            assertThat(got).containsExactlyElementsOf(expectedMultiGet(77, keys, tcpReply));
        }
    }

    /**
     * memcached 1.6's framing of a multi-get: a message per key (its VALUE block, or nothing for a miss),
     * END on the last one; an empty one goes out as a bare header only while nothing was sent yet.
     */
    private static List<Datagram> expectedMultiGet(int id, List<String> keys, String tcpReply) {
        List<Datagram> out = new ArrayList<>();
        int at = 0;
        boolean sent = false;
        for (int k = 0; k < keys.size(); k++) {
            ByteArrayOutputStream piece = new ByteArrayOutputStream();
            String prefix = "VALUE " + keys.get(k) + " ";
            if (tcpReply.startsWith(prefix, at)) {
                int eol = tcpReply.indexOf("\r\n", at);
                String[] header = tcpReply.substring(at, eol).split(" ");
                int end = eol + 2 + Integer.parseInt(header[3]) + 2;
                piece.writeBytes(bytes(tcpReply.substring(at, end)));
                at = end;
            }
            if (k == keys.size() - 1) {
                piece.writeBytes(bytes("END\r\n"));
            }
            if (piece.size() > 0 || !sent) {
                out.addAll(UdpClient.message(id, piece.toByteArray()));
                sent = true;
            }
        }
        return out;
    }

    @Test
    void severalCommandsInOneDatagramEachGetTheirOwnMessage() {
        List<Datagram> got = udp.send(5, "set udp:m 0 0 2\r\nhi\r\nget udp:m\r\ndelete udp:m\r\n"
                + "set udp:quiet 0 0 1 noreply\r\n1\r\nincr udp:quiet 4\r\nbogus\r\n").receiveAll(QUIET_MILLIS);
        List<Datagram> expected = new ArrayList<>();
        for (String reply : List.of("STORED\r\n", "VALUE udp:m 0 2\r\nhi\r\nEND\r\n", "DELETED\r\n", "5\r\n", "ERROR\r\n")) {
            expected.addAll(UdpClient.message(5, reply));
        }
        assertThat(got).containsExactlyElementsOf(expected);
    }

    @Test
    void aRequestOfSeveralDatagramsOrWithoutPayloadIsDroppedButSequenceAndReservedAreIgnored() {
        byte[] get = bytes("get udp:nothing\r\n");
        udp.sendRaw(UdpClient.concat(UdpClient.header(21, 0, 2, 0), get));
        udp.sendRaw(UdpClient.concat(UdpClient.header(22, 1, 2, 0), get));
        udp.sendRaw(UdpClient.concat(UdpClient.header(23, 0, 0, 0), get));
        udp.sendRaw(UdpClient.header(24, 0, 1, 0));
        udp.sendRaw(new byte[] {0, 25, 0});
        assertThat(udp.receive(Integer.MAX_VALUE, 700)).isEmpty();

        udp.sendRaw(UdpClient.concat(UdpClient.header(26, 3, 1, 0x7777), get));
        assertThat(udp.receiveAll(QUIET_MILLIS)).containsExactlyElementsOf(UdpClient.message(26, "END\r\n"));
    }

    @Test
    void aLastLineWithoutNewlineIsIgnored() {
        assertThat(udp.send(30, "delete udp:nothing\r\nget udp:nothing").receiveAll(QUIET_MILLIS))
                .containsExactlyElementsOf(UdpClient.message(30, "NOT_FOUND\r\n"));
    }

    @Test
    void aGetWithAnOverlongKeyDropsTheRepliesNotYetSent() {
        String longKey = "k".repeat(251);
        // delete's reply is not sent yet when the get fails; the first get's was (a get flushes)
        assertThat(udp.send(40, "get udp:nothing\r\ndelete udp:nothing\r\nget udp:nothing " + longKey + "\r\n")
                .receiveAll(QUIET_MILLIS))
                .containsExactlyElementsOf(concat(UdpClient.message(40, "END\r\n"),
                        UdpClient.message(40, "CLIENT_ERROR bad command line format\r\n")));
    }

    @Test
    void emptyRepliesGoOutAsBareHeadersOnlyAtTheStartOfAFlush() {
        try (TextConnection tcp = new TextConnection(server)) {
            assertThat(tcp.call("set udp:e 0 0 1\r\ne\r\n")).isEqualTo("STORED\r\n");
        }
        List<Datagram> value = UdpClient.message(50, "VALUE udp:e 0 1\r\ne\r\nEND\r\n");
        List<Datagram> bare = UdpClient.message(50, new byte[0]);
        // the miss's empty reply follows a sent one: dropped
        assertThat(udp.send(50, "delete udp:none\r\nget udp:none udp:e\r\n").receiveAll(QUIET_MILLIS))
                .containsExactlyElementsOf(concat(UdpClient.message(50, "NOT_FOUND\r\n"), value));
        // after a noreply command nothing was sent yet: a bare header, count 0
        assertThat(udp.send(50, "delete udp:none noreply\r\nget udp:none udp:e\r\n").receiveAll(QUIET_MILLIS))
                .containsExactlyElementsOf(concat(bare, value));
        // memcached yields after -R+1 = 21 commands, flushing: the get then starts a new flush
        List<Datagram> versions = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            versions.addAll(UdpClient.message(50, "VERSION 1.6.18\r\n"));
        }
        assertThat(udp.send(50, "version\r\n".repeat(20) + "get udp:none udp:e\r\n").receiveAll(QUIET_MILLIS))
                .containsExactlyElementsOf(concat(versions.subList(0, 20), value));
        assertThat(udp.send(50, "version\r\n".repeat(21) + "get udp:none udp:e\r\n").receiveAll(QUIET_MILLIS))
                .containsExactlyElementsOf(concat(versions, concat(bare, value)));
    }

    @Test
    void quitSendsABareHeaderAndEndsTheDatagram() {
        // a server of its own: after a UDP quit memcached cuts every later datagram at its first flush
        int port = UdpClient.freePort();
        try (ServerProcess own = startServer(run.kind(), port); UdpClient client = new UdpClient(own.host(), port)) {
            assertThat(client.send(60, "set udp:q 0 0 1\r\nq\r\nget udp:q\r\nquit\r\nget udp:q\r\n")
                    .receiveAll(QUIET_MILLIS))
                    .containsExactlyElementsOf(concat(UdpClient.message(60, "STORED\r\n"),
                            concat(UdpClient.message(60, "VALUE udp:q 0 1\r\nq\r\nEND\r\n"),
                                    UdpClient.message(60, new byte[0]))));
        }
    }

    /**
     * memfleet only: a data block that does not fit in its datagram is answered at once. memcached instead
     * reads the next datagram that reaches that worker, header and all, as the rest of the block.
     */
    @Test
    void aDataBlockCutShortByTheDatagramIsABadDataChunk() {
        assumeTrue(run.isNode(), "memcached takes the next datagram as the rest of the block");
        assertThat(udp.send(70, "set udp:cut 0 0 10\r\nabc\r\n").receiveAll(QUIET_MILLIS))
                .containsExactlyElementsOf(UdpClient.message(70, "CLIENT_ERROR bad data chunk\r\n"));
        assertThat(udp.send(71, "get udp:cut\r\n").receiveAll(QUIET_MILLIS))
                .containsExactlyElementsOf(UdpClient.message(71, "END\r\n"));
    }

    private static List<Datagram> concat(List<Datagram> a, List<Datagram> b) {
        List<Datagram> r = new ArrayList<>(a);
        r.addAll(b);
        return r;
    }
}
