package memfleet.node.it.differential;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import memfleet.node.it.ServerProcess;

/**
 * One connection to the reference memcached and one to the subject, driven in lockstep for hand-written
 * scenarios: the same bytes go to both, both replies are read, and they must be equal after
 * {@link ReplyNormalizer}. The reference's raw reply is returned, so a scenario can also state memcached's exact
 * bytes: the scenario then documents memcached and checks the subject in one go.
 */
final class Lockstep implements AutoCloseable {
    private static final String SENTINEL = "version\r\n";

    private final WireConnection reference;
    private final WireConnection subject;
    private final ReplyNormalizer referenceNormalizer = new ReplyNormalizer();
    private final ReplyNormalizer subjectNormalizer = new ReplyNormalizer();
    private final Map<String, String> referenceCas = new HashMap<>();
    private final Map<String, String> subjectCas = new HashMap<>();

    Lockstep(ServerProcess reference, ServerProcess subject) {
        this.reference = new WireConnection(reference);
        this.subject = new WireConnection(subject);
    }

    /**
     * Sends {@code bytes} plus a sentinel {@code version} to both servers and returns the reference's reply
     * without the sentinel's. {@code versions} counts the {@code VERSION} replies {@code bytes} itself causes.
     */
    String send(String bytes, int versions) {
        return exchange(bytes, bytes, versions + 1, false);
    }

    String send(String bytes) {
        return send(bytes, 0);
    }

    /**
     * Sends {@code template} with every {@code {cas}} replaced by the CAS each server last returned for
     * {@code key} in a {@code gets}/{@code gats} reply.
     */
    String sendWithCas(String template, String key) {
        String toReference = template.replace(CommandStream.CAS_PLACEHOLDER, referenceCas.getOrDefault(key, "0"));
        String toSubject = template.replace(CommandStream.CAS_PLACEHOLDER, subjectCas.getOrDefault(key, "0"));
        return exchange(toReference, toSubject, 1, false);
    }

    /**
     * Sends {@code command} to each server, every 100 ms for up to 5 s, until its reply satisfies {@code done}
     * (for state that background threads change), then compares the last replies; returns the reference's.
     */
    String sendUntil(String command, Predicate<String> done) {
        Transcript referenceReply = repeat(reference, command, done);
        Transcript subjectReply = repeat(subject, command, done);
        return compare(command, referenceReply, subjectReply, false);
    }

    private static Transcript repeat(WireConnection connection, String command, Predicate<String> done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            Transcript reply = exchange(connection, command + SENTINEL, 1, false);
            if (done.test(withoutSentinel(reply)) || System.nanoTime() > deadline
                    || reply.end() != Transcript.End.COMPLETE) {
                return reply;
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    /**
     * Sends {@code command} alone (no sentinel: memcached 1.6.18 loses whatever is pipelined behind an
     * {@code lru_crawler metadump}) and reads lines up to one that {@code last} accepts; repeats every 100 ms, up
     * to 5 s, while the reply starts with {@code BUSY}. Returns both raw replies, reference first, uncompared:
     * the caller masks what differs by nature.
     */
    List<String> sendReadingUntilLine(String command, Predicate<String> last) {
        return List.of(readUntilLine(reference, command, last), readUntilLine(subject, command, last));
    }

    private static String readUntilLine(WireConnection connection, String command, Predicate<String> last) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            connection.write(command);
            StringBuilder reply = new StringBuilder();
            try {
                while (true) {
                    byte[] raw = connection.readLine();
                    if (raw == null) {
                        reply.append("<closed>");
                        break;
                    }
                    String line = new String(raw, ISO_8859_1);
                    reply.append(line);
                    if (last.test(line) || line.startsWith("BUSY ")) {
                        break;
                    }
                }
            } catch (IOException e) {
                reply.append("<").append(e.getMessage()).append(">");
            }
            if (!reply.toString().startsWith("BUSY ") || System.nanoTime() > deadline) {
                return reply.toString();
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    /** Sends {@code bytes} and reads until both servers close; returns the reference's reply. */
    String sendUntilClosed(String bytes) {
        return exchange(bytes, bytes, 0, true);
    }

    /** Sends {@code bytes} to both and reads nothing. */
    void write(String bytes) {
        reference.write(bytes);
        subject.write(bytes);
    }

    /** True if both servers closed the connection within {@code within}; fails if only one did. */
    boolean closedWithin(Duration within) {
        boolean referenceClosed = reference.closedWithin(within);
        boolean subjectClosed = subject.closedWithin(within);
        if (referenceClosed != subjectClosed) {
            fail("memcached " + (referenceClosed ? "closed" : "kept open") + " the connection, the subject "
                    + (subjectClosed ? "closed" : "kept open") + " it");
        }
        return referenceClosed;
    }

    private String exchange(String toReference, String toSubject, int versions, boolean untilClosed) {
        String suffix = untilClosed ? "" : SENTINEL;
        Transcript referenceReply = exchange(reference, toReference + suffix, versions, untilClosed);
        Transcript subjectReply = exchange(subject, toSubject + suffix, versions, untilClosed);
        return compare(toReference, referenceReply, subjectReply, untilClosed);
    }

    private String compare(String sent, Transcript referenceReply, Transcript subjectReply, boolean untilClosed) {
        remember(referenceReply, referenceCas);
        remember(subjectReply, subjectCas);
        List<String> expected = referenceNormalizer.normalize(referenceReply);
        List<String> actual = subjectNormalizer.normalize(subjectReply);
        if (!expected.equals(actual)) {
            fail("Replies to\n  " + ReplyNormalizer.printable(sent) + "\ndiffer.\nmemcached:\n  "
                    + String.join("\n  ", expected) + "\nsubject:\n  " + String.join("\n  ", actual));
        }
        return untilClosed ? raw(referenceReply) : withoutSentinel(referenceReply);
    }

    private static String withoutSentinel(Transcript transcript) {
        String raw = raw(transcript);
        return transcript.end() == Transcript.End.COMPLETE ? raw.substring(0, raw.lastIndexOf("VERSION ")) : raw;
    }

    private static Transcript exchange(WireConnection connection, String bytes, int versions, boolean untilClosed) {
        Thread writer = Thread.ofPlatform().daemon().start(() -> {
            try {
                connection.writeInPieces(bytes.getBytes(ISO_8859_1), new int[0], Duration.ZERO);
            } catch (IOException closedEarly) {
                // the transcript shows the close
            }
        });
        Transcript transcript = Transcript.read(connection, versions, untilClosed);
        try {
            writer.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return transcript;
    }

    private static void remember(Transcript transcript, Map<String, String> casByKey) {
        for (Transcript.Unit unit : transcript.units()) {
            String cas = unit.data() ? null : Transcript.casOf(unit.text());
            if (cas != null) {
                casByKey.put(Transcript.keyOf(unit.text()), cas);
            }
        }
    }

    private static String raw(Transcript transcript) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        transcript.units().forEach(unit -> out.writeBytes(unit.bytes()));
        String text = out.toString(ISO_8859_1);
        return switch (transcript.end()) {
            case CLOSED -> text + "<closed>";
            case TIMEOUT -> text + "<timeout>";
            case COMPLETE -> text;
        };
    }

    @Override
    public void close() {
        reference.close();
        subject.close();
    }
}
