package memfleet.node.replication;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import memfleet.node.config.Settings;
import memfleet.node.store.CasClock;
import memfleet.node.store.Fingerprint;
import memfleet.node.store.ItemStore;
import memfleet.node.store.MutationLog;
import memfleet.node.store.RemoteWrites;
import memfleet.protocol.replication.MutationRecord;
import memfleet.protocol.text.ReplicationStats;

/**
 * One node's replication: its id and replication id, the backlog of its own clients' changes, the
 * listener peers subscribe on ({@code -X}), a {@link PeerLink} per peer in {@code -x}, and the waiters of
 * {@code --min-acks}. Start-up follows repcached: listen, try the peers for a full copy, else start alone
 * and keep trying; the order nodes start in does not matter.
 */
public final class Replication implements MutationLog {
    static final int HEARTBEAT_MILLIS = 500;
    static final int DEAD_MILLIS = 3000;

    final Settings settings;
    final ItemStore store;
    final RemoteWrites remote;
    final int nodeId;
    final long replid;
    final Backlog backlog;
    /** Per origin node: {replication id, offset} of its stream applied here. */
    final Map<Integer, long[]> applied = new ConcurrentHashMap<>();
    /** Nodes a full copy came from: their data may include writes from nodes that are gone. */
    final Set<Integer> fullCopyFrom = ConcurrentHashMap.newKeySet();
    final Set<Feed> feeds = ConcurrentHashMap.newKeySet();
    /** Groups of three or more: per origin node, the recent part of its stream as applied here. */
    final Map<Integer, Mirror> mirrors = new ConcurrentHashMap<>();
    final AtomicLong repairsRequested = new AtomicLong();
    final AtomicLong repairsServed = new AtomicLong();
    final AtomicLong repairedOps = new AtomicLong();
    final AntiEntropy antiEntropy = new AntiEntropy();
    /** Per subscriber node: the last offset it acknowledged of this node's stream, kept across reconnects. */
    final Map<Integer, Long> ackedBy = new ConcurrentHashMap<>();
    /** Per subscriber node: the last full copy sent to it, kept after its feed ends. */
    final Map<Integer, CopyProgress> lastCopyTo = new ConcurrentHashMap<>();
    private final List<PeerLink> links = new ArrayList<>();
    private final List<AckWaiter> waiters = new ArrayList<>();
    private volatile boolean syncing;
    volatile boolean closed;
    private ServerSocket listener;
    /** TLS for the links ({@code -Z}): peers are served and dialed with the node's certificate. */
    final memfleet.node.tls.NodeTls tls;

    public Replication(Settings settings, ItemStore store, memfleet.node.tls.NodeTls tls) {
        this.settings = settings;
        this.tls = tls;
        this.store = store;
        this.nodeId = settings.nodeId >= 0 ? settings.nodeId : defaultNodeId(settings);
        this.replid = new SecureRandom().nextLong() & Long.MAX_VALUE;
        this.backlog = new Backlog(settings.replBacklogSize);
        // what a node applies is not passed on: each write goes from its origin to every peer once, and in a
        // group of three or more a node that loses an origin fetches what it missed from the others' mirrors
        this.remote = new RemoteWrites(store);
        int connectPort = settings.replicationConnectPort != 0 ? settings.replicationConnectPort : settings.replicationPort;
        for (String peer : settings.replicationPeers) {
            links.add(new PeerLink(this, peer, connectPort));
        }
    }

    /** A node id from the host name and ports, for nodes not given {@code --node-id}. */
    static int defaultNodeId(Settings settings) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        long h = Fingerprint.mix(host.hashCode() ^ ((long) settings.port << 32) ^ ((long) settings.replicationPort << 16));
        return (int) (h & 0xFF);
    }

    public int nodeId() {
        return nodeId;
    }

    /**
     * Versions CAS values with this node's id, starts logging and listens for peers. Throws when the
     * replication port cannot be bound.
     */
    public void start() throws IOException {
        store.replicate(CasClock.hybrid(nodeId), this);
        if (tls != null) {
            var ssl = (javax.net.ssl.SSLServerSocket) tls.serverJdk().getServerSocketFactory().createServerSocket();
            ssl.setNeedClientAuth(settings.sslVerifyMode >= 2);
            ssl.setWantClientAuth(settings.sslVerifyMode == 1);
            listener = ssl;
        } else {
            listener = new ServerSocket();
        }
        listener.setReuseAddress(true);
        String host = settings.listen.isEmpty() ? null : settings.listenAddresses(settings.replicationPort).getFirst().getHostString();
        listener.bind(host == null ? new InetSocketAddress(settings.replicationPort) : new InetSocketAddress(host, settings.replicationPort));
        Thread.ofVirtual().name("replication-accept").start(this::accept);
        Thread.ofVirtual().name("replication-watchdog").start(this::watchdog);
    }

    /**
     * Fetches a full copy from the first peer that has one to give (the caller opens the client port
     * afterwards), then starts every peer link. Returns the address copied from, or null when alone.
     */
    public String syncAndLink() {
        syncing = true;
        String source = null;
        try {
            for (PeerLink link : links) {
                if (closed) {
                    break;
                }
                if (link.initialCopy()) {
                    source = link.address();
                    break;
                }
            }
        } finally {
            syncing = false;
        }
        for (PeerLink link : links) {
            link.start();
        }
        return source;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = listener.accept();
                Feed feed = new Feed(this, s);
                // platform threads for the stream's two ends: a blocked read or a timed park wakes the
                // thread itself, not a poller that then schedules a carrier (three hops per frame)
                Thread.ofPlatform().daemon().name("replication-feed").start(feed::run);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    /** Cuts feeds whose subscriber has gone silent: a stalled peer must not block a writer forever. */
    private void watchdog() {
        while (!closed) {
            try {
                Thread.sleep(HEARTBEAT_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.currentTimeMillis();
            for (Feed f : feeds) {
                if (now - f.lastHeard > DEAD_MILLIS) {
                    f.cut("no acknowledgement from the subscriber for " + (now - f.lastHeard) + " ms");
                }
            }
            repairMissing();
            scheduleAntiEntropy(now);
        }
    }

    /**
     * Every {@code --anti-entropy-interval} seconds per link, the end with the lower node id runs a round
     * (one end is enough: a round repairs both).
     */
    private void scheduleAntiEntropy(long now) {
        long interval = settings.antiEntropyIntervalSeconds * 1000L;
        if (interval <= 0) {
            return;
        }
        for (PeerLink link : links) {
            if (link.peerNode > nodeId && link.antiEntropyIdle() && now - Math.max(link.aeLastAt, link.upSince) >= interval) {
                Thread.ofVirtual().name("anti-entropy").start(link::antiEntropy);
            }
        }
    }

    /** {@code replication check}: an anti-entropy round on every link that is up, now, in the background. */
    public int checkNow() {
        int started = 0;
        for (PeerLink link : links) {
            if (link.antiEntropyIdle()) {
                Thread.ofVirtual().name("anti-entropy").start(link::antiEntropy);
                started++;
            }
        }
        return started;
    }

    /**
     * For every origin whose stream this node has applied but has no live link to now (it died, or the
     * network between the two is cut): asks every peer it does reach for that origin's records past the
     * position applied here. A write the origin got acknowledged by one peer before it died so reaches
     * every survivor, and nothing is relayed while every link is up.
     */
    private void repairMissing() {
        if (links.size() < 2) {
            return;
        }
        for (var e : applied.entrySet()) {
            int origin = e.getKey();
            if (origin == nodeId || linkedTo(origin)) {
                continue;
            }
            long[] at = e.getValue();
            for (PeerLink link : links) {
                if (link.peerNode != origin && link.state().equals("up")) {
                    link.requestRepair(origin, at[0], at[1]);
                }
            }
        }
    }

    private boolean linkedTo(int node) {
        for (PeerLink link : links) {
            if (link.peerNode == node && link.state().equals("up")) {
                return true;
            }
        }
        return false;
    }

    /** Whether this node keeps {@link Mirror}s (a group of three or more). */
    boolean mirroring() {
        return links.size() >= 2;
    }

    /** Keeps a frame of {@code origin}'s records just applied (see {@link Mirror#append}). */
    void mirror(int origin, long replid, long offset, long src, long len, int originClock) {
        mirrors.computeIfAbsent(origin, o -> new Mirror(settings.replBacklogSize))
                .append(replid, offset, src, len, originClock, store.clock().now());
    }

    /** Records that this node has applied {@code origin}'s stream up to {@code offset}; never moves back. */
    void advance(int origin, long replid, long offset) {
        long[] have = applied.get(origin);
        if (have == null || have[0] != replid || have[1] < offset) {
            applied.compute(origin, (o, v) -> v == null || v[0] != replid || v[1] < offset ? new long[] {replid, offset} : v);
        }
    }

    boolean syncing() {
        return syncing;
    }

    // ---------------------------------------------------------------- MutationLog

    @Override
    public void stored(long it) {
        backlog.appendItem(MutationRecord.SET, it, store);
    }

    @Override
    public void touched(long it) {
        backlog.appendItem(MutationRecord.TOUCH, it, store);
    }

    @Override
    public void deleted(long key, int nkey, long version) {
        backlog.appendKeyOnly(MutationRecord.DELETE, key, nkey, 0, version);
    }

    @Override
    public void flushed(int at, long version) {
        backlog.appendKeyOnly(MutationRecord.FLUSH, 0, 0, at, version);
    }

    // ---------------------------------------------------------------- --min-acks

    /** Told when enough peers hold a write, or not. */
    public interface AckWaiter {
        long target();

        /** Called once, from a replication thread: hop to your own thread. */
        void acknowledged();
    }

    /** The offset a write waiting for acknowledgements must reach: everything logged so far. */
    public long head() {
        return backlog.head();
    }

    /** True when {@code k} peers have acknowledged {@code offset}. */
    public boolean acked(long offset, int k) {
        int n = 0;
        for (Feed f : feeds) {
            if (f.ackedOffset >= offset && ++n >= k) {
                return true;
            }
        }
        return false;
    }

    /** Registers {@code w}; it is called when {@link Settings#minAcks} peers hold its target. */
    public void await(AckWaiter w) {
        synchronized (waiters) {
            waiters.add(w);
        }
        acksAdvanced();
    }

    /** Forgets {@code w} (it timed out). */
    public void cancel(AckWaiter w) {
        synchronized (waiters) {
            waiters.remove(w);
        }
    }

    void acksAdvanced() {
        List<AckWaiter> ready = null;
        synchronized (waiters) {
            if (waiters.isEmpty()) {
                return;
            }
            for (int i = waiters.size() - 1; i >= 0; i--) {
                AckWaiter w = waiters.get(i);
                if (acked(w.target(), settings.minAcks)) {
                    waiters.remove(i);
                    if (ready == null) {
                        ready = new ArrayList<>();
                    }
                    ready.add(w);
                }
            }
        }
        if (ready != null) {
            ready.forEach(AckWaiter::acknowledged);
        }
    }

    // ---------------------------------------------------------------- stats and shutdown

    /** {@code stats replication}'s lines. */
    public void stats(StringBuilder sb) {
        stat(sb, ReplicationStats.ENABLED, 1);
        stat(sb, ReplicationStats.NODE_ID, nodeId);
        stat(sb, ReplicationStats.STATE, state());
        stat(sb, ReplicationStats.REPLICATION_ID, String.format("%016x", replid));
        stat(sb, ReplicationStats.OFFSET, backlog.head());
        stat(sb, ReplicationStats.OPS, backlog.ops());
        stat(sb, ReplicationStats.BACKLOG_SIZE, backlog.capacity());
        stat(sb, ReplicationStats.BACKLOG_FIRST_OFFSET, backlog.oldest());
        stat(sb, ReplicationStats.MIN_ACKS, settings.minAcks);
        stat(sb, ReplicationStats.REPAIRS_REQUESTED, repairsRequested.get());
        stat(sb, ReplicationStats.REPAIRS_SERVED, repairsServed.get());
        stat(sb, ReplicationStats.REPAIRED_OPS, repairedOps.get());
        stat(sb, ReplicationStats.COMPRESS, settings.replCompress ? "lz4" : "none");
        stat(sb, ReplicationStats.FRAME_BYTES_SENT, FrameIO.PAYLOAD_OUT.sum());
        stat(sb, ReplicationStats.WIRE_BYTES_SENT, FrameIO.WIRE_OUT.sum());
        stat(sb, ReplicationStats.ANTI_ENTROPY_INTERVAL, settings.antiEntropyIntervalSeconds);
        stat(sb, ReplicationStats.ANTI_ENTROPY_RUNS, antiEntropy.runs.get());
        stat(sb, ReplicationStats.ANTI_ENTROPY_RANGES_DIFFERED, antiEntropy.rangesDiffered.get());
        stat(sb, ReplicationStats.ANTI_ENTROPY_KEYS_REPAIRED, antiEntropy.keysRepaired.get());
        List<Feed> unmatched = new ArrayList<>(feeds);
        stat(sb, ReplicationStats.PEERS, links.size());
        int i = 0;
        for (PeerLink link : links) {
            Feed feed = null;
            for (Feed f : unmatched) {
                if (f.subscriberNode == link.peerNode && link.peerNode >= 0) {
                    feed = f;
                }
            }
            unmatched.remove(feed);
            String p = ReplicationStats.peer(i++);
            stat(sb, p + ReplicationStats.PEER_ADDRESS, link.address());
            stat(sb, p + ReplicationStats.PEER_NODE_ID, link.peerNode);
            stat(sb, p + ReplicationStats.PEER_LINK, link.state());
            // a peer that is not subscribed now still lags from where it last acknowledged
            long ackd = feed != null ? Math.max(0, feed.ackedOffset) : ackedBy.getOrDefault(link.peerNode, 0L);
            long sent = feed != null ? feed.sentOffset : ackd;
            long[] lag = backlog.lagFrom(ackd);
            stat(sb, p + ReplicationStats.PEER_SENT_OFFSET, sent);
            stat(sb, p + ReplicationStats.PEER_ACKED_OFFSET, ackd);
            stat(sb, p + ReplicationStats.PEER_LAG_OPS, lag[0]);
            stat(sb, p + ReplicationStats.PEER_LAG_BYTES, Math.max(0, backlog.head() - ackd));
            stat(sb, p + ReplicationStats.PEER_LAG_MS, Math.max(0, lag[1]));
            stat(sb, p + ReplicationStats.PEER_FULL_RESYNCS, link.fullResyncs);
            stat(sb, p + ReplicationStats.PEER_PARTIAL_RESYNCS, link.partialResyncs);
            stat(sb, p + ReplicationStats.PEER_APPLIED_OPS, link.appliedOps);
            CopyProgress.latest(link.copy, feed != null ? feed.copy : lastCopyTo.get(link.peerNode)).stats(sb, p);
            stat(sb, p + ReplicationStats.PEER_AE, link.aeLast);
            stat(sb, p + ReplicationStats.PEER_AE_RUNS, link.aeRuns);
            stat(sb, p + ReplicationStats.PEER_AE_RANGES_DIFFERED, link.aeLastRangesDiffered);
            stat(sb, p + ReplicationStats.PEER_AE_ITEMS_EXCHANGED, link.aeLastItemsExchanged);
            stat(sb, p + ReplicationStats.PEER_AE_KEYS_REPAIRED, link.aeLastKeysRepaired);
            stat(sb, p + ReplicationStats.PEER_AE_MS, link.aeLastMillis);
            String err = link.lastError != null ? link.lastError : feed != null && feed.lastError != null ? feed.lastError : "-";
            stat(sb, p + ReplicationStats.PEER_LAST_ERROR, err);
        }
    }

    private static void stat(StringBuilder sb, String name, Object value) {
        sb.append("STAT ").append(name).append(' ').append(value).append("\r\n");
    }

    /** alone (no link up), syncing (a full copy is running), in_sync (every link up) or degraded. */
    public String state() {
        if (syncing) {
            return "syncing";
        }
        int up = 0;
        for (PeerLink link : links) {
            String s = link.state();
            if (s.equals("syncing")) {
                return "syncing";
            }
            if (s.equals("up")) {
                up++;
            }
        }
        if (up == 0) {
            return "alone";
        }
        return up == links.size() ? "in_sync" : "degraded";
    }

    /**
     * Graceful shutdown, first half: waits (up to {@code millis}) until every connected subscriber has
     * acknowledged everything logged so far.
     */
    public void drain(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        long target = backlog.head();
        while (System.currentTimeMillis() < deadline) {
            boolean done = true;
            for (Feed f : feeds) {
                if (f.ackedOffset < target && !f.closed) {
                    done = false;
                }
            }
            if (done) {
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    public void close() {
        closed = true;
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        for (PeerLink link : links) {
            link.close();
        }
        for (Feed f : feeds) {
            f.cut("shutting down");
        }
        backlog.wakeAll();
    }
}
