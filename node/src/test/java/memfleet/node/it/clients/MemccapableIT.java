package memfleet.node.it.clients;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import memfleet.node.it.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** libmemcached's protocol conformance checker {@code memccapable -a} (text protocol only) against a real server. */
@ParameterizedClass(name = "{0}")
@MethodSource("memfleet.node.it.clients.ServerKinds#kinds")
@Timeout(value = 90, unit = SECONDS)
class MemccapableIT {
    private static final String MEMCCAPABLE = "/usr/bin/memccapable";

    /** One result line, e.g. {@code ascii set noreply                       [pass]}. */
    private static final Pattern RESULT = Pattern.compile("^(ascii [a-z ]+?)\\s+\\[(\\w+)]\\s*$");

    /** Every text-protocol test memccapable (libmemcached-tools 1.1) runs; all pass on memcached 1.6.18. */
    private static final List<String> ASCII_TESTS = List.of(
            "ascii version", "ascii quit", "ascii verbosity", "ascii set", "ascii set noreply", "ascii get",
            "ascii gets", "ascii mget", "ascii flush", "ascii flush noreply", "ascii add", "ascii add noreply",
            "ascii replace", "ascii replace noreply", "ascii cas", "ascii cas noreply", "ascii delete",
            "ascii delete noreply", "ascii incr", "ascii incr noreply", "ascii decr", "ascii decr noreply",
            "ascii append", "ascii append noreply", "ascii prepend", "ascii prepend noreply", "ascii stat");

    private static ServerProcess server;

    /** The server kind of this run of the class; {@link #start} starts that server. */
    @Parameter
    String kind;

    @BeforeParameterizedClassInvocation
    static void start(String kind) {
        server = ServerKinds.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Test
    void everyAsciiTestPasses() {
        // -a: text protocol only; -v: print the failed assertion; -t 5: give up on a silent server after 5 s
        ClientProcess.Result run = ClientProcess.run(Duration.ofSeconds(60), List.of(MEMCCAPABLE,
                "-h", server.host(), "-p", Integer.toString(server.port()), "-a", "-v", "-t", "5"));

        Map<String, String> results = new LinkedHashMap<>();
        for (String line : (run.stdout() + "\n" + run.stderr()).split("\n")) {
            Matcher m = RESULT.matcher(line);
            if (m.matches()) {
                results.put(m.group(1), m.group(2));
            }
        }
        long passed = results.values().stream().filter("pass"::equals).count();
        String summary = passed + " of " + ASCII_TESTS.size() + " passed\n" + run.describe();

        assertThat(run.stdout() + run.stderr()).as(summary).doesNotContainIgnoringCase("fail");
        assertThat(run.exitCode()).as(summary).isZero();
        assertThat(results.keySet()).as(summary).containsExactlyElementsOf(ASCII_TESTS);
        assertThat(passed).as(summary).isEqualTo(ASCII_TESTS.size());
    }
}
