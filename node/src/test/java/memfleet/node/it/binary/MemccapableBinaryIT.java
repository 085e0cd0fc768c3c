package memfleet.node.it.binary;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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

/** libmemcached's conformance checker {@code memccapable -b}: every binary-protocol test it has. */
@ParameterizedClass(name = "{0}")
@MethodSource("memfleet.node.it.clients.ServerKinds#kinds")
@Timeout(value = 90, unit = SECONDS)
class MemccapableBinaryIT {
    private static final Pattern RESULT = Pattern.compile("^(binary [a-z ]+?)\\s+\\[(\\w+)]\\s*$");

    /** Every binary test memccapable (libmemcached-tools 1.1) runs; all pass on memcached 1.6.18. */
    private static final List<String> BINARY_TESTS = List.of(
            "binary noop", "binary quit", "binary quitq", "binary set", "binary setq", "binary flush",
            "binary flushq", "binary add", "binary addq", "binary replace", "binary replaceq", "binary delete",
            "binary deleteq", "binary get", "binary getq", "binary getk", "binary getkq", "binary incr",
            "binary incrq", "binary decr", "binary decrq", "binary version", "binary append", "binary appendq",
            "binary prepend", "binary prependq", "binary stat");

    private static ServerProcess server;

    @Parameter
    String kind;

    @BeforeParameterizedClassInvocation
    static void start(String kind) {
        server = memfleet.node.it.clients.ServerKinds.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Test
    void everyBinaryTestPasses() throws Exception {
        Process p = new ProcessBuilder("/usr/bin/memccapable", "-h", server.host(), "-p",
                Integer.toString(server.port()), "-b", "-v", "-t", "5").redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, SECONDS)).isTrue();

        Map<String, String> results = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            Matcher m = RESULT.matcher(line);
            if (m.matches()) {
                results.put(m.group(1), m.group(2));
            }
        }
        long passed = results.values().stream().filter("pass"::equals).count();
        String summary = passed + " of " + BINARY_TESTS.size() + " passed\n" + output;
        assertThat(output).as(summary).doesNotContainIgnoringCase("fail").contains("All tests passed");
        assertThat(p.exitValue()).as(summary).isZero();
        assertThat(results.keySet()).as(summary).containsExactlyElementsOf(BINARY_TESTS);
        assertThat(passed).as(summary).isEqualTo(BINARY_TESTS.size());
    }
}
