package memfleet.node.it.clients;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import memfleet.node.it.Protocol;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * libmemcached's protocol conformance checker {@code memccapable}: every test it has, with {@code -a} over the text
 * protocol and with {@code -b} over the binary one, against a real server.
 */
@ServerTest(protocols = {Protocol.TEXT, Protocol.BINARY})
@Timeout(value = 90, unit = SECONDS)
class MemccapableIT {
    private static final String MEMCCAPABLE = "/usr/bin/memccapable";

    /** One result line, e.g. {@code ascii set noreply                       [pass]}. */
    private static final Pattern RESULT = Pattern.compile("^((?:ascii|binary) [a-z ]+?)\\s+\\[(\\w+)]\\s*$");

    /** Every text-protocol test memccapable (libmemcached-tools 1.1) runs; all pass on memcached 1.6.18. */
    private static final List<String> ASCII_TESTS = List.of(
            "ascii version", "ascii quit", "ascii verbosity", "ascii set", "ascii set noreply", "ascii get",
            "ascii gets", "ascii mget", "ascii flush", "ascii flush noreply", "ascii add", "ascii add noreply",
            "ascii replace", "ascii replace noreply", "ascii cas", "ascii cas noreply", "ascii delete",
            "ascii delete noreply", "ascii incr", "ascii incr noreply", "ascii decr", "ascii decr noreply",
            "ascii append", "ascii append noreply", "ascii prepend", "ascii prepend noreply", "ascii stat");

    /** Every binary test memccapable (libmemcached-tools 1.1) runs; all pass on memcached 1.6.18. */
    private static final List<String> BINARY_TESTS = List.of(
            "binary noop", "binary quit", "binary quitq", "binary set", "binary setq", "binary flush",
            "binary flushq", "binary add", "binary addq", "binary replace", "binary replaceq", "binary delete",
            "binary deleteq", "binary get", "binary getq", "binary getk", "binary getkq", "binary incr",
            "binary incrq", "binary decr", "binary decrq", "binary version", "binary append", "binary appendq",
            "binary prepend", "binary prependq", "binary stat");

    private final ServerRun run;

    MemccapableIT(ServerRun run) {
        this.run = run;
    }

    @Test
    void everyTestOfTheProtocolPasses() {
        boolean binary = run.protocol() == Protocol.BINARY;
        List<String> expected = binary ? BINARY_TESTS : ASCII_TESTS;
        // -a/-b: one protocol; -v: print the failed assertion; -t 5: give up on a silent server after 5 s
        ClientProcess.Result result = ClientProcess.run(Duration.ofSeconds(60), List.of(MEMCCAPABLE,
                "-h", run.host(), "-p", Integer.toString(run.port()), binary ? "-b" : "-a", "-v", "-t", "5"));

        String output = result.stdout() + "\n" + result.stderr();
        Map<String, String> results = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            Matcher m = RESULT.matcher(line);
            if (m.matches()) {
                results.put(m.group(1), m.group(2));
            }
        }
        long passed = results.values().stream().filter("pass"::equals).count();
        String summary = passed + " of " + expected.size() + " passed\n" + result.describe();

        assertThat(output).as(summary).doesNotContainIgnoringCase("fail");
        assertThat(result.exitCode()).as(summary).isZero();
        assertThat(results.keySet()).as(summary).containsExactlyElementsOf(expected);
        assertThat(passed).as(summary).isEqualTo(expected.size());
    }
}
