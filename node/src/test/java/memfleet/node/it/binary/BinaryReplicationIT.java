package memfleet.node.it.binary;

import static java.util.concurrent.TimeUnit.SECONDS;
import static memfleet.node.it.binary.BinaryConnection.arithmeticExtras;
import static memfleet.node.it.binary.BinaryConnection.ints;
import static memfleet.node.it.binary.BinaryConnection.request;
import static memfleet.protocol.binary.BinaryHeader.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.binary.BinaryConnection.Packet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Writes made over the binary protocol on one node of a replication group arrive on its peer. */
@ServerTest(kinds = "memfleet", shared = false)
@Timeout(value = 90, unit = SECONDS)
class BinaryReplicationIT {
    private final ServerRun run;

    BinaryReplicationIT(ServerRun run) {
        this.run = run;
    }

    private static Packet get(ServerProcess server, String key) {
        try (BinaryConnection c = new BinaryConnection(server)) {
            c.send(request(GETK, key, new byte[0], ""));
            return c.read();
        }
    }

    @Test
    void setIncrAppendTouchAndDeleteOverBinaryReachThePeer() {
        int replA = ServerProcess.freePort();
        int replB = ServerProcess.freePort();
        ServerProcess a = run.start("-X", Integer.toString(replA), "-x", "127.0.0.1:" + replB, "--node-id=1");
        ServerProcess b = run.start("-X", Integer.toString(replB), "-x", "127.0.0.1:" + replA, "--node-id=2");
        try (BinaryConnection c = new BinaryConnection(a)) {
            List<Packet> r = c.exchange(99, request(SET, "rb:set", ints(42, 0), "hello"),
                    request(SETQ, "rb:quiet", ints(0, 0), "q"),
                    request(INCREMENT, BinaryConnection.bytes("rb:ctr"), arithmeticExtras(1, 40, 0), new byte[0], 0, 0),
                    request(INCREMENT, BinaryConnection.bytes("rb:ctr"), arithmeticExtras(2, 40, 0), new byte[0], 0, 0),
                    request(SET, "rb:gone", ints(0, 0), "x"), request(DELETE, "rb:gone", new byte[0], ""),
                    request(APPEND, "rb:set", new byte[0], " world"));
            assertThat(r).allSatisfy(p -> assertThat(p.status()).isEqualTo(SUCCESS));
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Packet set = get(b, "rb:set");
            assertThat(set.valueText()).isEqualTo("hello world");
            assertThat(getInt(set.extras(), 0)).isEqualTo(42);
            assertThat(get(b, "rb:quiet").valueText()).isEqualTo("q");
            assertThat(get(b, "rb:ctr").valueText()).isEqualTo("42");
            assertThat(get(b, "rb:gone").status()).isEqualTo(KEY_ENOENT);
        });
        // the same item has the same CAS on both nodes
        assertThat(get(b, "rb:set").cas()).isEqualTo(get(a, "rb:set").cas());
        try (BinaryConnection c = new BinaryConnection(b)) {
            assertThat(c.exchange(5, request(FLUSH, "", new byte[0], "")).getFirst().status()).isEqualTo(SUCCESS);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(get(a, "rb:set").status()).isEqualTo(KEY_ENOENT));
    }
}
