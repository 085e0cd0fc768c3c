package memfleet.node.it.differential;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.differential.CommandStream.Command;

/**
 * Sends command streams to the reference memcached and to the subject, each over a fresh connection, and
 * collects both normalized replies. A stream goes out in segments: a segment ends before each CAS command that
 * needs the CAS a server just returned, and every segment ends with a sentinel {@code version}, whose reply tells
 * the runner that all replies of the segment have arrived. A segment goes out in one write or, chosen by the
 * stream's own random numbers, cut at random byte offsets into pieces written with short pauses. One stream in
 * four ends half-closed, as {@code printf ... | nc} ends: after its last segment the runner shuts its write side,
 * and each server must answer everything, the sentinel included, and then close.
 *
 * <p>With {@code compareCounters} the runner also reads each server's {@link Counters} after every stream and
 * the streams count as equal only if those agree by value too.
 *
 * <p>Both servers are restarted whenever the values stored since their start could reach {@value #RESTART_BYTES}
 * bytes, so that no stream ever meets eviction or out-of-memory (the reference's {@code evictions} and
 * {@code store_no_memory} are checked to be zero before each restart). The servers are started through the test's
 * {@link ServerRun}, which closes the last ones when the test ends.
 */
final class StreamRunner {
    static final long RESTART_BYTES = 8L << 20;
    private static final byte[] SENTINEL = "version\r\n".getBytes(ISO_8859_1);
    private static final Duration PIECE_PAUSE = Duration.ofMillis(2);

    /** Both servers' normalized replies to one stream, and whether the reference answered completely. */
    record Outcome(
            List<String> reference,
            List<String> subject,
            boolean referenceComplete,
            List<String> closes,
            List<String> counterDifferences) {
        boolean same() {
            return reference.equals(subject) && counterDifferences.isEmpty();
        }
    }

    private final ServerRun run;
    private final boolean compareCounters;
    private final String[] flags;
    private ServerProcess reference;
    private ServerProcess subject;
    private long storedSinceStart;
    private int restarts;

    StreamRunner(ServerRun run, boolean compareCounters, String... flags) {
        this.run = run;
        this.compareCounters = compareCounters;
        this.flags = flags.clone();
        start();
    }

    private void start() {
        reference = Subject.reference(run, flags);
        subject = Subject.start(run, flags);
        storedSinceStart = 0;
    }

    ServerProcess reference() {
        return reference;
    }

    ServerProcess subject() {
        return subject;
    }

    int restarts() {
        return restarts;
    }

    /** Restarts both servers first if {@code stream} could push the stored bytes past the restart bound. */
    void makeRoomFor(CommandStream stream) {
        if (storedSinceStart + stream.storedBytes() > RESTART_BYTES && storedSinceStart > 0) {
            checkNoMemoryPressure();
            restart();
        }
        storedSinceStart += stream.storedBytes();
    }

    /** Fresh processes for both servers. */
    void restart() {
        closeServers();
        start();
        restarts++;
    }

    /** Fails if the reference ever evicted or ran out of memory: then the streams were not deterministic. */
    void checkNoMemoryPressure() {
        try (WireConnection connection = new WireConnection(reference)) {
            Map<String, String> stats = connection.stats();
            if (!"0".equals(stats.get("evictions")) || !"0".equals(stats.get("store_no_memory"))) {
                throw new IllegalStateException("the reference evicted (" + stats.get("evictions")
                        + ") or ran out of memory (" + stats.get("store_no_memory")
                        + "): lower StreamRunner.RESTART_BYTES, the replies were not deterministic");
            }
        }
    }

    Outcome run(CommandStream stream) {
        Random splitter = new Random(stream.seed() ^ 0x5DEECE66DL);
        try (WireConnection toReference = new WireConnection(reference);
                WireConnection toSubject = new WireConnection(subject)) {
            Side referenceSide = new Side(toReference);
            Side subjectSide = new Side(toSubject);
            List<List<Command>> segments = segments(stream.commands());
            boolean halfCloses = splitter.nextInt(4) == 0;
            boolean complete = true;
            for (int s = 0; s < segments.size(); s++) {
                List<Command> segment = segments.get(s);
                boolean quits = segment.get(segment.size() - 1).quits();
                boolean halfClose = halfCloses && !quits && s == segments.size() - 1;
                int versions = segment.stream().mapToInt(Command::versionReplies).sum() + (quits ? 0 : 1);
                byte[] toRef = referenceSide.render(segment, quits);
                byte[] toSub = subjectSide.render(segment, quits);
                int[] cuts = cuts(splitter, Math.min(toRef.length, toSub.length));
                Transcript.End refEnd = referenceSide.exchange(toRef, cuts, versions, quits, halfClose);
                Transcript.End subEnd = subjectSide.exchange(toSub, cuts, versions, quits, halfClose);
                Transcript.End expected = quits || halfClose ? Transcript.End.CLOSED : Transcript.End.COMPLETE;
                complete = refEnd == expected;
                if (refEnd != expected || subEnd != expected) {
                    break;
                }
            }
            List<String> closes = new ArrayList<>();
            referenceSide.closes.forEach(c -> closes.add("reference: " + c));
            subjectSide.closes.forEach(c -> closes.add("subject: " + c));
            if (halfCloses) {
                closes.add("the runner half-closed both connections after the last segment");
            }
            List<String> counterDifferences = compareCounters
                    ? Counters.differences(Counters.of(reference), Counters.of(subject))
                    : List.of();
            return new Outcome(referenceSide.replies, subjectSide.replies, complete, closes, counterDifferences);
        }
    }

    /** Splits before every command that needs a CAS from the replies so far. */
    private static List<List<Command>> segments(List<Command> commands) {
        List<List<Command>> segments = new ArrayList<>();
        List<Command> current = new ArrayList<>();
        for (Command command : commands) {
            if (command.casKey() != null && !current.isEmpty()) {
                segments.add(current);
                current = new ArrayList<>();
            }
            current.add(command);
        }
        if (!current.isEmpty()) {
            segments.add(current);
        }
        return segments;
    }

    /** Half the segments go in one write; the others are cut at 1 to 4 random offsets. */
    private static int[] cuts(Random splitter, int length) {
        if (length < 2 || splitter.nextBoolean()) {
            return new int[0];
        }
        int[] cuts = new int[1 + splitter.nextInt(4)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = 1 + splitter.nextInt(length - 1);
        }
        Arrays.sort(cuts);
        return cuts;
    }

    /** One server's connection, its CAS values by key as it returned them, and its normalized replies so far. */
    private static final class Side {
        private final WireConnection connection;
        private final ReplyNormalizer normalizer = new ReplyNormalizer(true);
        private final List<String> closes = new ArrayList<>();
        private final Map<String, String> casByKey = new HashMap<>();
        private final List<String> replies = new ArrayList<>();

        Side(WireConnection connection) {
            this.connection = connection;
        }

        byte[] render(List<Command> segment, boolean quits) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Command command : segment) {
                // a key never fetched with gets gets a CAS no item has
                out.writeBytes(command.render(casByKey.getOrDefault(command.casKey(), "0")));
            }
            if (!quits) {
                out.writeBytes(SENTINEL);
            }
            return out.toByteArray();
        }

        /**
         * Writes on a separate thread while this one reads, so that a server blocked writing a large reply never
         * blocks the write of the stream.
         */
        Transcript.End exchange(byte[] bytes, int[] cuts, int versions, boolean quits, boolean halfClose) {
            Thread writer = Thread.ofPlatform().daemon().name("stream-writer").start(() -> {
                try {
                    connection.writeInPieces(bytes, cuts, PIECE_PAUSE);
                    if (halfClose) {
                        connection.shutdownOutput();
                    }
                } catch (IOException closedEarly) {
                    // the server closed or reset: the transcript shows it
                }
            });
            Transcript transcript = Transcript.read(connection, versions, quits || halfClose);
            try {
                // after a complete reply the server has read every byte, so the writer is done or about to be;
                // otherwise the server may have stopped reading, and only a close unblocks the writer
                Duration grace = Duration.ofSeconds(transcript.end() == Transcript.End.COMPLETE ? 60 : 2);
                if (!writer.join(grace)) {
                    closes.add("runner closed the connection: the writer was still blocked after " + grace + " at "
                            + Arrays.toString(writer.getStackTrace()));
                    connection.close();
                    writer.join(Duration.ofSeconds(10));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            for (Transcript.Unit unit : transcript.units()) {
                if (!unit.data()) {
                    String cas = Transcript.casOf(unit.text());
                    if (cas != null) {
                        casByKey.put(Transcript.keyOf(unit.text()), cas);
                    }
                }
            }
            replies.addAll(normalizer.normalize(transcript));
            if (transcript.end() != Transcript.End.COMPLETE) {
                closes.add(transcript.end() + " after " + replies.size() + " reply lines: " + transcript.endDetail());
            }
            return transcript.end();
        }
    }

    private void closeServers() {
        if (subject != null) {
            subject.close();
        }
        if (reference != null) {
            reference.close();
        }
    }
}
