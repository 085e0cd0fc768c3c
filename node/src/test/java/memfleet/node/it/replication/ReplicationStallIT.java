package memfleet.node.it.replication;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer stopped with SIGSTOP (its sockets open, nothing read): the writer keeps serving while 512 MB of sets go
 * through it, 512 times its backlog, and its resident set stays bounded (queued mutations are cut off at the
 * backlog, not piled up); after SIGCONT the stopped node resyncs and the pair converges. The sets overwrite 200
 * keys, so neither node evicts: evictions are local, and a node that evicted would rightly differ from its peer.
 */
@ServerTest(kinds = "memfleet", shared = false)
@Timeout(value = 240, unit = SECONDS)
class ReplicationStallIT {
    private static final int MEMORY_MB = 64;
    /** Keys per writer: 2 x 100 values of 100 KB fit in {@code -m 64}, so nothing is evicted and digests compare. */
    private static final int KEYS = 100;
    private static final String BACKLOG = "1m";
    /**
     * What the writer may use: its item memory, the 96 MB a node needs besides (MemoryLimitIT's bound), and
     * 96 MB for replication: backlog, buffers and the socket to the stopped peer. Far below what queueing 512 MB
     * would take.
     */
    private static final long RSS_BOUND = (MEMORY_MB + 96L + 96L) << 20;
    private static final long WRITE_BYTES = 512L << 20;
    private static final int VALUE = 100 * 1024;

    private final ServerRun run;

    ReplicationStallIT(ServerRun run) {
        this.run = run;
    }

    @Test
    void aStoppedPeerKeepsTheWritersMemoryBoundedAndConvergesAfterSigcont() throws Exception {
        try (ReplicaGroup pair = new ReplicaGroup(run, 2)) {
            pair.args(0, "-m", "" + MEMORY_MB, "--repl-backlog-size=" + BACKLOG).args(1, "-m", "" + MEMORY_MB)
                    .startAll();
            pair.awaitInSync(Duration.ofSeconds(30));
            ServerProcess a = pair.node(0);
            long rssBefore = a.rssBytes();
            long fullBefore = pair.peerStat(1, 0, "full_resyncs");
            pair.node(1).pause();
            AtomicLong peakRss = new AtomicLong(rssBefore);
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted() && a.isAlive()) {
                    try {
                        peakRss.accumulateAndGet(a.rssBytes(), Math::max);
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException gone) {
                        return;
                    }
                }
            });
            try {
                write(a, WRITE_BYTES);
            } finally {
                sampler.interrupt();
                sampler.join(5000);
            }
            assertThat(a.isAlive()).as("the writer is still running: " + a.output()).isTrue();
            long rssAfter = a.rssBytes();
            peakRss.accumulateAndGet(rssAfter, Math::max);
            System.out.printf("writer RSS: before %d MB, peak %d MB, after %d MB (bound %d MB) for %d MB written%n",
                    rssBefore >> 20, peakRss.get() >> 20, rssAfter >> 20, RSS_BOUND >> 20, WRITE_BYTES >> 20);
            assertThat(peakRss.get()).as("peak RSS of the writer while its peer was stopped, bytes")
                    .isLessThan(RSS_BOUND);
            try (TextClient c = pair.client(0)) {
                assertThat(c.set("still-serving", "yes")).isEqualTo("STORED");
                assertThat(c.stats("").get("evictions")).as("evictions on the writer (the test needs none)")
                        .isEqualTo("0");
            }

            pair.node(1).resume();
            pair.awaitConverged(Duration.ofSeconds(120));
            try (TextClient b = pair.client(1)) {
                assertThat(b.get("still-serving")).isEqualTo("yes");
            }
            // B fell 512 MB behind a 1 MB backlog: it can only have caught up by a full copy
            assertThat(pair.peerStat(1, 0, "full_resyncs")).as("B's full copies from A").isGreaterThan(fullBefore);
        }
    }

    /** Two connections of pipelined {@code noreply} sets of 100 KB values, then a {@code version} each. */
    private static void write(ServerProcess server, long bytes) throws Exception {
        Thread[] writers = new Thread[2];
        Throwable[] failures = new Throwable[2];
        byte[] payload = new byte[2 * VALUE];
        new Random(7).nextBytes(payload);
        for (int w = 0; w < 2; w++) {
            int writer = w;
            writers[w] = Thread.ofPlatform().start(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(server.host(), server.port()), 5000);
                    socket.setSoTimeout(60_000);
                    OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
                    Random random = new Random(writer);
                    for (long written = 0, i = 0; written < bytes / 2; i++, written += VALUE) {
                        out.write(("set stall" + writer + ":" + (i % KEYS) + " 0 0 " + VALUE + " noreply\r\n")
                                .getBytes(ISO_8859_1));
                        out.write(payload, random.nextInt(VALUE), VALUE);
                        out.write("\r\n".getBytes(ISO_8859_1));
                    }
                    out.write("version\r\n".getBytes(ISO_8859_1));
                    out.flush();
                    byte[] reply = socket.getInputStream().readNBytes("VERSION ".length());
                    if (!new String(reply, ISO_8859_1).equals("VERSION ")) {
                        throw new IllegalStateException("after the sets: " + new String(reply, ISO_8859_1));
                    }
                } catch (Exception e) {
                    failures[writer] = e;
                }
            });
        }
        for (Thread t : writers) {
            t.join();
        }
        for (Throwable f : failures) {
            if (f != null) {
                throw new AssertionError("writer failed", f);
            }
        }
    }
}
