package memfleet.node.it;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/memfleet-node run for real with an env file in the format of Fedora's /etc/sysconfig/memcached (PORT USER
 * MAXCONN CACHESIZE OPTIONS), as packaging/systemd/memfleet.service runs it; the node's {@code stats settings}
 * shows the flags arrived. The launcher is spawned through {@link ServerRun#spawn}, which destroys it after the test.
 */
@ServerTest(kinds = "memfleet", shared = false)
@Timeout(value = 120, unit = SECONDS)
class LauncherIT {
    private static final Path LAUNCHER = Path.of("..", "bin", "memfleet-node").toAbsolutePath().normalize();
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    /** As root the node must drop to a user, as memcached does; otherwise -u is ignored, as memcached ignores it. */
    private static final String USER = ROOT ? "nobody" : System.getProperty("user.name");

    @TempDir
    Path dir;
    private final ServerRun run;
    private Process launched;

    LauncherIT(ServerRun run) {
        this.run = run;
    }

    private Path envFile(String text) throws IOException {
        Path f = dir.resolve("memfleet");
        Files.writeString(f, text);
        return f;
    }

    private Process launch(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("MEMFLEET_ENV_FILE");
        pb.environment().remove("MEMFLEET_JAR");
        pb.environment().putAll(env);
        launched = run.spawn(pb);
        return launched;
    }

    private Map<String, String> statsOnceUp(int port, String command) throws Exception {
        long deadline = System.nanoTime() + SECONDS.toNanos(60);
        while (true) {
            assertThat(launched.isAlive()).as("launcher exited: %s", output()).isTrue();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                break;
            } catch (IOException notYet) {
                assertThat(System.nanoTime()).as("node did not listen on %d: %s", port, output()).isLessThan(deadline);
                Thread.sleep(100);
            }
        }
        Map<String, String> stats = new LinkedHashMap<>();
        try (TextConnection c = new TextConnection("127.0.0.1", port)) {
            for (String line : c.send(command + "\r\n").readUntil("END\r\n").split("\r\n")) {
                String[] f = line.split(" ", 3);
                if (f.length == 3 && f[0].equals("STAT")) {
                    stats.put(f[1], f[2]);
                }
            }
        }
        return stats;
    }

    private String output() {
        try {
            return Files.readString(dir.resolve("out.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    @Test
    void sysconfigFileBecomesMemcachedFlags() throws Exception {
        int port = ServerProcess.freePort();
        Path env = envFile("""
                # /etc/sysconfig/memfleet, the names of Fedora's /etc/sysconfig/memcached
                PORT="%d"
                USER="%s"
                MAXCONN="77"
                CACHESIZE="48"
                OPTIONS="-l 127.0.0.1 -t 2 -o idle_timeout=600"
                """.formatted(port, USER));
        launch(Map.of(), "--env-file", env.toString());
        Map<String, String> settings = statsOnceUp(port, "stats settings");
        assertThat(settings).containsEntry("tcpport", Integer.toString(port)).containsEntry("maxconns", "77")
                .containsEntry("maxbytes", Long.toString(48L << 20)).containsEntry("num_threads", "2")
                .containsEntry("idle_timeout", "600");
        assertThat(statsOnceUp(port, "stats")).containsEntry("limit_maxbytes", Long.toString(48L << 20));
        if (ROOT) {
            // -u came through: the node dropped to nobody after binding
            String status = Files.readString(Path.of("/proc", Long.toString(launched.pid()), "status"));
            assertThat(status).containsPattern("(?m)^Uid:\\s+65534\\s");
        }
        assertThat(output()).contains("memcached protocol on 127.0.0.1, port " + port);
    }

    @Test
    void environmentVariableNamesTheFileAndFlagsAfterItWin() throws Exception {
        int port = ServerProcess.freePort();
        // systemd's EnvironmentFile= syntax: single quotes, blank and comment lines, other keys left alone
        Path env = envFile("""

                  PORT='%d'
                USER=%s
                # MAXCONN="5"
                MAXCONN="64"
                CACHESIZE=32
                JAVA_HOME=/nowhere
                OPTIONS='-l 127.0.0.1'
                """.formatted(port, USER));
        launch(Map.of("MEMFLEET_ENV_FILE", env.toString()), "-c", "99", "-m", "16");
        Map<String, String> settings = statsOnceUp(port, "stats settings");
        assertThat(settings).containsEntry("tcpport", Integer.toString(port)).containsEntry("maxconns", "99")
                .containsEntry("maxbytes", Long.toString(16L << 20));
    }

    @Test
    void unreadableEnvFileIsRefused() throws Exception {
        Process p = launch(Map.of(), "--env-file", dir.resolve("missing").toString(), "-p", "1");
        assertThat(p.waitFor(30, SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(66);
        assertThat(output()).contains("cannot read env file");
    }
}
