package memfleet.node.it;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's command line run for real from the built jar: help, version, refusals, root handling, binding
 * errors, daemon mode, exit codes, and the same command lines given to Debian's memcached 1.6.18 where both
 * should answer alike. The processes expected to exit are spawned through {@link ServerRun#spawn}, so that one
 * left running by a failed test is destroyed; the nodes expected to serve are started with {@link ServerRun#start}.
 */
@ServerTest(kinds = "memfleet", shared = false)
@Timeout(value = 90, unit = SECONDS)
class CommandLineIT {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final String MEMCACHED = "/usr/bin/memcached";
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @TempDir
    Path dir;

    private final ServerRun serverRun;

    CommandLineIT(ServerRun serverRun) {
        this.serverRun = serverRun;
    }

    /** A finished run: exit code and what it printed on each stream. */
    record Run(int exitCode, String out, String err) {}

    private Run memfleet(String... args) {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-jar", ServerProcess.nodeJar().toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private Optional<Run> memcached(String... args) {
        if (!Files.isExecutable(Path.of(MEMCACHED))) {
            return Optional.empty();
        }
        List<String> cmd = new ArrayList<>(List.of(MEMCACHED));
        cmd.addAll(List.of(args));
        return Optional.of(run(cmd));
    }

    private Run run(List<String> cmd) {
        try {
            Process p = serverRun.spawn(
                    new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(60, SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("still running after 60 s: " + cmd);
            }
            return new Run(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flags that let a node start as root in this environment (memcached's harness adds the same). */
    private static List<String> asRoot(String... args) {
        List<String> all = new ArrayList<>();
        if (ROOT) {
            all.addAll(List.of("-u", "root"));
        }
        all.addAll(List.of(args));
        return all;
    }

    @Test
    void helpListsOnlyWhatMemfleetAccepts() {
        Run help = memfleet("-h");
        assertThat(help.exitCode()).isZero();
        assertThat(help.err()).isEmpty();
        assertThat(help.out()).startsWith("memfleet ").contains("(memcached 1.6.18 compatible)")
                .contains("-p, --port=<num>", "-d, --daemon", "-o, --extended", "--disable-dumping");
        for (String refused : new String[] {"-e,", "-W ", "-N,", "-i,", "ext_path"}) {
            assertThat(help.out()).as(refused).doesNotContain(refused);
        }
    }

    @Test
    void versionIsTheLineMemcachedPrints() {
        Run version = memfleet("-V");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).isEqualTo("memcached 1.6.18\n");
        memcached("-V").ifPresent(real -> assertThat(version.out()).isEqualTo(real.out()));
    }

    @Test
    void anUnknownFlagIsAUsageError() {
        Run unknown = memfleet("-Q");
        assertThat(unknown.exitCode()).isEqualTo(64);
        assertThat(unknown.err()).isEqualTo("memfleet: invalid option -- 'Q'\n");
        assertThat(unknown.out()).isEmpty();
        // memcached says the same in glibc's words, after its argv[0] (then 'Illegal argument "?"', exit 1).
        memcached("-Q").ifPresent(real -> assertThat(real.err()).contains("memcached: invalid option -- 'Q'\n"));
    }

    @Test
    void saslWithTheAsciiProtocolIsRefusedWithMemcachedsMessage() {
        Run sasl = memfleet("-S", "-B", "ascii");
        assertThat(sasl.exitCode()).isEqualTo(64);
        assertThat(sasl.err()).isEqualTo("ERROR: You cannot allow the ASCII protocol while using SASL.\n");
        memcached("-S", "-B", "ascii", "-u", "root").ifPresent(real -> {
            assertThat(real.exitCode()).isEqualTo(64);
            assertThat(real.err()).isEqualTo(sasl.err());
        });
    }

    @Test
    void memcachedSanityChecksGiveItsMessageAndExitCode() {
        for (String[] args : new String[][] {{"-I", "2000m"}, {"-c", "0"}, {"-o", "hashpower=5"}, {"-B", "foo"}}) {
            Run ours = memfleet(asRoot(args).toArray(String[]::new));
            Optional<Run> theirs = memcached(asRoot(args).toArray(String[]::new));
            theirs.ifPresent(real -> {
                assertThat(ours.exitCode()).as("exit code for %s", List.of(args)).isEqualTo(real.exitCode());
                assertThat(ours.err()).as("message for %s", List.of(args)).isEqualTo(real.err());
            });
        }
    }

    @Test
    void asRootWithoutUserTheNodeRefusesLikeMemcached() {
        assumeTrue(ROOT, "needs root");
        int port = ServerProcess.freePort();
        Run ours = memfleet("-p", Integer.toString(port), "-l", "127.0.0.1");
        assertThat(ours.exitCode()).isEqualTo(64);
        assertThat(ours.err()).isEqualTo("can't run as root without the -u switch\n");
        memcached("-p", Integer.toString(port), "-l", "127.0.0.1", "-U", "0").ifPresent(real -> {
            assertThat(real.exitCode()).isEqualTo(64);
            assertThat(real.err()).isEqualTo(ours.err());
        });
    }

    @Test
    void anUnknownUserIsExit67() {
        assumeTrue(ROOT, "needs root");
        Run ours = memfleet("-u", "no-such-user-memfleet", "-p", "0");
        assertThat(ours.exitCode()).isEqualTo(67);
        assertThat(ours.err()).isEqualTo("can't find the user no-such-user-memfleet to switch to\n");
    }

    @Test
    void aPortInUseIsExit71InMemcachedsWords() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            String port = Integer.toString(taken.getLocalPort());
            Run ours = memfleet(asRoot("-p", port, "-l", "127.0.0.1").toArray(String[]::new));
            assertThat(ours.exitCode()).isEqualTo(71);
            assertThat(ours.err()).isEqualTo("failed to listen on one of interface(s) 127.0.0.1: Address already in use\n");
            memcached(asRoot("-p", port, "-l", "127.0.0.1", "-U", "0").toArray(String[]::new)).ifPresent(real -> {
                assertThat(real.exitCode()).isEqualTo(71);
                assertThat(real.err()).isEqualTo(ours.err());
            });
        }
    }

    @Test
    void sigtermStopsTheNodeWithExitCodeZeroLikeMemcached() throws InterruptedException {
        ServerProcess node = serverRun.start(asRoot().toArray(String[]::new));
        node.process().destroy();
        assertThat(node.process().waitFor(30, SECONDS)).isTrue();
        assertThat(node.process().exitValue()).isZero();
    }

    @Test
    void userSwitchTakesEffectAfterBinding() throws IOException {
        assumeTrue(ROOT, "needs root");
        ServerProcess node = serverRun.start("-u", "nobody");
        int nobody = Integer.parseInt(new ProcessBuilder("id", "-u", "nobody").start().inputReader().readLine());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(status(node.pid(), "Uid:")).startsWith(nobody + "\t" + nobody + "\t"));
        try (TextConnection c = new TextConnection(node)) {
            assertThat(c.send("version\r\n").readUntil("\r\n")).startsWith("VERSION ");
        }
    }

    @Test
    void daemonModeDetachesWritesThePidFileServesAndStopsOnSigterm() throws IOException {
        Path pidFile = dir.resolve("memfleet.pid");
        int port = ServerProcess.freePort();
        Run start = memfleet(asRoot("-p", Integer.toString(port), "-l", "127.0.0.1", "-d", "-P", pidFile.toString())
                .toArray(String[]::new));
        assertThat(start.exitCode()).as("parent exit; stderr: %s", start.err()).isZero();
        assertThat(pidFile).exists();
        String content = Files.readString(pidFile);
        assertThat(content).matches("[0-9]+\n");
        long pid = Long.parseLong(content.trim());
        ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
        try {
            assertThat(daemon.parent().map(ProcessHandle::pid)).as("detached from the launching process")
                    .isNotEqualTo(Optional.of(ProcessHandle.current().pid()));
            assertThat(sessionId(pid)).as("session leader (setsid)").isEqualTo(pid);
            try (TextConnection c = new TextConnection("127.0.0.1", port)) {
                assertThat(c.send("version\r\n").readUntil("\r\n")).startsWith("VERSION ");
            }
        } finally {
            daemon.destroy();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> !daemon.isAlive());
        await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(pidFile));
    }

    @Test
    void daemonStartupErrorsReachTheTerminal() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            String port = Integer.toString(taken.getLocalPort());
            Run ours = memfleet(asRoot("-p", port, "-l", "127.0.0.1", "-d").toArray(String[]::new));
            // memcached -d has already exited 0 by then and its message went to /dev/null.
            assertThat(ours.exitCode()).isEqualTo(71);
            assertThat(ours.err()).contains("failed to listen on one of interface(s) 127.0.0.1: Address already in use");
        }
    }

    @Test
    void coredumpsAndLockedMemoryAreSetUp() throws IOException {
        ServerProcess node = serverRun.start(asRoot("-r", "-k").toArray(String[]::new));
        String limits = Files.readString(Path.of("/proc", Long.toString(node.pid()), "limits"));
        assertThat(limits).containsPattern("Max core file size\\s+unlimited");
        assertThat(limits).containsPattern("Max open files\\s+(\\d{4,}|unlimited)");
        // mlockall may be refused without root (RLIMIT_MEMLOCK): memcached warns and carries on too.
        if (ROOT) {
            assertThat(Long.parseLong(status(node.pid(), "VmLck:").replaceAll("[^0-9]", ""))).isPositive();
        }
    }

    private static String status(long pid, String field) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith(field)).map(l -> l.substring(field.length()).trim())
                .findFirst().orElse("");
    }

    /** The session id: field 6 of /proc/PID/stat, after the parenthesised command name. */
    private static long sessionId(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[3]);
    }

    @Test
    void authFileErrorsAreMemcachedsAndExitOne(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path malformed = dir.resolve("malformed");
        Files.writeString(malformed, "alice:pw\n\nbob:pw\n");
        String[][] cases = {
            {"-Y", dir.resolve("missing").toString()},
            {"-Y", malformed.toString()},
            {"-Y", malformed.toString(), "-U", "11311"},
        };
        for (String[] args : cases) {
            String[] full = java.util.stream.Stream.concat(java.util.stream.Stream.of("-u", "root", "-p", "0"),
                    java.util.Arrays.stream(args)).toArray(String[]::new);
            Run node = memfleet(full);
            Optional<Run> reference = memcached(full);
            reference.ifPresent(r -> {
                assertThat(node.exitCode()).as("exit code of %s", List.of(args)).isEqualTo(r.exitCode());
                assertThat(node.err().strip()).as("message of %s", List.of(args)).isEqualTo(r.err().strip());
            });
            assertThat(node.exitCode()).isNotZero();
        }
    }
}
