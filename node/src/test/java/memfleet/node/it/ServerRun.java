package memfleet.node.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One run of a {@link ServerTest} class: which server kind, which protocol, and the server process started for it.
 * What a run computes once for all its tests (a client script's transcript, say) is kept with {@link #once} and
 * closed, if it is {@link AutoCloseable}, with the server.
 */
public final class ServerRun implements AutoCloseable {
    private final String kind;
    private final Protocol protocol;
    private final ServerStarter starter;
    private final ServerProcess server;
    private final Map<String, Object> kept = new LinkedHashMap<>();
    /** The servers the running test started with {@link #start}: closed when it ends. */
    private final List<ServerProcess> started = new ArrayList<>();
    /** The raw processes the running test started with {@link #spawn}: destroyed when it ends. */
    private final List<Process> spawned = new ArrayList<>();

    ServerRun(String kind, Protocol protocol, ServerStarter starter, ServerProcess server) {
        this.kind = kind;
        this.protocol = protocol;
        this.starter = starter;
        this.server = server;
    }

    /** {@code "memfleet"} or {@code "memcached"}. */
    public String kind() {
        return kind;
    }

    /** True for the memfleet node, false for the reference. */
    public boolean isNode() {
        return "memfleet".equals(kind);
    }

    public Protocol protocol() {
        return protocol;
    }

    /** The server the run's tests share; there is none when the {@link ServerTest} is not {@link ServerTest#shared}. */
    public ServerProcess server() {
        if (server == null) {
            throw new IllegalStateException("this run shares no server: its tests start their own with start()");
        }
        return server;
    }

    /**
     * Starts another server of this run's kind with exactly {@code flags} (the harness adds port, address and
     * {@code -u root}), closed when the running test ends.
     */
    public synchronized ServerProcess start(String... flags) {
        ServerProcess another = starter.start(kind, flags);
        started.add(another);
        return another;
    }

    /**
     * Starts one server of this run's kind per entry of {@code flags}, all at the same moment (each on a thread of
     * its own), and returns once every start has ended: for servers that must come up together, e.g. replicas
     * that dial each other while they start, which {@link #start} (one server at a time) cannot do. Each future
     * holds its server, closed when the running test ends like {@link #start}'s, or why it did not start.
     */
    public synchronized List<CompletableFuture<ServerProcess>> startTogether(List<String[]> flags) {
        List<CompletableFuture<ServerProcess>> starting = flags.stream()
                .map(f -> CompletableFuture.supplyAsync(() -> starter.start(kind, f),
                        task -> Thread.ofPlatform().daemon().start(task)))
                .toList();
        for (CompletableFuture<ServerProcess> f : starting) {
            f.handle((server, failure) -> null).join();
            if (!f.isCompletedExceptionally()) {
                started.add(f.join());
            }
        }
        return starting;
    }

    /** {@link #start(String...)} with extra environment variables (e.g. {@code T_MEMD_INITIAL_MALLOC}). */
    public ServerProcess start(Map<String, String> env, String... flags) {
        return startOf(kind, env, flags);
    }

    /**
     * Starts a server of kind {@code kind} ({@code "memcached"} or {@code "memfleet"}) with {@code flags}, closed
     * when the running test ends: for a {@link ServerTest#sideBySide} class, which starts both.
     */
    public synchronized ServerProcess startOf(String kind, String... flags) {
        ServerProcess another = starter.start(kind, flags);
        started.add(another);
        return another;
    }

    /** {@link #startOf(String, String...)} with extra environment variables. */
    public synchronized ServerProcess startOf(String kind, Map<String, String> env, String... flags) {
        ServerProcess another = ServerProcess.of(kind, env, flags);
        started.add(another);
        return another;
    }

    /**
     * Closes {@code server} with the others when the running test ends: for a server started again with
     * {@link ServerProcess#restart} after one of {@link #start}'s was killed.
     */
    public synchronized ServerProcess track(ServerProcess server) {
        started.add(server);
        return server;
    }

    /**
     * A server of kind {@code kind} with {@code flags} that the tests of this run share, kept under {@code name}:
     * the first test that asks for it starts it, the later ones get the same process, and it is closed when the run
     * ends (with what {@link #once} keeps). For a {@link ServerTest#sideBySide} class whose tests all talk to one
     * memcached and one node; {@code name} tells apart two servers of the same kind and flags.
     */
    public ServerProcess sharedOf(String name, String kind, String... flags) {
        return once(name, () -> starter.start(kind, flags));
    }

    /**
     * Starts {@code command} as it is, with no port, address or user added and nothing awaited (what the builder
     * says about environment, input and output applies), and destroys it when the running test ends if it still
     * runs (SIGTERM, SIGKILL after 15 s): for tests of how a process starts up or exits, such as bad flags, exit
     * codes, or a launcher script.
     */
    public synchronized Process spawn(ProcessBuilder command) {
        try {
            Process process = command.start();
            spawned.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes what the test that just ended started. */
    synchronized void closeStarted() {
        for (Process p : spawned.reversed()) {
            destroy(p);
        }
        spawned.clear();
        for (ServerProcess s : started.reversed()) {
            s.close();
        }
        started.clear();
    }

    private static void destroy(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    public InetSocketAddress address() {
        return server().address();
    }

    public String host() {
        return server().host();
    }

    public int port() {
        return server().port();
    }

    /** The value {@code name} holds in this run, computed by {@code compute} the first time it is asked for. */
    @SuppressWarnings("unchecked")
    public synchronized <T> T once(String name, Supplier<T> compute) {
        return (T) kept.computeIfAbsent(name, n -> compute.get());
    }

    /** Closes with {@code close} what cannot close itself, e.g. a client library whose method is {@code shutdown}. */
    @FunctionalInterface
    public interface Closer<T> {
        void close(T value) throws Exception;
    }

    /** {@link #once(String, Supplier)} for a value that {@code close} closes when the run ends. */
    public <T> T once(String name, Supplier<T> compute, Closer<? super T> close) {
        record Closing<T>(T value, Closer<? super T> closer) implements AutoCloseable {
            @Override
            public void close() throws Exception {
                closer.close(value);
            }
        }
        return this.<Closing<T>>once(name, () -> new Closing<>(compute.get(), close)).value();
    }

    @Override
    public synchronized void close() {
        List<Object> values = new ArrayList<>(kept.values());
        kept.clear();
        for (Object value : values.reversed()) {
            if (value instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    // closing what a run kept must not hide the server's own close below
                }
            }
        }
        closeStarted();
        if (server != null) {
            server.close();
        }
    }

    @Override
    public String toString() {
        return kind + "/" + protocol.label() + (server != null ? " on " + server : "");
    }
}
