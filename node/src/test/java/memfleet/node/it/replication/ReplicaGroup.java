package memfleet.node.it.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;

/**
 * A group of memfleet nodes on loopback that replicate to each other: node {@code i} has node id {@code i + 1},
 * its own client port and replication port ({@code -X}), and lists every other node in {@code -x}, directly or
 * through a {@link FaultProxy} set with {@link #via}. Nodes are started, killed, paused and restarted one by
 * one, always through the test's {@link ServerRun}, which ends them when the test ends; {@link #close} prints
 * their logs.
 */
final class ReplicaGroup implements AutoCloseable {
    /** How long a group gets to agree after the writes stop: generous, the machine is shared. */
    static final Duration CONVERGE = Duration.ofSeconds(60);

    private final ServerRun run;
    private final int size;
    private final int[] clientPorts;
    private final int[] replicationPorts;
    /** {@code peerAddress[i][j]}: how node i reaches node j ({@code host:port} in its -x). */
    private final String[][] peerAddress;
    private final List<List<String>> extraArgs = new ArrayList<>();
    private final ServerProcess[] nodes;

    /** A group of {@code size} nodes, started with {@code run} (so closed after the running test). */
    ReplicaGroup(ServerRun run, int size) {
        this.run = run;
        this.size = size;
        this.clientPorts = new int[size];
        this.replicationPorts = new int[size];
        this.peerAddress = new String[size][size];
        this.nodes = new ServerProcess[size];
        Set<Integer> taken = new HashSet<>();
        for (int i = 0; i < size; i++) {
            clientPorts[i] = distinctFreePort(taken);
            replicationPorts[i] = distinctFreePort(taken);
            extraArgs.add(List.of());
        }
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                peerAddress[i][j] = "127.0.0.1:" + replicationPorts[j];
            }
        }
    }

    private static int distinctFreePort(Set<Integer> taken) {
        while (true) {
            int port = ServerProcess.freePort();
            if (taken.add(port)) {
                return port;
            }
        }
    }

    int size() {
        return size;
    }

    /** Node {@code from} reaches node {@code to} through {@code proxy} (which must forward to {@code to}'s -X). */
    ReplicaGroup via(int from, int to, FaultProxy proxy) {
        peerAddress[from][to] = proxy.hostPort();
        return this;
    }

    /** A proxy to node {@code to}'s replication port, which node {@code from} then dials instead. */
    FaultProxy proxy(int from, int to) {
        FaultProxy proxy = new FaultProxy(replicationPorts[to]);
        via(from, to, proxy);
        return proxy;
    }

    /** Flags every later start of node {@code i} gets besides the group's own. */
    ReplicaGroup args(int i, String... args) {
        extraArgs.set(i, List.of(args));
        return this;
    }

    /** The same flags for every node. */
    ReplicaGroup argsForAll(String... args) {
        for (int i = 0; i < size; i++) {
            args(i, args);
        }
        return this;
    }

    int replicationPort(int i) {
        return replicationPorts[i];
    }

    int clientPort(int i) {
        return clientPorts[i];
    }

    int nodeId(int i) {
        return i + 1;
    }

    /** The -x value node {@code i} is given: every other node, in index order. */
    String peersOf(int i) {
        List<String> peers = new ArrayList<>();
        for (int j = 0; j < size; j++) {
            if (j != i) {
                peers.add(peerAddress[i][j]);
            }
        }
        return String.join(",", peers);
    }

    /** The peer index {@code k} of node {@code i}'s {@code stats replication} ({@code peer<k>:}) for node j. */
    static int peerSlot(int i, int j) {
        return j < i ? j : j - 1;
    }

    /** The full command-line flags of node {@code i}. */
    List<String> argsOf(int i) {
        List<String> args = new ArrayList<>(List.of("-p", Integer.toString(clientPorts[i]),
                "-X", Integer.toString(replicationPorts[i]), "-x", peersOf(i), "--node-id=" + nodeId(i), "-t", "2"));
        args.addAll(extraArgs.get(i));
        return args;
    }

    /** Starts node {@code i}; returns once its client port answers. */
    ServerProcess start(int i) {
        if (nodes[i] != null && nodes[i].isAlive()) {
            throw new IllegalStateException("node " + i + " is running");
        }
        nodes[i] = run.start(argsOf(i).toArray(String[]::new));
        return nodes[i];
    }

    /** Starts every node, one after the other in index order. */
    ReplicaGroup startAll() {
        for (int i = 0; i < size; i++) {
            start(i);
        }
        return this;
    }

    /** Starts every node at the same time; returns once every client port answers. */
    ReplicaGroup startAllAtOnce() {
        for (int i = 0; i < size; i++) {
            if (running(i)) {
                throw new IllegalStateException("node " + i + " is running");
            }
        }
        List<CompletableFuture<ServerProcess>> starting = run.startTogether(
                IntStream.range(0, size).mapToObj(i -> argsOf(i).toArray(String[]::new)).toList());
        List<Throwable> failures = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            try {
                nodes[i] = starting.get(i).join();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError("nodes failed to start together: " + failures);
            failures.forEach(error::addSuppressed);
            throw error;
        }
        return this;
    }

    ServerProcess node(int i) {
        if (nodes[i] == null) {
            throw new IllegalStateException("node " + i + " was never started");
        }
        return nodes[i];
    }

    boolean running(int i) {
        return nodes[i] != null && nodes[i].isAlive();
    }

    /** {@code kill -9} node {@code i}. */
    void kill(int i) {
        node(i).kill();
    }

    /** Starts node {@code i} again with the same flags and ports after it ended; closed after the running test. */
    ServerProcess restart(int i) {
        nodes[i] = run.track(node(i).restart(Duration.ofSeconds(60)));
        return nodes[i];
    }

    /** A new text connection to node {@code i}; the caller closes it. */
    TextClient client(int i) {
        return new TextClient(node(i));
    }

    /** Node {@code i}'s {@code stats replication}. */
    Map<String, String> replication(int i) {
        try (TextClient c = client(i)) {
            return c.stats("replication");
        }
    }

    /** Node {@code i}'s {@code stats digest} line. */
    String digest(int i) {
        try (TextClient c = client(i)) {
            return c.digest();
        }
    }

    /** A stat of node {@code i}'s subscription to node {@code j} ({@code peer<k>:<name>}), as a number. */
    long peerStat(int i, int j, String name) {
        String key = "peer" + peerSlot(i, j) + ":" + name;
        String value = replication(i).get(key);
        assertThat(value).as("node %d stats replication %s", i, key).isNotNull();
        return Long.parseLong(value);
    }

    /** Indices of the running nodes. */
    List<Integer> runningNodes() {
        return IntStream.range(0, size).filter(this::running).boxed().toList();
    }

    /** The digest lines of the running nodes, by index. */
    Map<Integer, String> digests() {
        Map<Integer, String> digests = new LinkedHashMap<>();
        for (int i : runningNodes()) {
            digests.put(i, digest(i));
        }
        return digests;
    }

    /** Waits until every running node reports {@code state in_sync} and they all hold the same digest. */
    void awaitConverged() {
        awaitConverged(CONVERGE);
    }

    void awaitConverged(Duration within) {
        await("group of " + size + " in sync with equal digests").atMost(within).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().untilAsserted(() -> {
                    for (int i : runningNodes()) {
                        assertThat(replication(i).get("state")).as("node %d state", i).isEqualTo("in_sync");
                    }
                    assertThat(Set.copyOf(digests().values())).as("digests %s", digests()).hasSize(1);
                });
    }

    /** Waits until the nodes {@code indices} hold the same digest (whatever their state). */
    void awaitEqualDigests(int... indices) {
        await("nodes " + java.util.Arrays.toString(indices) + " with equal digests").atMost(CONVERGE)
                .pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
                    Map<Integer, String> digests = new LinkedHashMap<>();
                    for (int i : indices) {
                        digests.put(i, digest(i));
                    }
                    assertThat(Set.copyOf(digests.values())).as("digests %s", digests).hasSize(1);
                });
    }

    /** Waits until every running node reports {@code state in_sync}. */
    void awaitInSync(Duration within) {
        await("every running node in_sync").atMost(within).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .untilAsserted(() -> {
                    for (int i : runningNodes()) {
                        assertThat(replication(i).get("state")).as("node %d state", i).isEqualTo("in_sync");
                    }
                });
    }

    /** What each node printed, for failure messages. */
    String logs() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size; i++) {
            if (nodes[i] != null) {
                sb.append("--- node ").append(i).append(" ").append(argsOf(i)).append('\n')
                        .append(nodes[i].output()).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Prints the last log lines of every node to the test's output (kept by failsafe) for post-mortems. The
     * nodes themselves are ended by the {@link ServerRun} when the test ends.
     */
    @Override
    public void close() {
        for (int i = 0; i < size; i++) {
            if (nodes[i] != null) {
                List<String> lines = nodes[i].output().lines().toList();
                System.out.println("--- node " + i + " " + argsOf(i) + " (last 100 of " + lines.size() + " log lines)");
                lines.subList(Math.max(0, lines.size() - 100), lines.size()).forEach(System.out::println);
            }
        }
    }
}
