package memfleet.node.it.basics;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.TextConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm start: {@code memfleet.node.aot.Training} runs a node in its JVM through every protocol and exits
 * cleanly, so that {@code -XX:AOTCacheOutput} writes the ahead-of-time cache; a node started with that cache
 * uses its AOT-linked classes (the JVM says so with {@code -Xlog:aot}) and serves. (How fast it then is, is a
 * benchmark: bench/warmstart.sh, never a timed test.)
 */
@ServerTest(kinds = "memfleet", shared = false)
@Timeout(value = 120, unit = SECONDS)
class WarmStartIT {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path dir;

    WarmStartIT(ServerRun run) {
        // the run only proves the node kind is chosen; the processes here need JVM flags of their own
    }

    private static List<String> java(String... rest) {
        List<String> cmd = new ArrayList<>(List.of(JAVA));
        cmd.addAll(List.of(ServerProcess.JVM_OPTIONS.split(" +")));
        cmd.addAll(List.of(rest));
        return cmd;
    }

    @Test
    void theTrainingRunWritesACacheThatANodeStartsWith() throws Exception {
        Path cache = dir.resolve("node.aot");
        Process training = new ProcessBuilder(java("-XX:AOTCacheOutput=" + cache, "-cp",
                ServerProcess.nodeJar().toString(), "memfleet.node.aot.Training", "2"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("training.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            assertThat(training.waitFor(90, TimeUnit.SECONDS)).as("training ends").isTrue();
        } finally {
            training.destroyForcibly();
        }
        String log = Files.readString(dir.resolve("training.log"));
        assertThat(training.exitValue()).as(log).isZero();
        assertThat(log).contains(" 0 failed connections, node exited 0");
        assertThat(cache).isNotEmptyFile();

        int port = ServerProcess.freePort();
        List<String> cmd = java("-XX:AOTCache=" + cache, "-Xlog:aot=info", "-jar", ServerProcess.nodeJar().toString(),
                "-p", Integer.toString(port), "-l", "127.0.0.1");
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("-u", "root"));
        }
        Path out = dir.resolve("node.log");
        Process node = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            TextConnection c = null;
            for (int i = 0; i < 200 && c == null; i++) {
                try {
                    c = new TextConnection("127.0.0.1", port);
                } catch (RuntimeException notYet) {
                    assertThat(node.isAlive()).as("node running").isTrue();
                    Thread.sleep(50);
                }
            }
            assertThat(c).as("node listens").isNotNull();
            try (TextConnection conn = c) {
                assertThat(conn.call("set k 0 0 1\r\nx\r\n")).isEqualTo("STORED\r\n");
            }
            assertThat(Files.readString(out)).contains("Using AOT-linked classes: true");
        } finally {
            node.destroy();
            node.waitFor(10, TimeUnit.SECONDS);
            node.destroyForcibly();
        }
    }
}
