package memfleet.node;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import memfleet.node.config.Settings;
import memfleet.node.replication.Replication;
import memfleet.node.stats.ConnectionInfo;
import memfleet.node.stats.ConnectionStats;
import memfleet.node.stats.PrefixStats;
import memfleet.node.stats.ThreadStats;
import memfleet.node.store.ItemStore;
import memfleet.node.store.LruCrawler;
import memfleet.node.store.LruMaintainer;
import memfleet.node.store.SlabRebalancer;

/**
 * One cache node's shared state: its settings, the store and its background workers, TLS, the {@code -Y}
 * password file and replication (each fixed when the node is made: {@link Main} builds the parts and hands
 * them in), the counters of every worker thread and the open connections.
 */
public final class Node {
    private final Settings settings;
    private final ItemStore store;
    private final LruCrawler crawler;
    private final LruMaintainer maintainer;
    private final SlabRebalancer rebalancer;
    private final ConnectionStats connectionStats = new ConnectionStats();
    private final List<ThreadStats> threadStats = new CopyOnWriteArrayList<>();
    private final Collection<ConnectionInfo> connections = ConcurrentHashMap.newKeySet();
    private final PrefixStats prefixStats;
    private final long startedMillis = System.currentTimeMillis();
    private volatile int maxClients;
    private final Replication replication;
    private final memfleet.node.auth.AuthFile authFile;
    private final memfleet.node.tls.NodeTls tls;

    /**
     * A node of {@code store} and its workers; {@code tls}, {@code authFile} and {@code replication} are
     * null when {@code -Z}, {@code -Y} and {@code -x}/{@code -X} are off.
     */
    public Node(Settings settings, ItemStore store, LruCrawler crawler, LruMaintainer maintainer,
            SlabRebalancer rebalancer, memfleet.node.tls.NodeTls tls, memfleet.node.auth.AuthFile authFile,
            Replication replication) {
        this.settings = settings;
        this.store = store;
        this.crawler = crawler;
        this.maintainer = maintainer;
        this.rebalancer = rebalancer;
        this.tls = tls;
        this.authFile = authFile;
        this.replication = replication;
        this.prefixStats = new PrefixStats(settings.prefixDelimiter);
        this.maxClients = settings.maxConns;
    }

    /**
     * How many clients {@code -c} admits. memcached counts file descriptors: it refuses a client whose
     * descriptor reaches {@code maxconns - 1}, and its own descriptors (stdio, listeners, four per worker
     * thread) come first, so {@code -c 1024 -t 4} serves 1024 - 8 - 16 clients with one listener. The
     * JVM's descriptors differ, so memfleet computes the same number instead of reading its descriptors.
     */
    public int maxClients() {
        return maxClients;
    }

    /** Sets {@link #maxClients()} from the listening sockets the server opened. */
    public void listenersOpened(int sockets) {
        maxClients = Math.max(1, settings.maxConns - (7 + sockets + 4 * settings.numThreads));
    }

    /** This node's replication, or null when it runs alone (no {@code -x}/{@code -X}). */
    public Replication replication() {
        return replication;
    }

    /** The {@code -Y} password file, or null when clients need no authentication. */
    public memfleet.node.auth.AuthFile authFile() {
        return authFile;
    }

    /** TLS ({@code -Z}), or null when connections are plain. */
    public memfleet.node.tls.NodeTls tls() {
        return tls;
    }

    public Settings settings() {
        return settings;
    }

    public ItemStore store() {
        return store;
    }

    public LruCrawler crawler() {
        return crawler;
    }

    public LruMaintainer maintainer() {
        return maintainer;
    }

    public SlabRebalancer rebalancer() {
        return rebalancer;
    }

    public ConnectionStats connectionStats() {
        return connectionStats;
    }

    /** A new worker thread's counters, summed by {@code stats}. */
    public ThreadStats newThreadStats() {
        ThreadStats s = new ThreadStats(settings.hotKeySample);
        threadStats.add(s);
        return s;
    }

    public List<ThreadStats> threadStats() {
        return threadStats;
    }

    public Collection<ConnectionInfo> connections() {
        return connections;
    }

    public PrefixStats prefixStats() {
        return prefixStats;
    }

    public long startedMillis() {
        return startedMillis;
    }

}
