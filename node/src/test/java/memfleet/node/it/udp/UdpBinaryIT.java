package memfleet.node.it.udp;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.udp.UdpClient.Datagram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Binary requests over UDP, as memcached 1.6.18 serves them on its {@code -U} socket: a datagram whose
 * payload starts with the binary magic holds binary requests; each response goes out as a message of its
 * own under the request id; a quiet command that answers nothing is an empty reply (a bare header when
 * nothing was sent before it in the datagram); {@code stats} is one message of all its packets; a response
 * larger than a datagram is cut into 1392-byte pieces. Byte for byte but for the CAS values, which each
 * server counts on its own; memcached passes every case.
 */
@ServerTest(shared = false)
@Timeout(value = 60, unit = SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UdpBinaryIT {
    private static final int QUIET_MILLIS = 300;
    private static final int GET = 0x00;
    private static final int SET = 0x01;
    private static final int GETQ = 0x09;
    private static final int NOOP = 0x0a;
    private static final int VERSION = 0x0b;
    private static final int GETK = 0x0c;
    private static final int GETKQ = 0x0d;
    private static final int STAT = 0x10;
    private static final int SETQ = 0x11;

    private final ServerProcess server;
    private final int udpPort;
    private UdpClient udp;

    UdpBinaryIT(ServerRun run) {
        this.udpPort = run.once("udp port", UdpClient::freePort);
        this.server = run.once("server", () -> ServerProcess.of(run.kind(), "-m", "64", "-U", Integer.toString(udpPort)));
    }

    @BeforeEach
    void open() {
        udp = new UdpClient(server.host(), udpPort);
    }

    @AfterEach
    void closeClient() {
        udp.close();
    }

    private static byte[] request(int opcode, String key, byte[] extras, byte[] value, int opaque) {
        byte[] k = UdpClient.bytes(key);
        return ByteBuffer.allocate(24 + extras.length + k.length + value.length).put((byte) 0x80).put((byte) opcode)
                .putShort((short) k.length).put((byte) extras.length).put((byte) 0).putShort((short) 0)
                .putInt(extras.length + k.length + value.length).putInt(opaque).putLong(0)
                .put(extras).put(k).put(value).array();
    }

    private static byte[] request(int opcode, String key, int opaque) {
        return request(opcode, key, new byte[0], new byte[0], opaque);
    }

    private static byte[] set(int opcode, String key, String value, int flags, int opaque) {
        return request(opcode, key, ByteBuffer.allocate(8).putInt(flags).putInt(0).array(), UdpClient.bytes(value), opaque);
    }

    /** A response as both servers write it, CAS zero (see {@link #withoutCas}). */
    private static byte[] response(int opcode, int status, int opaque, byte[] extras, String key, String value) {
        byte[] k = UdpClient.bytes(key);
        byte[] v = UdpClient.bytes(value);
        return ByteBuffer.allocate(24 + extras.length + k.length + v.length).put((byte) 0x81).put((byte) opcode)
                .putShort((short) k.length).put((byte) extras.length).put((byte) 0).putShort((short) status)
                .putInt(extras.length + k.length + v.length).putInt(opaque).putLong(0)
                .put(extras).put(k).put(v).array();
    }

    private static byte[] flags(int f) {
        return ByteBuffer.allocate(4).putInt(f).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    /** The datagrams of {@code payload}'s reply. */
    private List<Datagram> exchange(int requestId, byte[] payload) {
        udp.sendRaw(UdpClient.concat(UdpClient.header(requestId, 0, 1, 0), payload));
        return udp.receiveAll(QUIET_MILLIS);
    }

    /** One-datagram messages with every response packet's CAS zeroed. */
    private static List<Datagram> withoutCas(List<Datagram> got) {
        List<Datagram> out = new ArrayList<>();
        for (Datagram d : got) {
            byte[] p = d.payload().clone();
            for (int at = 0; at + 24 <= p.length; at += 24 + ByteBuffer.wrap(p, at + 8, 4).getInt()) {
                if ((p[at] & 0xff) != 0x81) {
                    break; // a piece of a larger message: not a packet start
                }
                Arrays.fill(p, at + 16, at + 24, (byte) 0);
            }
            out.add(new Datagram(d.requestId(), d.sequence(), d.total(), d.reserved(), p));
        }
        return out;
    }

    private static Datagram one(int requestId, byte[] body) {
        return new Datagram(requestId, 0, 1, 0, body);
    }

    private static Datagram bare(int requestId) {
        return new Datagram(requestId, 0, 0, 0, new byte[0]);
    }

    @Test
    void eachResponseIsAMessageUnderTheRequestId() {
        assertThat(withoutCas(exchange(7, set(SET, "ub:a", "hello", 3, 1))))
                .containsExactly(one(7, response(SET, 0, 1, new byte[0], "", "")));
        assertThat(withoutCas(exchange(8, request(GETK, "ub:a", 2))))
                .containsExactly(one(8, response(GETK, 0, 2, flags(3), "ub:a", "hello")));
        assertThat(withoutCas(exchange(9, request(GET, "ub:none", 3))))
                .containsExactly(one(9, response(GET, 1, 3, new byte[0], "", "Not found")));
        assertThat(exchange(10, request(VERSION, "", 4))).hasSize(1)
                .allSatisfy(d -> assertThat(d.payload()[1]).isEqualTo((byte) VERSION));
    }

    @Test
    void pipelinedRequestsAnswerOneMessageEachAndQuietMissesNothing() {
        exchange(1, set(SET, "ub:p", "v", 0, 1));
        byte[] hit = response(GETKQ, 0, 3, flags(0), "ub:p", "v");
        assertThat(withoutCas(exchange(11, concat(request(GETKQ, "ub:p", 3), request(GETKQ, "ub:none", 4),
                request(NOOP, "", 5))))).containsExactly(one(11, hit), one(11, response(NOOP, 0, 5, new byte[0], "", "")));
        assertThat(withoutCas(exchange(12, concat(request(GETKQ, "ub:p", 3), request(GETQ, "ub:none", 4)))))
                .containsExactly(one(12, hit));
        assertThat(withoutCas(exchange(13, concat(request(GETK, "ub:none", 1), request(GETK, "ub:p", 2))))).containsExactly(
                one(13, response(GETK, 1, 1, new byte[0], "ub:none", "")),
                one(13, response(GETK, 0, 2, flags(0), "ub:p", "v")));
    }

    @Test
    void aQuietCommandThatAnswersNothingFirstIsABareHeader() {
        exchange(1, set(SET, "ub:q", "v", 0, 1));
        assertThat(exchange(21, request(GETQ, "ub:none", 1))).containsExactly(bare(21));
        assertThat(exchange(22, concat(set(SETQ, "ub:q1", "v", 0, 1), set(SETQ, "ub:q2", "v", 0, 2))))
                .containsExactly(bare(22));
        assertThat(withoutCas(exchange(23, concat(request(GETQ, "ub:none", 1), request(GETKQ, "ub:q", 2)))))
                .containsExactly(bare(23), one(23, response(GETKQ, 0, 2, flags(0), "ub:q", "v")));
        assertThat(withoutCas(exchange(24, concat(request(NOOP, "", 1), request(GETQ, "ub:none", 2)))))
                .containsExactly(one(24, response(NOOP, 0, 1, new byte[0], "", "")), bare(24));
    }

    @Test
    void aLargeValueIsOneMessageOfManyDatagrams() {
        String value = "x".repeat(3000);
        List<Datagram> got = exchange(31, concat(set(SET, "ub:big", value, 0, 1), request(GET, "ub:big", 2)));
        assertThat(got).hasSize(4);
        assertThat(got.get(0).total()).isEqualTo(1);
        assertThat(got.subList(1, 4)).extracting(Datagram::sequence).containsExactly(0, 1, 2);
        assertThat(got.subList(1, 4)).extracting(Datagram::total).containsOnly(3);
        assertThat(got.subList(1, 4)).allSatisfy(d -> assertThat(d.requestId()).isEqualTo(31));
        byte[] whole = UdpClient.reassemble(got.subList(1, 4));
        byte[] expected = response(GET, 0, 2, flags(0), "", value);
        Arrays.fill(whole, 16, 24, (byte) 0);
        assertThat(whole).isEqualTo(expected);
    }

    @Test
    void statsIsOneMessageEndedByAnEmptyPacket() {
        List<Datagram> got = exchange(41, request(STAT, "", 9));
        assertThat(got.size()).isGreaterThan(1);
        assertThat(got).extracting(Datagram::total).containsOnly(got.size());
        byte[] whole = UdpClient.reassemble(got);
        byte[] last = Arrays.copyOfRange(whole, whole.length - 24, whole.length);
        assertThat(last).isEqualTo(response(STAT, 0, 9, new byte[0], "", ""));
    }

    @Test
    void aNoopSendsWhatCameBeforeIt() {
        exchange(1, set(SET, "ub:n", "v", 0, 1));
        byte[] noop = response(NOOP, 0, 5, new byte[0], "", "");
        // memcached's "NOOP forces pipeline flush": a quiet miss after it is the first of its flush
        assertThat(withoutCas(exchange(61, concat(request(GETKQ, "ub:n", 3), request(GETQ, "ub:none", 4),
                request(NOOP, "", 5), request(GETQ, "ub:none", 6))))).containsExactly(
                one(61, response(GETKQ, 0, 3, flags(0), "ub:n", "v")), one(61, noop), bare(61));
        assertThat(withoutCas(exchange(62, concat(request(NOOP, "", 5), request(GETQ, "ub:none", 6),
                request(GETQ, "ub:none", 7))))).containsExactly(one(62, noop), bare(62));
    }

    /** Last: memcached keeps a cut-off request's state into the next datagram of anyone. */
    @Test
    @Order(Integer.MAX_VALUE)
    void aBadMagicEndsTheDatagramAndWhatItAnsweredIsStillSent() {
        byte[] bad = new byte[24];
        bad[0] = (byte) 0x81;
        assertThat(exchange(51, concat(request(NOOP, "", 1), bad, request(NOOP, "", 2))))
                .containsExactly(one(51, response(NOOP, 0, 1, new byte[0], "", "")));
        // a request cut short by the end of its datagram answers nothing; the next datagram is served
        byte[] cut = Arrays.copyOf(set(SET, "ub:cut", "y".repeat(500), 0, 3), 100);
        udp.sendRaw(UdpClient.concat(UdpClient.header(52, 0, 1, 0), cut));
        assertThat(udp.receive(1, 500)).isEmpty();
    }
}
