package memfleet.node.it.robustness;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.differential.Subject;
import memfleet.node.it.differential.WireConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection limit {@code -c}, as memcached 1.6.18 enforces it with {@code maxconns_fast} (the default): it
 * accepts every connection, and if the new socket's file descriptor is {@code >= maxconns - 1} it writes
 * {@code ERROR Too many open connections\r\n}, closes it and counts it in {@code rejected_connections}. So the
 * number of clients it serves depends on the descriptors it holds before the first client: listening on one TCP
 * address with UDP off ({@code -U 0}) that is 8 + 4 per worker thread, and it serves
 * {@code maxconns - 8 - 4 * threads} clients: 16 with {@code -c 32 -t 2}. ({@code -c 10} is not usable:
 * memcached lowers its descriptor limit to {@code maxconns} and with {@code -t 2} fails to start with
 * "failed creating eventfd for worker thread: Too many open files".) The subject must serve exactly as many.
 */
@ServerTest(sideBySide = true)
@Timeout(value = 60, unit = SECONDS)
class MaxConnectionsIT {
    private static final String[] FLAGS = {"-c", "32", "-t", "2"};
    private static final int SERVED = 32 - 8 - 4 * 2;
    private static final int ATTEMPTS = 40;
    private static final String TOO_MANY = "ERROR Too many open connections\r\n";

    /** What one server did with {@link #ATTEMPTS} connections on top of an observer connection. */
    private record Tally(int served, int rejected, List<String> otherReplies, long rejectedStat, long currStat) {}

    @Test
    void connectionsBeyondTheLimitGetAnErrorLineAndAClose(ServerRun run) throws Exception {
        Tally reference;
        // closed before the subject starts, so that one server runs at a time
        try (ServerProcess memcached = Subject.reference(run, FLAGS)) {
            reference = tally(memcached);
        }
        System.out.println("memcached " + String.join(" ", FLAGS) + ": " + reference);
        assertThat(reference.served()).as("clients memcached serves").isEqualTo(SERVED);
        assertThat(reference.otherReplies()).isEmpty();

        ServerProcess subject = Subject.start(run, FLAGS);
        Tally tally = tally(subject);
        System.out.println(Subject.kind() + " " + String.join(" ", FLAGS) + ": " + tally);
        assertThat(tally.otherReplies()).as("replies other than the error line").isEmpty();
        assertThat(tally.served()).as("clients served, the observer included").isEqualTo(reference.served());
        assertThat(tally.rejected()).isEqualTo(reference.rejected());
        assertThat(tally.rejectedStat()).as("rejected_connections").isEqualTo(tally.rejected());
        assertThat(tally.currStat()).as("curr_connections").isEqualTo(tally.served());
    }

    private static Tally tally(ServerProcess server) throws Exception {
        List<WireConnection> open = new ArrayList<>();
        try (WireConnection observer = new WireConnection(server)) {
            // the harness's start-up probe connection must be gone, or it holds a slot
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.stat("curr_connections") == 1);
            for (int i = 0; i < ATTEMPTS; i++) {
                open.add(new WireConnection(server));
            }
            List<String> replies = classify(open);
            int served = 1 + (int) replies.stream().filter("served"::equals).count();
            int rejected = (int) replies.stream().filter(TOO_MANY::equals).count();
            List<String> other = replies.stream().filter(r -> !r.equals("served") && !r.equals(TOO_MANY)).toList();
            long rejectedStat = observer.stat("rejected_connections");
            long currStat = observer.stat("curr_connections");

            // closing served connections frees their slots for new clients
            int freed = 3;
            for (int i = 0; i < ATTEMPTS && freed > 0; i++) {
                if (replies.get(i).equals("served")) {
                    open.get(i).close();
                    freed--;
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.stat("curr_connections") == served - 3);
            List<WireConnection> again = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                again.add(new WireConnection(server));
            }
            open.addAll(again);
            assertThat(classify(again)).as(server + ": 3 freed slots, 4 new connections")
                    .containsExactlyInAnyOrder("served", "served", "served", TOO_MANY);
            return new Tally(served, rejected, other, rejectedStat, currStat);
        } finally {
            open.forEach(WireConnection::close);
        }
    }

    /**
     * For each connection: the line the server sent unasked (the error line, then a close), or "served" if it
     * sent nothing within 500 ms and then answers {@code version}. Read in parallel, so the waits overlap.
     */
    private static List<String> classify(List<WireConnection> connections) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> replies = new ArrayList<>();
            for (WireConnection connection : connections) {
                replies.add(pool.submit(() -> classify(connection)));
            }
            List<String> out = new ArrayList<>();
            for (Future<String> reply : replies) {
                out.add(reply.get());
            }
            return out;
        }
    }

    private static String classify(WireConnection connection) throws IOException {
        connection.timeout(Duration.ofMillis(500));
        try {
            byte[] line = connection.readLine();
            if (line == null) {
                return "<closed without a reply>";
            }
            String text = new String(line, ISO_8859_1);
            if (text.equals(TOO_MANY) && !connection.closedWithin(Duration.ofSeconds(2))) {
                return text + "<not closed>";
            }
            return text;
        } catch (SocketTimeoutException quiet) {
            connection.timeout(Duration.ofSeconds(5));
            String version = connection.call("version\r\n");
            return version.startsWith("VERSION ") ? "served" : version;
        }
    }
}
