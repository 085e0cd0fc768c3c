package memfleet.node.it.robustness;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.differential.Subject;
import memfleet.node.it.differential.WireConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The item memory limit {@code -m 64}. Writing 1 GB of values (10 B to 100 KB) must evict, keep {@code bytes}
 * within {@code limit_maxbytes}, and keep the subject's resident set under {@code -m} + 96 MB = 160 MB (the
 * node's target; memcached's is printed for comparison, and stays under the same bound). With {@code -M},
 * stores beyond the limit fail with {@code SERVER_ERROR out of memory storing object} and nothing is evicted:
 * every value that was stored is still there.
 */
@ServerTest(sideBySide = true)
@Timeout(value = 120, unit = SECONDS)
class MemoryLimitIT {
    private static final int MEMORY_MB = 64;
    private static final long RSS_BOUND = (MEMORY_MB + 96L) << 20;
    private static final long WRITE_BYTES = 1L << 30;
    private static final int MAX_VALUE = 100 * 1024;
    private static final int MIN_VALUE = 10;
    private static final String OUT_OF_MEMORY = "SERVER_ERROR out of memory storing object";

    /** A random buffer that values are cut from: random bytes, but no per-value generation cost. */
    private static final byte[] PAYLOAD = new byte[2 * MAX_VALUE];

    static {
        new Random(64).nextBytes(PAYLOAD);
    }

    @Test
    void writingOneGigabyteEvictsAndStaysWithinTheLimit(ServerRun run) throws Exception {
        long referenceRss;
        // closed before the subject starts, so that one server holds its memory at a time
        try (ServerProcess memcached = Subject.reference(run, "-m", "" + MEMORY_MB, "-t", "2")) {
            Map<String, String> stats = fill(memcached);
            referenceRss = memcached.rssBytes();
            System.out.printf("memcached -m %d after 1 GB: evictions %s, bytes %s, curr_items %s, RSS %d MB%n",
                    MEMORY_MB, stats.get("evictions"), stats.get("bytes"), stats.get("curr_items"), referenceRss >> 20);
        }
        ServerProcess subject = Subject.start(run, "-m", "" + MEMORY_MB, "-t", "2");
        Map<String, String> stats = fill(subject);
        long rss = subject.rssBytes();
        System.out.printf(
                "%s -m %d after 1 GB: evictions %s, bytes %s, curr_items %s, RSS %d MB (memcached %d MB)%n",
                Subject.kind(), MEMORY_MB, stats.get("evictions"), stats.get("bytes"), stats.get("curr_items"),
                rss >> 20, referenceRss >> 20);
        assertThat(Long.parseLong(stats.get("evictions"))).as("evictions").isGreaterThan(0);
        assertThat(Long.parseLong(stats.get("bytes"))).as("bytes")
                .isLessThanOrEqualTo(Long.parseLong(stats.get("limit_maxbytes")));
        assertThat(Long.parseLong(stats.get("limit_maxbytes"))).isEqualTo((long) MEMORY_MB << 20);
        assertThat(rss).as("RSS of %s with -m %d, in bytes", Subject.kind(), MEMORY_MB).isLessThan(RSS_BOUND);
    }

    /**
     * Two connections each write half a gigabyte as pipelined {@code noreply} sets, then a {@code version} each
     * to know the server has read everything; a value stored afterwards must be readable.
     */
    private static Map<String, String> fill(ServerProcess server) throws Exception {
        List<Thread> writers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            writers.add(Thread.ofPlatform().name("fill-" + w).start(() -> {
                try (WireConnection check = new WireConnection(server);
                        Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(server.host(), server.port()), 5000);
                    socket.setSoTimeout(30_000);
                    Random random = new Random(1000 + writer);
                    OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
                    long written = 0;
                    for (int i = 0; written < WRITE_BYTES / 2; i++) {
                        int size = MIN_VALUE + random.nextInt(MAX_VALUE - MIN_VALUE + 1);
                        String key = "mem:" + writer + ":" + i;
                        out.write(("set " + key + " 0 0 " + size + " noreply\r\n").getBytes(ISO_8859_1));
                        out.write(PAYLOAD, random.nextInt(MAX_VALUE), size);
                        out.write('\r');
                        out.write('\n');
                        written += size;
                    }
                    out.write("version\r\n".getBytes(ISO_8859_1));
                    out.flush();
                    byte[] reply = socket.getInputStream().readNBytes("VERSION ".length());
                    if (!new String(reply, ISO_8859_1).equals("VERSION ")) {
                        throw new IllegalStateException("after the sets: " + new String(reply, ISO_8859_1));
                    }
                } catch (IOException | RuntimeException e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }));
        }
        for (Thread writer : writers) {
            writer.join();
        }
        assertThat(failures).as("writer failures against " + server).isEmpty();
        try (WireConnection connection = new WireConnection(server)) {
            // the two writers finish at different times, so either one's newest value may be evicted by the
            // other's last writes; a value stored after both must be there
            connection.write("set mem:after 0 0 " + MAX_VALUE + "\r\n");
            connection.write(Arrays.copyOf(PAYLOAD, MAX_VALUE));
            assertThat(connection.call("\r\n")).isEqualTo("STORED");
            connection.write("get mem:after\r\n");
            assertThat(connection.readLinesUntil("END").get(0)).isEqualTo("VALUE mem:after 0 " + MAX_VALUE);
            return connection.stats();
        }
    }

    @Test
    void withMinusCapitalMStoresFailOnceFullAndNothingIsEvicted(ServerRun run) throws Exception {
        ServerProcess subject = Subject.start(run, "-m", "" + MEMORY_MB, "-M", "-t", "2");
        try (WireConnection connection = new WireConnection(subject)) {
            Random random = new Random(77);
            Map<String, Integer> stored = new LinkedHashMap<>();
            int outOfMemory = 0;
            List<String> otherReplies = new ArrayList<>();
            long attempted = 0;
            int next = 0;
            // 2.5 times the limit, in pipelined batches of 100 sets
            while (attempted < (MEMORY_MB * 5L << 20) / 2) {
                List<String> keys = new ArrayList<>();
                List<Integer> sizes = new ArrayList<>();
                ByteArrayOutputStream batch = new ByteArrayOutputStream();
                for (int i = 0; i < 100; i++) {
                    int size = MIN_VALUE + random.nextInt(MAX_VALUE - MIN_VALUE + 1);
                    String key = "full:" + next++;
                    batch.writeBytes(("set " + key + " 0 0 " + size + "\r\n").getBytes(ISO_8859_1));
                    batch.write(PAYLOAD, random.nextInt(MAX_VALUE), size);
                    batch.writeBytes("\r\n".getBytes(ISO_8859_1));
                    keys.add(key);
                    sizes.add(size);
                    attempted += size;
                }
                connection.write(batch.toByteArray());
                for (int i = 0; i < keys.size(); i++) {
                    String reply = line(connection);
                    if (reply.equals("STORED")) {
                        stored.put(keys.get(i), sizes.get(i));
                    } else if (reply.equals(OUT_OF_MEMORY)) {
                        outOfMemory++;
                    } else if (otherReplies.size() < 10) {
                        otherReplies.add(reply);
                    }
                }
            }
            Map<String, String> stats = connection.stats();
            long rss = subject.rssBytes();
            System.out.printf("%s -m %d -M: %d stored, %d out of memory; evictions %s, bytes %s, RSS %d MB%n",
                    Subject.kind(), MEMORY_MB, stored.size(), outOfMemory, stats.get("evictions"), stats.get("bytes"),
                    rss >> 20);
            assertThat(otherReplies).as("replies other than STORED and " + OUT_OF_MEMORY).isEmpty();
            assertThat(outOfMemory).as("stores refused").isGreaterThan(0);
            assertThat(stats.get("evictions")).isEqualTo("0");
            assertThat(Long.parseLong(stats.get("bytes")))
                    .isLessThanOrEqualTo(Long.parseLong(stats.get("limit_maxbytes")));
            assertThat(rss).as("RSS of %s with -m %d -M, in bytes", Subject.kind(), MEMORY_MB).isLessThan(RSS_BOUND);

            // every stored value is still there, at its size
            List<String> keys = new ArrayList<>(stored.keySet());
            int found = 0;
            for (int from = 0; from < keys.size(); from += 100) {
                List<String> slice = keys.subList(from, Math.min(keys.size(), from + 100));
                connection.write("get " + String.join(" ", slice) + "\r\n");
                while (true) {
                    String header = line(connection);
                    if (header.equals("END")) {
                        break;
                    }
                    String[] tokens = header.split(" ");
                    assertThat(tokens[0]).isEqualTo("VALUE");
                    int size = Integer.parseInt(tokens[3]);
                    assertThat(size).as(tokens[1]).isEqualTo(stored.get(tokens[1]));
                    connection.readExact(size + 2);
                    found++;
                }
            }
            assertThat(found).as("stored values still there").isEqualTo(stored.size());
        }
    }

    private static String line(WireConnection connection) {
        try {
            byte[] line = connection.readLine();
            if (line == null) {
                throw new IOException("connection closed");
            }
            return new String(line, ISO_8859_1).stripTrailing();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
