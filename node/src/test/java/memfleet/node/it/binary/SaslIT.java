package memfleet.node.it.binary;

import static java.util.concurrent.TimeUnit.SECONDS;
import static memfleet.node.it.binary.BinaryConnection.bytes;
import static memfleet.node.it.binary.BinaryConnection.ints;
import static memfleet.node.it.binary.BinaryConnection.request;
import static memfleet.protocol.binary.BinaryHeader.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.List;
import memfleet.node.it.SaslServers;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerTest;
import memfleet.node.it.binary.BinaryConnection.Packet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code -S}: SASL PLAIN over raw binary packets, refusals first. Every refusal must look the same (status 0x20,
 * "Auth failure.") whatever its reason, so a client learns nothing about which users exist.
 */
@ServerTest(starter = SaslServers.class)
@Timeout(value = 60, unit = SECONDS)
class SaslIT {
    private final ServerProcess server;

    SaslIT(ServerProcess server) {
        this.server = server;
    }

    private static byte[] auth(String mech, String message) {
        return request(SASL_AUTH, bytes(mech), new byte[0], bytes(message), 0, 0);
    }

    private static byte[] plain(String user, String password) {
        return auth("PLAIN", "\0" + user + "\0" + password);
    }

    private static void assertAuthFailure(Packet p, int opcode) {
        assertThat(p.opcode()).isEqualTo(opcode);
        assertThat(p.status()).isEqualTo(AUTH_ERROR);
        assertThat(p.valueText()).isEqualTo("Auth failure.");
    }

    @Test
    void anyCommandButVersionAndSaslBeforeAuthenticationIsRefusedAndCloses() {
        for (byte[] req : List.of(request(GET, "k", new byte[0], ""), request(SET, "k", ints(0, 0), "v"),
                request(NOOP, "", new byte[0], ""), request(STAT, "", new byte[0], ""),
                request(FLUSH, "", new byte[0], ""))) {
            try (BinaryConnection c = new BinaryConnection(server)) {
                c.send(req);
                assertAuthFailure(c.read(), req[1] & 0xff);
                assertThat(c.read()).isEqualTo(Packet.EOF);
            }
        }
        try (BinaryConnection c = new BinaryConnection(server)) {
            List<Packet> r = c.exchange(7, request(VERSION, "", new byte[0], ""), request(SASL_LIST_MECHS, "", new byte[0], ""));
            assertThat(r.get(0).status()).isEqualTo(SUCCESS);
            assertThat(r.get(0).valueText()).isEqualTo("1.6.18");
            assertThat(r.get(1).valueText()).isEqualTo("PLAIN");
            assertAuthFailure(r.get(2), NOOP); // the NOOP itself is refused
        }
    }

    @Test
    void wrongPasswordUnknownUserWrongMechanismAndMalformedMessagesAllFailAlike() {
        for (byte[] attempt : List.of(plain(SaslServers.USER, "wrong"), plain(SaslServers.USER, ""),
                plain(SaslServers.USER, SaslServers.PASSWORD.substring(1)), plain("mallory", SaslServers.PASSWORD),
                auth("CRAM-MD5", "x"), auth("DIGEST-MD5", ""), auth("PLAIN", "garbage"),
                auth("PLAIN", "bob\0" + SaslServers.USER + "\0" + SaslServers.PASSWORD))) {
            try (BinaryConnection c = new BinaryConnection(server)) {
                c.send(attempt);
                assertAuthFailure(c.read(), SASL_AUTH);
                // still connected, still not authenticated: the next command is refused and closes
                c.send(request(GET, "k", new byte[0], ""));
                assertAuthFailure(c.read(), GET);
                assertThat(c.read()).isEqualTo(Packet.EOF);
            }
        }
    }

    @Test
    void theRightPasswordAuthenticatesTheConnection() {
        try (BinaryConnection c = new BinaryConnection(server)) {
            List<Packet> r = c.exchange(9, plain(SaslServers.USER, SaslServers.PASSWORD),
                    request(SET, "sasl:k", ints(5, 0), "value"), request(GET, "sasl:k", new byte[0], ""));
            assertThat(r.get(0).status()).isEqualTo(SUCCESS);
            assertThat(r.get(0).valueText()).isEqualTo("Authenticated");
            assertThat(r.get(1).status()).isEqualTo(SUCCESS);
            assertThat(r.get(2).valueText()).isEqualTo("value");
            assertThat(r.get(3).opaque()).isEqualTo(9);
        }
    }

    @Test
    void plainWithoutAnInitialResponseContinuesWithAStep() {
        try (BinaryConnection c = new BinaryConnection(server)) {
            c.send(auth("PLAIN", ""));
            Packet cont = c.read();
            assertThat(cont.status()).isEqualTo(AUTH_CONTINUE);
            assertThat(cont.value()).isEmpty();
            c.send(request(SASL_STEP, bytes("PLAIN"), new byte[0],
                    bytes("\0" + SaslServers.USER + "\0" + SaslServers.PASSWORD), 0, 0));
            assertThat(c.read().valueText()).isEqualTo("Authenticated");
        }
        try (BinaryConnection c = new BinaryConnection(server)) {
            c.send(request(SASL_STEP, bytes("PLAIN"), new byte[0],
                    bytes("\0" + SaslServers.USER + "\0" + SaslServers.PASSWORD), 0, 0));
            assertAuthFailure(c.read(), SASL_STEP); // a step without a start
        }
    }

    @Test
    void aFailedAttemptAfterSuccessLeavesTheConnectionUnauthenticated() {
        try (BinaryConnection c = new BinaryConnection(server)) {
            c.send(plain(SaslServers.USER, SaslServers.PASSWORD), plain(SaslServers.USER, "wrong"),
                    request(GET, "k", new byte[0], ""));
            assertThat(c.read().status()).isEqualTo(SUCCESS);
            assertAuthFailure(c.read(), SASL_AUTH);
            assertAuthFailure(c.read(), GET);
            assertThat(c.read()).isEqualTo(Packet.EOF);
        }
    }

    @Test
    void textProtocolConnectionsAreClosedWithoutAReply() throws IOException {
        try (Socket s = new Socket(server.host(), server.port())) {
            s.setSoTimeout(5000);
            // at least a header's worth (24 bytes), which is what the server waits for before it looks
            s.getOutputStream().write(bytes("set k 0 0 5\r\nhello\r\nget k\r\nversion\r\n"));
            InputStream in = s.getInputStream();
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void statsShowSaslOnAndCountAttempts() {
        try (BinaryConnection failing = new BinaryConnection(server)) {
            failing.send(plain(SaslServers.USER, "wrong"));
            assertAuthFailure(failing.read(), SASL_AUTH);
        }
        try (BinaryConnection c = new BinaryConnection(server)) {
            List<Packet> r = c.exchange(3, plain(SaslServers.USER, SaslServers.PASSWORD),
                    request(STAT, "settings", new byte[0], ""));
            assertThat(r).anySatisfy(p -> {
                assertThat(p.key()).isEqualTo(bytes("auth_enabled_sasl"));
                assertThat(p.valueText()).isEqualTo("yes");
            });
            assertThat(r).anySatisfy(p -> {
                assertThat(p.key()).isEqualTo(bytes("binding_protocol"));
                assertThat(p.valueText()).isEqualTo("binary");
            });
            List<Packet> general = c.exchange(4, request(STAT, "", new byte[0], ""));
            long cmds = general.stream().filter(p -> new String(p.key()).equals("auth_cmds"))
                    .mapToLong(p -> Long.parseLong(p.valueText())).findFirst().orElseThrow();
            long errors = general.stream().filter(p -> new String(p.key()).equals("auth_errors"))
                    .mapToLong(p -> Long.parseLong(p.valueText())).findFirst().orElseThrow();
            assertThat(cmds).isGreaterThan(errors);
            assertThat(errors).isPositive();
        }
    }
}
