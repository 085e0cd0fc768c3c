package memfleet.node.stats;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

import io.netty.buffer.ByteBuf;
import memfleet.node.config.Settings;
import memfleet.node.config.Version;
import memfleet.node.os.Libc;
import memfleet.node.replication.Replication;
import memfleet.node.store.Item;
import memfleet.node.store.ItemStore;
import memfleet.node.store.LruCrawler;
import memfleet.node.store.LruMaintainer;
import memfleet.node.store.SegmentedLru;
import memfleet.node.store.SlabAllocator;
import memfleet.node.store.SlabRebalancer;
import memfleet.node.store.StoreStats;
import memfleet.node.tls.NodeTls;
import memfleet.protocol.text.ReplicationStats;

/**
 * Prints the {@code stats} groups with memcached 1.6.18's field names in its order: the general group,
 * {@code settings}, {@code items}, {@code slabs}, {@code sizes}, {@code conns}. Values are memfleet's
 * real figures; fields for mechanisms memfleet does not have (libevent, response objects, extstore
 * logging) print what memcached prints when they are idle. Off the request path: allocates freely.
 */
public final class StatsWriter {
    /** Shown where memcached names its event library. */
    private static final String TRANSPORT = "netty-" + io.netty.util.Version.identify().values().stream()
            .map(io.netty.util.Version::artifactVersion).findFirst().orElse("4");

    private final Settings settings;
    private final ItemStore store;
    private final LruCrawler crawler;
    private final LruMaintainer maintainer;
    private final SlabRebalancer rebalancer;
    private final List<ThreadStats> threadStats;
    private final ConnectionStats connectionStats;
    private final Collection<ConnectionInfo> connections;
    private final NodeTls tls;
    private final Replication replication;

    /** The writer of every stats group from the parts it reports on; {@code tls} and {@code replication} may be null. */
    /** The sockets' I/O transport, as {@code stats memfleet} shows it. */
    private final String transport;

    public StatsWriter(Settings settings, ItemStore store, LruCrawler crawler, LruMaintainer maintainer,
            SlabRebalancer rebalancer, List<ThreadStats> threadStats, ConnectionStats connectionStats,
            Collection<ConnectionInfo> connections, NodeTls tls, Replication replication, String transport) {
        this.transport = transport;
        this.settings = settings;
        this.store = store;
        this.crawler = crawler;
        this.maintainer = maintainer;
        this.rebalancer = rebalancer;
        this.threadStats = threadStats;
        this.connectionStats = connectionStats;
        this.connections = connections;
        this.tls = tls;
        this.replication = replication;
    }

    private static void stat(StringBuilder sb, String name, Object value) {
        sb.append("STAT ").append(name).append(' ').append(value).append("\r\n");
    }

    private static void write(ByteBuf out, StringBuilder sb) {
        out.writeBytes(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private long sum(java.util.function.ToLongFunction<ThreadStats> f) {
        long s = 0;
        for (ThreadStats t : threadStats) {
            s += f.applyAsLong(t);
        }
        return s;
    }

    private long sumSlab(int field) {
        long s = 0;
        for (ThreadStats t : threadStats) {
            for (int c = 0; c < SlabAllocator.MAX_CLASSES; c++) {
                s += t.slabCount(c, field);
            }
        }
        return s;
    }

    private long sumSlab(int clsid, int field) {
        long s = 0;
        for (ThreadStats t : threadStats) {
            s += t.slabCount(clsid, field);
        }
        return s;
    }

    /** The general group ({@code stats} with no argument), without the closing END. */
    public void general(ByteBuf out) {
        SlabAllocator slabs = store.slabs();
        StoreStats ss = store.stats();
        ConnectionStats cs = connectionStats;
        var s = settings;
        int now = store.clock().now();
        double[] rusage = Libc.getrusage();
        StringBuilder sb = new StringBuilder(4096);
        stat(sb, "pid", ProcessHandle.current().pid());
        stat(sb, "uptime", now - 60);
        stat(sb, "time", store.clock().unixNow());
        stat(sb, "version", Version.MEMCACHED);
        stat(sb, "libevent", TRANSPORT);
        stat(sb, "pointer_size", 64);
        stat(sb, "rusage_user", String.format(java.util.Locale.ROOT, "%.6f", rusage[0]));
        stat(sb, "rusage_system", String.format(java.util.Locale.ROOT, "%.6f", rusage[1]));
        stat(sb, "max_connections", s.maxConns);
        stat(sb, "curr_connections", cs.current.get());
        stat(sb, "total_connections", cs.total.get());
        if (s.maxconnsFast) {
            stat(sb, "rejected_connections", cs.rejected.get());
        }
        stat(sb, "connection_structures", cs.structures.get());
        stat(sb, "response_obj_oom", sum(t -> t.responseObjOom));
        stat(sb, "response_obj_count", 0);
        stat(sb, "response_obj_bytes", 0);
        stat(sb, "read_buf_count", 0);
        stat(sb, "read_buf_bytes", 0);
        stat(sb, "read_buf_bytes_free", 0);
        stat(sb, "read_buf_oom", 0);
        stat(sb, "reserved_fds", 20);
        long getHits = sumSlab(ThreadStats.GET_HITS);
        stat(sb, "cmd_get", sum(t -> t.getCmds));
        stat(sb, "cmd_set", sumSlab(ThreadStats.SET_CMDS));
        stat(sb, "cmd_flush", sum(t -> t.flushCmds));
        stat(sb, "cmd_touch", sum(t -> t.touchCmds));
        stat(sb, "cmd_meta", sum(t -> t.metaCmds));
        stat(sb, "get_hits", getHits);
        stat(sb, "get_misses", sum(t -> t.getMisses));
        stat(sb, "get_expired", sum(t -> t.getExpired));
        stat(sb, "get_flushed", sum(t -> t.getFlushed));
        stat(sb, "delete_misses", sum(t -> t.deleteMisses));
        stat(sb, "delete_hits", sumSlab(ThreadStats.DELETE_HITS));
        stat(sb, "incr_misses", sum(t -> t.incrMisses));
        stat(sb, "incr_hits", sumSlab(ThreadStats.INCR_HITS));
        stat(sb, "decr_misses", sum(t -> t.decrMisses));
        stat(sb, "decr_hits", sumSlab(ThreadStats.DECR_HITS));
        stat(sb, "cas_misses", sum(t -> t.casMisses));
        stat(sb, "cas_hits", sumSlab(ThreadStats.CAS_HITS));
        stat(sb, "cas_badval", sumSlab(ThreadStats.CAS_BADVAL));
        stat(sb, "touch_hits", sumSlab(ThreadStats.TOUCH_HITS));
        stat(sb, "touch_misses", sum(t -> t.touchMisses));
        stat(sb, "store_too_large", sum(t -> t.storeTooLarge));
        stat(sb, "store_no_memory", sum(t -> t.storeNoMemory));
        stat(sb, "auth_cmds", sum(t -> t.authCmds));
        stat(sb, "auth_errors", sum(t -> t.authErrors));
        if (s.idleTimeout > 0) {
            stat(sb, "idle_kicks", sum(t -> t.idleKicks));
        }
        stat(sb, "bytes_read", sum(t -> t.bytesRead));
        stat(sb, "bytes_written", sum(t -> t.bytesWritten));
        stat(sb, "limit_maxbytes", s.maxBytes);
        stat(sb, "accepting_conns", 1);
        stat(sb, "listen_disabled_num", 0);
        stat(sb, "time_in_listen_disabled_us", 0);
        stat(sb, "threads", s.numThreads);
        stat(sb, "conn_yields", sum(t -> t.connYields));
        stat(sb, "hash_power_level", store.index().hashPower());
        stat(sb, "hash_bytes", store.index().hashBytes());
        stat(sb, "hash_is_expanding", store.index().expanding() ? 1 : 0);
        // memcached leaves out the figures of the mechanisms its options turned off
        if (s.slabReassign) {
            stat(sb, "slab_reassign_rescues", 0);
            stat(sb, "slab_reassign_chunk_rescues", 0);
            stat(sb, "slab_reassign_evictions_nomem", rebalancer.evictions());
            stat(sb, "slab_reassign_inline_reclaim", 0);
            stat(sb, "slab_reassign_busy_items", rebalancer.busyItems());
            stat(sb, "slab_reassign_busy_deletes", 0);
            stat(sb, "slab_reassign_running", rebalancer.running() ? 1 : 0);
            stat(sb, "slabs_moved", rebalancer.moved());
        }
        if (s.lruCrawler) {
            stat(sb, "lru_crawler_running", crawler.running() ? 1 : 0);
            stat(sb, "lru_crawler_starts", crawler.starts());
        }
        if (s.lruMaintainer) {
            stat(sb, "lru_maintainer_juggles", maintainer.juggles());
        }
        stat(sb, "malloc_fails", slabs.mallocFails());
        var watch = store.watchLog();
        stat(sb, "log_worker_dropped", watch.workerDropped());
        stat(sb, "log_worker_written", watch.workerWritten());
        stat(sb, "log_watcher_skipped", watch.watcherSkipped());
        stat(sb, "log_watcher_sent", watch.watcherSent());
        stat(sb, "log_watchers", watch.watchers());
        if (tls != null) {
            stat(sb, "ssl_handshake_errors", tls.handshakeErrors());
            stat(sb, "time_since_server_cert_refresh", store.clock().now() - tls.lastRefresh());
        }
        stat(sb, "unexpected_napi_ids", 0);
        stat(sb, "round_robin_fallback", 0);
        stat(sb, "bytes", store.currBytes());
        stat(sb, "curr_items", store.currItems());
        stat(sb, "total_items", ss.total(StoreStats.TOTAL_ITEMS));
        stat(sb, "slab_global_page_pool", slabs.globalPoolPages());
        stat(sb, "expired_unfetched", ss.total(StoreStats.EXPIRED_UNFETCHED));
        stat(sb, "evicted_unfetched", ss.total(StoreStats.EVICTED_UNFETCHED));
        if (s.lruMaintainer) {
            stat(sb, "evicted_active", ss.total(StoreStats.EVICTED_ACTIVE));
        }
        stat(sb, "evictions", ss.total(StoreStats.EVICTED));
        stat(sb, "reclaimed", ss.total(StoreStats.RECLAIMED));
        stat(sb, "crawler_reclaimed", ss.total(StoreStats.CRAWLER_RECLAIMED));
        stat(sb, "crawler_items_checked", ss.total(StoreStats.CRAWLER_ITEMS_CHECKED));
        stat(sb, "lrutail_reflocked", ss.total(StoreStats.LRUTAIL_REFLOCKED));
        if (s.lruMaintainer) {
            stat(sb, "moves_to_cold", ss.total(StoreStats.MOVES_TO_COLD));
            stat(sb, "moves_to_warm", ss.total(StoreStats.MOVES_TO_WARM));
            stat(sb, "moves_within_lru", ss.total(StoreStats.MOVES_WITHIN_LRU));
            stat(sb, "direct_reclaims", ss.total(StoreStats.DIRECT_RECLAIMS));
            stat(sb, "lru_bumps_dropped", 0);
        }
        write(out, sb);
    }

    /** {@code stats settings}. */
    public void settings(ByteBuf out) {
        StringBuilder sb = new StringBuilder(2048);
        settings.describe(store.oldestLive(), (k, v) -> stat(sb, k, v));
        write(out, sb);
    }

    /** {@code stats items}: per class with items. */
    public void items(ByteBuf out) {
        SegmentedLru lru = store.lru();
        StoreStats ss = store.stats();
        int now = store.clock().now();
        StringBuilder sb = new StringBuilder(4096);
        for (int c = 1; c <= store.slabs().largest(); c++) {
            long hot = lru.size(SegmentedLru.index(c, SegmentedLru.HOT));
            long warm = lru.size(SegmentedLru.index(c, SegmentedLru.WARM));
            long cold = lru.size(SegmentedLru.index(c, SegmentedLru.COLD));
            long temp = lru.size(SegmentedLru.index(c, SegmentedLru.TEMP));
            long number = hot + warm + cold + temp;
            if (number == 0) {
                continue;
            }
            String p = "items:" + c + ":";
            // memcached shows the segments' figures only while its LRU maintainer runs
            boolean segments = settings.lruMaintainer;
            stat(sb, p + "number", number);
            if (segments) {
                stat(sb, p + "number_hot", hot);
                stat(sb, p + "number_warm", warm);
                stat(sb, p + "number_cold", cold);
                if (settings.tempLru) {
                    stat(sb, p + "number_temp", temp);
                }
                stat(sb, p + "age_hot", tailAge(lru, c, SegmentedLru.HOT, now));
                stat(sb, p + "age_warm", tailAge(lru, c, SegmentedLru.WARM, now));
            }
            stat(sb, p + "age", tailAge(lru, c, SegmentedLru.COLD, now));
            stat(sb, p + "mem_requested", store.slabs().requested(c));
            stat(sb, p + "evicted", ss.get(c, StoreStats.EVICTED));
            stat(sb, p + "evicted_nonzero", ss.get(c, StoreStats.EVICTED_NONZERO));
            stat(sb, p + "evicted_time", ss.get(c, StoreStats.EVICTED_TIME));
            stat(sb, p + "outofmemory", ss.get(c, StoreStats.OUTOFMEMORY));
            stat(sb, p + "tailrepairs", ss.get(c, StoreStats.TAILREPAIRS));
            stat(sb, p + "reclaimed", ss.get(c, StoreStats.RECLAIMED));
            stat(sb, p + "expired_unfetched", ss.get(c, StoreStats.EXPIRED_UNFETCHED));
            stat(sb, p + "evicted_unfetched", ss.get(c, StoreStats.EVICTED_UNFETCHED));
            if (segments) {
                stat(sb, p + "evicted_active", ss.get(c, StoreStats.EVICTED_ACTIVE));
            }
            stat(sb, p + "crawler_reclaimed", ss.get(c, StoreStats.CRAWLER_RECLAIMED));
            stat(sb, p + "crawler_items_checked", ss.get(c, StoreStats.CRAWLER_ITEMS_CHECKED));
            stat(sb, p + "lrutail_reflocked", ss.get(c, StoreStats.LRUTAIL_REFLOCKED));
            if (segments) {
                stat(sb, p + "moves_to_cold", ss.get(c, StoreStats.MOVES_TO_COLD));
                stat(sb, p + "moves_to_warm", ss.get(c, StoreStats.MOVES_TO_WARM));
                stat(sb, p + "moves_within_lru", ss.get(c, StoreStats.MOVES_WITHIN_LRU));
                stat(sb, p + "direct_reclaims", ss.get(c, StoreStats.DIRECT_RECLAIMS));
                stat(sb, p + "hits_to_hot", sumSlab(c, ThreadStats.HITS_TO_HOT + 0));
                stat(sb, p + "hits_to_warm", sumSlab(c, ThreadStats.HITS_TO_HOT + 1));
                stat(sb, p + "hits_to_cold", sumSlab(c, ThreadStats.HITS_TO_HOT + 2));
                stat(sb, p + "hits_to_temp", sumSlab(c, ThreadStats.HITS_TO_HOT + 3));
            }
        }
        write(out, sb);
    }

    private static long tailAge(SegmentedLru lru, int clsid, int seg, int now) {
        long tail = lru.tail(SegmentedLru.index(clsid, seg));
        return tail == 0 ? 0 : now - Item.time(tail);
    }

    /** {@code stats slabs}: per class with pages, then the totals. */
    public void slabs(ByteBuf out) {
        SlabAllocator slabs = store.slabs();
        StringBuilder sb = new StringBuilder(4096);
        int active = 0;
        for (int c = 1; c <= slabs.largest(); c++) {
            int pages = slabs.totalPages(c);
            if (pages == 0) {
                continue;
            }
            active++;
            String p = c + ":";
            stat(sb, p + "chunk_size", slabs.chunkSize(c));
            stat(sb, p + "chunks_per_page", slabs.perSlab(c));
            stat(sb, p + "total_pages", pages);
            stat(sb, p + "total_chunks", (long) pages * slabs.perSlab(c));
            stat(sb, p + "used_chunks", slabs.usedChunks(c));
            stat(sb, p + "free_chunks", slabs.freeChunks(c) + slabs.freeChunksEnd(c));
            stat(sb, p + "free_chunks_end", slabs.freeChunksEnd(c));
            stat(sb, p + "get_hits", sumSlab(c, ThreadStats.GET_HITS));
            stat(sb, p + "cmd_set", sumSlab(c, ThreadStats.SET_CMDS));
            stat(sb, p + "delete_hits", sumSlab(c, ThreadStats.DELETE_HITS));
            stat(sb, p + "incr_hits", sumSlab(c, ThreadStats.INCR_HITS));
            stat(sb, p + "decr_hits", sumSlab(c, ThreadStats.DECR_HITS));
            stat(sb, p + "cas_hits", sumSlab(c, ThreadStats.CAS_HITS));
            stat(sb, p + "cas_badval", sumSlab(c, ThreadStats.CAS_BADVAL));
            stat(sb, p + "touch_hits", sumSlab(c, ThreadStats.TOUCH_HITS));
        }
        stat(sb, "active_slabs", active);
        stat(sb, "total_malloced", slabs.totalMalloced());
        write(out, sb);
    }

    /** {@code stats sizes}: item counts in 32-byte size buckets, walked on demand when enabled. */
    public void sizes(ByteBuf out) {
        StringBuilder sb = new StringBuilder();
        if (!settings.trackSizes) {
            stat(sb, "sizes_status", "disabled");
            write(out, sb);
            return;
        }
        java.util.TreeMap<Long, Long> histogram = store.sizeHistogram(32);
        histogram.forEach((size, count) -> stat(sb, Long.toString(size), count));
        write(out, sb);
    }

    /** {@code stats conns}: listeners and client connections. */
    public void conns(ByteBuf out) {
        StringBuilder sb = new StringBuilder();
        List<ConnectionInfo> all = new java.util.ArrayList<>(connections);
        // memcached opens its TCP listeners, then its UDP sockets, then accepts clients: that is its fd order
        all.sort(java.util.Comparator.comparingInt((ConnectionInfo c) -> c.udp() ? 1
                : c.listenAddress() == null ? 0 : 2).thenComparingInt(ConnectionInfo::fd));
        for (ConnectionInfo c : all) {
            String p = c.fd() + ":";
            if (c.udp()) {
                stat(sb, p + "UDP", "UDP");
            }
            stat(sb, p + "addr", c.address());
            if (c.listenAddress() != null) {
                stat(sb, p + "listen_addr", c.listenAddress());
            }
            stat(sb, p + "state", c.state());
            stat(sb, p + "secs_since_last_cmd", c.secondsSinceLastCommand());
        }
        write(out, sb);
    }

    /** memfleet's own group ({@code stats memfleet}): figures memcached does not have. */
    public void memfleet(ByteBuf out) {
        Runtime rt = Runtime.getRuntime();
        StringBuilder sb = new StringBuilder();
        stat(sb, "memfleet_version", Version.MEMFLEET);
        stat(sb, "java_version", Runtime.version());
        stat(sb, "heap_used", rt.totalMemory() - rt.freeMemory());
        stat(sb, "heap_max", rt.maxMemory());
        stat(sb, "slab_pages_in_use", store.slabs().pagesInUse());
        stat(sb, "item_header_bytes", Item.HEADER);
        stat(sb, "transport", transport);
        write(out, sb);
    }

    /** memfleet's {@code stats replication}: this node's place in its group and each peer link. */
    public void replication(ByteBuf out) {
        StringBuilder sb = new StringBuilder();
        if (replication == null) {
            stat(sb, ReplicationStats.ENABLED, 0);
            stat(sb, ReplicationStats.STATE, "alone");
            stat(sb, ReplicationStats.PEERS, 0);
        } else {
            replication.stats(sb);
        }
        write(out, sb);
    }

    /** How many keys {@code stats hotkeys} lists. */
    public static final int HOT_KEYS = 50;

    /**
     * memfleet's {@code stats hotkeys}: the keys hit most now, from every worker's sample ({@link HotKeys}),
     * as {@code STAT hot_<rank> <key> <estimated hits> <error bound>}; the key URL-encoded as in
     * {@code lru_crawler metadump} (bytes outside {@code !..~} and {@code %} as {@code %XX}).
     */
    public void hotKeys(ByteBuf out) {
        StringBuilder sb = new StringBuilder();
        int rate = settings.hotKeySample;
        stat(sb, "sample_rate", rate);
        stat(sb, "half_life_seconds", HotKeys.HALF_LIFE_SECONDS);
        List<HotKeys> samples = new java.util.ArrayList<>();
        for (ThreadStats t : threadStats) {
            samples.add(t.hotKeys);
        }
        List<HotKeys.Entry> top = HotKeys.top(samples, rate, HOT_KEYS);
        for (int i = 0; i < top.size(); i++) {
            HotKeys.Entry e = top.get(i);
            StringBuilder k = new StringBuilder();
            for (byte b : e.key()) {
                int c = b & 0xFF;
                if (c <= 0x20 || c >= 0x7F || c == '%') {
                    k.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
                } else {
                    k.append((char) c);
                }
            }
            stat(sb, "hot_" + (i + 1), k + " " + e.hits() + " " + e.error());
        }
        write(out, sb);
    }

    /** memfleet's {@code stats digest}: live items and an order-independent digest of their contents. */
    public void digest(ByteBuf out) {
        long[] d = new memfleet.node.store.RemoteWrites(store).digest();
        StringBuilder sb = new StringBuilder();
        stat(sb, "items", d[0]);
        stat(sb, "digest", String.format("%016x", d[1]));
        write(out, sb);
    }
}
