package memfleet.node.os;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code -d}: runs the node in the background, the JVM's way.
 *
 * <p>memcached calls {@code daemon(3)}: fork, {@code setsid}, stdio to {@code /dev/null}, and the parent exits
 * 0 at once, so an error after that (a port in use) is lost and the exit code is 0 anyway. A JVM cannot fork,
 * so {@link #start} re-runs this JVM's own command line as a child and waits: the child
 * ({@link #isDaemon()} true there) makes itself a session leader, starts up with its output flowing through a
 * pipe the parent relays to its own standard error, and calls {@link #ready()} once it serves, which tells the
 * parent and points the child's stdio at {@code /dev/null}. The parent then exits 0; if the child dies first
 * the parent exits with the child's code, after having relayed the child's error message. The child keeps
 * the parent's working directory (memcached changes to {@code /} unless {@code -r}), so relative {@code -P},
 * {@code -s} and jar paths keep working.
 */
public final class Daemon {
    /** Environment variable that marks the child and carries the line it prints when ready. */
    static final String TOKEN_ENV = "MEMFLEET_DAEMON_TOKEN";
    /** How long the parent waits for the child to serve. */
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private Daemon() {}

    /** True in the background process {@link #start} launched. */
    public static boolean isDaemon() {
        return System.getenv(TOKEN_ENV) != null;
    }

    /**
     * In the parent: launches this JVM again, detached, with the same arguments, relays its startup output
     * to {@code System.err} and waits until it is ready or gone.
     *
     * @param mainClass the class whose {@code main} runs, for when the OS does not report the command line
     * @param args the arguments {@code main} got
     * @return the exit code for the parent: 0 once the child serves, else the child's exit code (1 on timeout)
     */
    public static int start(Class<?> mainClass, String[] args) throws IOException, InterruptedException {
        String token = "memfleet-daemon-ready-" + UUID.randomUUID();
        ProcessBuilder pb = new ProcessBuilder(command(mainClass, args))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true);
        pb.environment().put(TOKEN_ENV, token);
        Process child = pb.start();

        PrintStream err = System.err;
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("daemon-relay").start(() -> {
            try (BufferedReader out = child.inputReader(StandardCharsets.UTF_8)) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.equals(token)) {
                        ready.complete(true);
                        return;
                    }
                    err.println(line);
                }
            } catch (IOException closed) {
                // the child went away: handled as not ready below
            }
            ready.complete(false);
        });
        try {
            if (ready.get(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                return 0;
            }
        } catch (TimeoutException e) {
            err.println("failed to daemonize: the daemon (pid " + child.pid() + ") did not start serving within "
                    + STARTUP_TIMEOUT.toSeconds() + " seconds; stopped it");
            child.destroyForcibly();
            return 1;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return child.waitFor();
    }

    /** In the child, first of all: leave the parent's session so its terminal hanging up does not stop us. */
    public static void detach() {
        Libc.setsid();
    }

    /** In the child, once it serves: tells the parent, then points stdin, stdout and stderr at /dev/null. */
    public static void ready() {
        String token = System.getenv(TOKEN_ENV);
        System.err.flush();
        System.out.println(token);
        System.out.flush();
        Libc.redirectStdioToDevNull();
    }

    /** This JVM's command line, as the OS reports it; else rebuilt from the runtime's arguments. */
    static List<String> command(Class<?> mainClass, String[] args) {
        ProcessHandle.Info info = ProcessHandle.current().info();
        Optional<String> exe = info.command();
        Optional<String[]> all = info.arguments();
        List<String> cmd = new ArrayList<>();
        if (exe.isPresent() && all.isPresent()) {
            cmd.add(exe.get());
            cmd.addAll(List.of(all.get()));
            return cmd;
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }
}
