package memfleet.node.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cache server running as a real process on a loopback port: a memfleet node started from the built
 * jar, or Debian's {@code memcached} as the reference. Tests start one, talk to it over TCP, then close it.
 */
public final class ServerProcess implements AutoCloseable {
    /** The JDK that runs the node: the one running the tests (JDK 25). */
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final String MEMCACHED = "/usr/bin/memcached";
    /** The JVM flags bin/memfleet-node starts a node with: the heap is small and fixed, items are off-heap. */
    public static final String JVM_OPTIONS = System.getProperty("memfleet.node.jvmOptions",
            "-XX:+UseSerialGC -Xms16m -Xmx128m -XX:+ExitOnOutOfMemoryError");

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;
    /** The whole command line, {@code -p} included, so {@link #restart} starts the same server again. */
    private final List<String> command;
    /** The unix socket the server listens on instead of TCP, or null. */
    private final Path socketFile;

    private final java.util.Map<String, String> env;

    private ServerProcess(String name, Process process, int port, Path log, List<String> command, Path socketFile,
            java.util.Map<String, String> env) {
        this.env = env;
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
        this.command = List.copyOf(command);
        this.socketFile = socketFile;
    }

    /** The path of the node jar built by this build ({@code node/target/memfleet-node.jar}). */
    public static Path nodeJar() {
        String jar = System.getProperty("memfleet.node.jar");
        Path path = jar != null ? Path.of(jar) : Path.of("target", "memfleet-node.jar");
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("node jar not built: " + path.toAbsolutePath());
        }
        return path;
    }

    /** Starts a memfleet node on a free loopback port with memcached flags {@code args}. */
    public static ServerProcess node(String... args) {
        return node(java.util.Map.of(), args);
    }

    /** {@link #node(String...)} with extra environment variables (e.g. {@code MEMCACHED_SASL_PWDB}). */
    public static ServerProcess node(java.util.Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(JAVA));
        cmd.addAll(List.of(JVM_OPTIONS.split(" +")));
        cmd.addAll(List.of("-jar", nodeJar().toString()));
        if ("root".equals(System.getProperty("user.name")) && !List.of(args).contains("-u")) {
            cmd.addAll(List.of("-u", "root"));
        }
        return start("memfleet", cmd, env, args);
    }

    /** Starts Debian's memcached on a free loopback port with the same flags, as the reference. */
    public static ServerProcess memcached(String... args) {
        return memcached(java.util.Map.of(), args);
    }

    /** {@link #memcached(String...)} with extra environment variables (e.g. {@code SASL_CONF_PATH}). */
    public static ServerProcess memcached(java.util.Map<String, String> env, String... args) {
        if (!Files.isExecutable(Path.of(MEMCACHED))) {
            throw new IllegalStateException(MEMCACHED + " is missing: apt-get install memcached");
        }
        List<String> cmd = new ArrayList<>(List.of(MEMCACHED));
        if ("root".equals(System.getProperty("user.name")) && !List.of(args).contains("-u")) {
            cmd.addAll(List.of("-u", "root"));
        }
        return start("memcached", cmd, env, args);
    }

    /**
     * Spawns server {@code kind} with exactly {@code args} (no port or address added, nothing awaited; as root
     * with {@code -u root}), its output merged and discarded: for tests of how a server starts up.
     */
    public static Process spawn(String kind, java.util.Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        if (kind.equals("memfleet")) {
            cmd.add(JAVA);
            cmd.addAll(List.of(JVM_OPTIONS.split(" +")));
            cmd.addAll(List.of("-jar", nodeJar().toString()));
        } else {
            cmd.add(MEMCACHED);
        }
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("-u", "root"));
        }
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts whichever server {@code kind} names: {@code "memfleet"} or {@code "memcached"}. */
    public static ServerProcess of(String kind, String... args) {
        return of(kind, java.util.Map.of(), args);
    }

    /** {@link #of(String, String...)} with extra environment variables. */
    public static ServerProcess of(String kind, java.util.Map<String, String> env, String... args) {
        return switch (kind) {
            case "memfleet" -> node(env, args);
            case "memcached" -> memcached(env, args);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static ServerProcess start(String name, List<String> cmd, java.util.Map<String, String> env,
            String... args) {
        int port = freePort();
        List<String> argList = List.of(args);
        if (!argList.contains("-p")) {
            cmd.addAll(List.of("-p", Integer.toString(port)));
        } else {
            port = Integer.parseInt(argList.get(argList.indexOf("-p") + 1));
        }
        if (!argList.contains("-l")) {
            cmd.addAll(List.of("-l", "127.0.0.1"));
        }
        if (!argList.contains("-U") && "memcached".equals(name)) {
            cmd.addAll(List.of("-U", "0"));
        }
        cmd.addAll(argList);
        int sock = argList.indexOf("-s");
        Path socketFile = sock >= 0 ? Path.of(argList.get(sock + 1)) : null;
        return launch(name, cmd, env, port, socketFile, Duration.ofSeconds(30));
    }

    private static ServerProcess launch(String name, List<String> cmd, java.util.Map<String, String> env, int port,
            Path socketFile, Duration timeout) {
        try {
            Path log = Files.createTempFile(name + "-" + port + "-", ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            ServerProcess server = new ServerProcess(name, p, port, log, cmd, socketFile, env);
            if (socketFile != null) {
                server.awaitSocketFile(socketFile, timeout);
            } else {
                server.awaitListening(timeout);
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the same server again, with the same command line and port, once this process has ended (after
     * {@link #kill} or {@link #close}); waits up to {@code timeout} for it to listen.
     */
    public ServerProcess restart(Duration timeout) {
        if (process.isAlive()) {
            throw new IllegalStateException(this + " is still running");
        }
        return launch(name, command, env, port, socketFile, timeout);
    }

    /** {@link #restart(Duration)} with the usual 30 s to come up. */
    public ServerProcess restart() {
        return restart(Duration.ofSeconds(30));
    }

    /** The command line the server was started with. */
    public List<String> command() {
        return command;
    }

    /** Ends the process at once with SIGKILL ({@code kill -9}): no shutdown hook, nothing flushed. */
    public void kill() {
        try {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the process with SIGSTOP: it keeps its sockets open but runs no code until {@link #resume}. */
    public void pause() {
        signal("STOP");
    }

    /** Lets a {@link #pause paused} process run again (SIGCONT). */
    public void resume() {
        signal("CONT");
    }

    /** Sends {@code signal} (a name such as {@code TERM} or {@code STOP}) to the process with {@code kill(1)}. */
    public void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** True while the process runs (a paused process runs). */
    public boolean isAlive() {
        return process.isAlive();
    }

    private void awaitListening(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ": " + output());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        close();
        throw new IllegalStateException(name + " did not listen on " + port + " within " + timeout + ": " + output());
    }

    private void awaitSocketFile(Path socket, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ": " + output());
            }
            if (Files.exists(socket)) {
                return;
            }
            sleep(50);
        }
        close();
        throw new IllegalStateException(name + " did not create " + socket + " within " + timeout + ": " + output());
    }

    /** Any free TCP port on loopback. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(host(), port);
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** What the server printed so far (stdout and stderr). */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** Resident set size of the process in bytes, from /proc. */
    public long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS for " + pid());
    }

    /**
     * Ends the process (SIGTERM, then SIGKILL after 10 s) and waits for it; a {@link #pause paused} process is
     * resumed first so that it can handle the SIGTERM. Safe to call more than once.
     */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        try {
            signal("CONT");
        } catch (RuntimeException alreadyGone) {
            // exited meanwhile
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return name + "@" + port;
    }
}
