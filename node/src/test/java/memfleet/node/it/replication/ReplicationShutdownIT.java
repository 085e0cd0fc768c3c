package memfleet.node.it.replication;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Graceful shutdown drains what is queued for peers: a burst of acknowledged writes immediately followed by
 * SIGTERM, or by {@code shutdown} under {@code -A}, is complete on the peer afterwards.
 */
@ServerTest(kinds = "memfleet", shared = false)
@Timeout(value = 180, unit = SECONDS)
class ReplicationShutdownIT {
    private static final int COUNT = 20_000;

    private final ServerRun run;

    ReplicationShutdownIT(ServerRun run) {
        this.run = run;
    }

    @Test
    void sigtermDrainsQueuedMutationsToThePeer() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.startAll();
            pair.awaitInSync(Duration.ofSeconds(30));
            try (TextClient a = pair.client(0)) {
                burst(a);
            }
            pair.node(0).close(); // SIGTERM, and wait for the exit
            assertAllOnB(pair);
        }
    }

    @Test
    void theShutdownCommandDrainsQueuedMutationsToThePeer() {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.args(0, "-A").startAll();
            pair.awaitInSync(Duration.ofSeconds(30));
            try (TextClient a = pair.client(0)) {
                burst(a);
                a.wire().write("shutdown\r\n");
            }
            await("A exits after shutdown").atMost(Duration.ofSeconds(30)).until(() -> !pair.node(0).isAlive());
            assertAllOnB(pair);
        }
    }

    /** 20 000 sets of 1 KB, pipelined with their replies, every reply read: all acknowledged. */
    private static void burst(TextClient a) {
        StringBuilder batch = new StringBuilder();
        String value = "d".repeat(1024);
        for (int i = 0; i < COUNT; i++) {
            batch.append("set drain").append(i).append(" 0 0 ").append(value.length()).append("\r\n").append(value)
                    .append("\r\n");
        }
        a.wire().write(batch.toString());
        for (int i = 0; i < COUNT; i++) {
            assertThat(a.readLine()).as("reply %d", i).isEqualTo("STORED");
        }
    }

    private static void assertAllOnB(ReplicaGroup pair) {
        List<String> keys = IntStream.range(0, COUNT).mapToObj(i -> "drain" + i).toList();
        await("every acknowledged write on B").atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            try (TextClient b = pair.client(1)) {
                assertThat(b.getMulti(keys)).hasSize(COUNT);
            }
        });
    }
}
