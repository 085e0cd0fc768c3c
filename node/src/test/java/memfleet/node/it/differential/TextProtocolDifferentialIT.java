package memfleet.node.it.differential;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random text-protocol command streams ({@link CommandStreamGenerator}) sent to the subject and to Debian's
 * memcached, both started with {@code -m 64 -t 2}; the replies must be equal after {@link ReplyNormalizer}.
 *
 * <p>Deterministic by default: stream {@code i} has seed {@code base + i} with a fixed base. Explore other
 * streams with {@code -Dmemfleet.it.seed=<base>}, {@code -Dmemfleet.it.streams=<count>} and
 * {@code -Dmemfleet.it.budgetSeconds=<seconds>} (default 60; streams stop starting after it); a failure prints the
 * failing stream's seed, and {@code -Dmemfleet.it.seed=<that seed> -Dmemfleet.it.streams=1} replays it alone.
 * The whole stream and both replies are also written to {@code target/differential/<seed>.txt}.
 */
@Timeout(value = 180, unit = SECONDS)
class TextProtocolDifferentialIT {
    private static final long DEFAULT_BASE_SEED = 20_261_125L;
    private static final int MAX_COMMANDS = 60;
    /** Stop starting new streams after this long (default 60 s), so the test stays bounded on a slow machine. */
    private static final long BUDGET_NANOS = SECONDS.toNanos(Long.getLong("memfleet.it.budgetSeconds", 60));

    @Test
    void randomStreamsGetTheSameRepliesAsMemcached() {
        long base = Long.getLong("memfleet.it.seed", DEFAULT_BASE_SEED);
        int streams = Integer.getInteger("memfleet.it.streams", 200);
        long now = System.currentTimeMillis() / 1000;
        long started = System.nanoTime();
        int ran = 0;
        long bytes = 0;
        try (StreamRunner runner = new StreamRunner("-m", "64", "-t", "2")) {
            for (int i = 0; i < streams && System.nanoTime() - started < BUDGET_NANOS; i++) {
                CommandStream stream = CommandStreamGenerator.generate(base + i, MAX_COMMANDS, now);
                runner.makeRoomFor(stream);
                StreamRunner.Outcome outcome = runner.run(stream);
                if (!outcome.referenceComplete() || !outcome.same()) {
                    fail(report(stream, outcome, runner));
                }
                ran++;
                bytes += stream.storedBytes();
            }
            runner.checkNoMemoryPressure();
            System.out.printf("differential: %d streams (seeds %d..%d), %d value bytes, %d restarts, %.1f s, "
                            + "subject %s%n",
                    ran, base, base + ran - 1, bytes, runner.restarts(), (System.nanoTime() - started) / 1e9,
                    Subject.kind());
        }
        assertThat(ran).as("streams run within the time budget").isGreaterThan(0);
    }

    private static String report(CommandStream stream, StreamRunner.Outcome outcome, StreamRunner runner) {
        StringBuilder out = new StringBuilder();
        if (!outcome.referenceComplete()) {
            out.append("The reference memcached did not answer the whole stream: the generator made a stream that "
                    + "is not deterministic. Fix CommandStreamGenerator.\n");
        }
        out.append("Stream seed ").append(stream.seed()).append(" (replay: -Dmemfleet.it.seed=").append(stream.seed())
                .append(" -Dmemfleet.it.streams=1), subject ").append(runner.subject()).append(", reference ")
                .append(runner.reference()).append('\n');
        out.append("Commands:\n").append(stream.describe());
        List<String> reference = outcome.reference();
        List<String> subject = outcome.subject();
        int first = 0;
        while (first < reference.size() && first < subject.size() && reference.get(first).equals(subject.get(first))) {
            first++;
        }
        out.append("Replies differ first at line ").append(first).append(" (normalized; > marks differing lines):\n");
        int lines = Math.max(reference.size(), subject.size());
        for (int i = 0; i < lines; i++) {
            String r = i < reference.size() ? reference.get(i) : "";
            String s = i < subject.size() ? subject.get(i) : "";
            out.append(r.equals(s) ? "   " : " > ").append(String.format("%3d", i)).append("  reference: ")
                    .append(shorten(r)).append('\n');
            if (!r.equals(s)) {
                out.append("         subject: ").append(shorten(s)).append('\n');
            }
        }
        String text = out.toString();
        try {
            Path file = Path.of("target", "differential", stream.seed() + ".txt");
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text;
    }

    private static String shorten(String line) {
        return line.length() <= 240 ? line : line.substring(0, 240) + "...(" + line.length() + " chars)";
    }
}
