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
 * One cache node's shared state: its settings, the store and its background workers, the counters of
 * every worker thread and the open connections. Created by the server, handed to each connection.
 */
public final class Node {
    /** The memcached version memfleet answers as: clients and tools key features on it. */
    public static final String VERSION = "1.6.18";
    /** memfleet's own version, shown in memfleet's own stats group. */
    public static final String MEMFLEET_VERSION = "0.1.0";

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
    private volatile Replication replication;
    private volatile memfleet.node.auth.AuthFile authFile;
    private volatile memfleet.node.tls.NodeTls tls;

    public Node(Settings settings) {
        this.settings = settings;
        this.store = new ItemStore(settings);
        this.crawler = new LruCrawler(store);
        this.maintainer = new LruMaintainer(store);
        this.rebalancer = new SlabRebalancer(store);
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

    public void replication(Replication r) {
        this.replication = r;
    }

    /** The {@code -Y} password file, or null when clients need no authentication. */
    public memfleet.node.auth.AuthFile authFile() {
        return authFile;
    }

    public void authFile(memfleet.node.auth.AuthFile file) {
        this.authFile = file;
    }

    /** TLS ({@code -Z}), or null when connections are plain. */
    public memfleet.node.tls.NodeTls tls() {
        return tls;
    }

    public void tls(memfleet.node.tls.NodeTls t) {
        this.tls = t;
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
        ThreadStats s = new ThreadStats();
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
