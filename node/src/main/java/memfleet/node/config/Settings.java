package memfleet.node.config;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * Every setting of a node, with memcached 1.6.18's defaults; {@link CommandLine} fills it from the flags.
 *
 * <p>A plain mutable holder, like memcached's {@code struct settings}: the command line writes it once at
 * startup, then the node reads it. The fields some command can change while the node runs ({@code verbosity},
 * {@code cache_memlimit}, {@code stats detail}, {@code lru_crawler ...}, {@code lru tune/mode/temp_ttl},
 * {@code slabs automove}, {@code stats sizes_enable}) are {@code volatile}. Units are memcached's internal
 * ones, which are also what {@code stats settings} shows: bytes for sizes, seconds for times, microseconds for
 * {@link #lruCrawlerSleep}.
 */
public final class Settings {
    /** memcached's {@code ITEM_SIZE_MAX_LOWER_LIMIT}. */
    public static final int ITEM_SIZE_MAX_LOWER_LIMIT = 1024;
    /** memcached's {@code ITEM_SIZE_MAX_UPPER_LIMIT}: one gigabyte. */
    public static final int ITEM_SIZE_MAX_UPPER_LIMIT = 1024 * 1024 * 1024;
    /** The only hash memfleet has; memcached's default since 1.5. */
    public static final String HASH_ALGORITHM = "murmur3";

    // Network: -p -U -s -a -l -c -b -B -R -t
    public int port = 11211;
    public int udpPort = 0;
    /** -s; null when not listening on a UNIX socket (memcached then listens on TCP/UDP only). */
    public String socketPath;
    public int accessMask = 0700;
    /**
     * -l entries in the order given, each as written: an IPv4 address, an IPv6 address (bare or in brackets),
     * a host name, optionally followed by {@code :port}. Empty means all interfaces (memcached's INADDR_ANY).
     */
    public List<String> listen = new ArrayList<>();
    public int maxConns = 1024;
    public boolean maxconnsFast = true;
    public int backlog = 1024;
    public Protocol protocol = Protocol.AUTO;
    /** {@code -S}: binary clients must authenticate (SASL PLAIN) before anything but VERSION. */
    public boolean sasl;
    /** {@code MEMCACHED_SASL_PWDB}: the {@code user:password} file SASL checks against. */
    public String saslPasswordFile;
    public int reqsPerEvent = 20;
    public int numThreads = 4;
    /** -o idle_timeout, seconds; 0 is no timeout. */
    public int idleTimeout = 0;
    /** {@code T_MEMD_INITIAL_MALLOC}: bytes counted as malloced before the first page (memcached's test hook). */
    public long initialMalloced;
    /** -o read_buf_mem_limit, in bytes (given in megabytes); 0 is unlimited. */
    public int readBufMemLimit = 0;

    // Process: -d -u -P -k -r -v
    public boolean daemonize;
    public String user;
    public String pidFile;
    public boolean lockMemory;
    public boolean enableCoredumps;
    public volatile int verbose;

    // Memory and slabs: -m -M -I -f -n -L -C, -o slab_*
    public volatile long maxBytes = 64L * 1024 * 1024;
    public boolean evictToFree = true;
    public int itemSizeMax = 1024 * 1024;
    /** Always 1 MB in memcached 1.6, whatever -I is: larger items are chunked. */
    public int slabPageSize = 1024 * 1024;
    /** -o slab_chunk_max, in bytes (memcached's help says kilobytes; 1.6.18 takes and shows bytes). */
    public int slabChunkSizeMax = 512 * 1024;
    public double factor = 1.25;
    public int chunkSize = 48;
    public boolean largePages;
    public boolean useCas = true;
    public boolean slabReassign = true;
    /** 0 off, 1 automove by age/ratio (default), 2 aggressive. */
    public volatile int slabAutomove = 1;
    public double slabAutomoveRatio = 0.8;
    public int slabAutomoveWindow = 30;
    public double slabAutomoveFreeratio = 0.01;

    // Hash table: -o hashpower, no_hashexpand
    public int hashpowerInit = 0;
    public boolean hashExpand = true;

    // LRU: -o lru_*, hot_*, warm_*, temporary_ttl, tail_repair_time
    public volatile boolean lruCrawler = true;
    /** Microseconds between items, 0 to 1000000. */
    public volatile int lruCrawlerSleep = 100;
    /** Items per slab class per crawl; 0 is unlimited. */
    public volatile int lruCrawlerTocrawl = 0;
    public boolean lruMaintainer = true;
    public volatile boolean lruSegmented = true;
    public volatile int hotLruPct = 20;
    public volatile int warmLruPct = 40;
    public volatile double hotMaxFactor = 0.2;
    public volatile double warmMaxFactor = 2.0;
    public volatile boolean tempLru = false;
    public volatile int temporaryTtl = 61;
    public int tailRepairTime = 0;

    // Commands and stats: -A -F --disable-dumping -D, -o track_sizes
    public boolean shutdownEnabled;
    public boolean flushEnabled = true;
    public boolean dumpEnabled = true;
    public char prefixDelimiter = ':';
    public volatile boolean detailEnabled;
    public volatile boolean trackSizes;
    /**
     * memfleet's: the I/O transport ({@code -o io_uring|epoll|nio}, or {@code auto}: io_uring where it loads,
     * else epoll, else NIO). The JVM property {@code memfleet.transport} sets the default.
     */
    public String transport = System.getProperty("memfleet.transport", "auto");

    // TLS: -Z and -o ssl_*
    public boolean sslEnabled;
    public String sslChainCert;
    public String sslKey;
    public String sslCaCert;
    public int sslVerifyMode;
    public String sslCiphers;
    public String sslMinVersion = "tlsv1.2";
    public boolean sslSessionCache;
    public int sslWbufSize = 16384;

    /** {@code -Y}: memcached's ASCII authentication password file, or null. */
    public String authFile;

    // memfleet's own: repcached-style replication, -x/--peer and -X/--replication-port
    /** Peers to replicate with, each {@code host[:port]}; empty is none. */
    public List<String> replicationPeers = new ArrayList<>();
    /** Port this node accepts replication on; 0 is none. */
    public int replicationPort = 0;
    /** Port peers named without one are dialed on ({@code -X listen:connect}); 0 means the listen port. */
    public int replicationConnectPort = 0;
    /** Peers that must hold a write before it is answered ({@code --min-acks}). */
    public int minAcks = 0;
    /** How long a write waits for {@link #minAcks} before {@code SERVER_ERROR replication timeout}. */
    public int minAcksTimeoutMillis = 1000;
    /** Open the client port before the first full copy from a peer has finished. */
    public boolean serveWhileSyncing;
    /** This node's id in its group, 0-255 (the low byte of every CAS it issues); -1 derives one. */
    public int nodeId = -1;
    /** Bytes of recent mutations kept for peers to resume from ({@code --repl-backlog-size}). */
    public long replBacklogSize = 32L << 20;
    /** Bytes per second a full copy to a peer may send at most ({@code --repl-copy-limit}); 0: no limit. */
    public long replCopyLimit = 0;
    /** Sample one get hit in every this many for {@code stats hotkeys} ({@code --hot-keys-sample}); 0: none. */
    public int hotKeySample = 16;
    /** LZ4-compress large frames sent on replication links ({@code --repl-compress}). */
    public boolean replCompress;
    /** Seconds between anti-entropy rounds on each link ({@code --anti-entropy-interval}); 0: none in the background. */
    public int antiEntropyIntervalSeconds = 300;

    /** True when this node replicates ({@code -x} or {@code -X} given). */
    public boolean replicating() {
        return !replicationPeers.isEmpty() || replicationPort != 0;
    }

    /** memcached's {@code settings.inter}: the -l entries joined by commas, or null for all interfaces. */
    public String inter() {
        return listen.isEmpty() ? null : String.join(",", listen);
    }

    /**
     * The socket addresses to listen on for {@code port} ({@link #port} for TCP, {@link #udpPort} for UDP):
     * one per -l entry, host names resolved now (to their first address; memcached binds every address
     * getaddrinfo gives), an entry's own {@code :port} winning over {@code port};
     * a single wildcard address when -l was not given or for the entry {@code *}.
     */
    public List<InetSocketAddress> listenAddresses(int portOption) {
        int port = portOption == -1 ? 0 : portOption; // memcached: -1 is any free port
        if (listen.isEmpty()) {
            return List.of(new InetSocketAddress(port));
        }
        List<InetSocketAddress> addresses = new ArrayList<>(listen.size());
        for (String entry : listen) {
            InetSocketAddress unresolved = parseListenEntry(entry, port);
            String host = unresolved.getHostString();
            addresses.add(host.isEmpty()
                    ? new InetSocketAddress(unresolved.getPort())
                    : new InetSocketAddress(host, unresolved.getPort()));
        }
        return addresses;
    }

    /**
     * Splits one -l entry the way memcached's {@code server_sockets} does: {@code [v6]} or {@code [v6]:port},
     * {@code host:port} when there is exactly one colon, else the whole entry is the host (a bare IPv6
     * address); {@code *} is every interface, returned as the empty host.
     *
     * @return an unresolved address; the host is empty for every interface
     * @throws IllegalArgumentException with memcached's message for a bad bracket or port
     */
    public static InetSocketAddress parseListenEntry(String entry, int defaultPort) {
        String host = entry;
        String rest = entry;
        boolean bracketed = entry.startsWith("[");
        if (bracketed) {
            int close = entry.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("Invalid IPV6 address: \"" + entry + "\"");
            }
            host = entry.substring(1, close);
            rest = entry.substring(close + 1);
        }
        int port = defaultPort == -1 ? 0 : defaultPort; // memcached: -1 is any free port
        int colon = rest.indexOf(':');
        if (colon >= 0 && (bracketed || rest.indexOf(':', colon + 1) < 0)) {
            String number = rest.substring(colon + 1);
            port = parsePort(number);
            if (!bracketed) {
                host = rest.substring(0, colon);
            }
        }
        if (host.equals("*")) {
            host = "";
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    private static int parsePort(String number) {
        try {
            int port = Integer.parseInt(number);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException notANumber) {
            // reported below, in memcached's words
        }
        throw new IllegalArgumentException("Invalid port number: \"" + number + "\"");
    }

    /**
     * Emits what {@code stats settings} shows, in memcached 1.6.18's order and formats, as (name, value) pairs.
     *
     * <p>The settings memfleet cannot have (extstore, TLS, ascii auth, NAPI ids, restartable memory
     * file) show what memcached shows with the feature off, so tools diffing the two see the same group.
     * memfleet's own settings (replication) are not in this group.
     *
     * @param oldestLive the {@code oldest} value: memcached's {@code settings.oldest_live}, the relative time
     *     of the last {@code flush_all} (0 when none), a runtime value the caller owns
     */
    public void describe(long oldestLive, BiConsumer<String, String> out) {
        String inter = inter();
        out.accept("maxbytes", Long.toUnsignedString(maxBytes));
        out.accept("maxconns", Integer.toString(maxConns));
        out.accept("tcpport", Integer.toString(port));
        out.accept("udpport", Integer.toString(udpPort));
        out.accept("inter", inter == null ? "NULL" : inter);
        out.accept("verbosity", Integer.toString(verbose));
        out.accept("oldest", Long.toUnsignedString(oldestLive));
        out.accept("evictions", evictToFree ? "on" : "off");
        out.accept("domain_socket", socketPath == null ? "NULL" : socketPath);
        out.accept("umask", Integer.toOctalString(accessMask));
        out.accept("shutdown_command", yesNo(shutdownEnabled));
        out.accept("growth_factor", decimals(factor, 2));
        out.accept("chunk_size", Integer.toString(chunkSize));
        out.accept("num_threads", Integer.toString(numThreads));
        // memcached gives each UDP port one worker when -l names several interfaces.
        out.accept("num_threads_per_udp", Integer.toString(inter != null && inter.indexOf(',') >= 0 ? 1 : numThreads));
        out.accept("stat_key_prefix", Character.toString(prefixDelimiter));
        out.accept("detail_enabled", yesNo(detailEnabled));
        out.accept("reqs_per_event", Integer.toString(reqsPerEvent));
        out.accept("cas_enabled", yesNo(useCas));
        out.accept("tcp_backlog", Integer.toString(backlog));
        out.accept("binding_protocol", protocol.statName());
        out.accept("auth_enabled_sasl", yesNo(sasl));
        out.accept("auth_enabled_ascii", authFile != null ? authFile : "no");
        out.accept("item_size_max", Integer.toString(itemSizeMax));
        out.accept("maxconns_fast", yesNo(maxconnsFast));
        out.accept("hashpower_init", Integer.toString(hashpowerInit));
        out.accept("slab_reassign", yesNo(slabReassign));
        out.accept("slab_automove", Integer.toString(slabAutomove));
        out.accept("slab_automove_ratio", decimals(slabAutomoveRatio, 2));
        out.accept("slab_automove_window", Integer.toUnsignedString(slabAutomoveWindow));
        out.accept("slab_chunk_max", Integer.toString(slabChunkSizeMax));
        out.accept("lru_crawler", yesNo(lruCrawler));
        out.accept("lru_crawler_sleep", Integer.toString(lruCrawlerSleep));
        out.accept("lru_crawler_tocrawl", Integer.toUnsignedString(lruCrawlerTocrawl));
        out.accept("tail_repair_time", Integer.toString(tailRepairTime));
        out.accept("flush_enabled", yesNo(flushEnabled));
        out.accept("dump_enabled", yesNo(dumpEnabled));
        out.accept("hash_algorithm", HASH_ALGORITHM);
        out.accept("lru_maintainer_thread", yesNo(lruMaintainer));
        out.accept("lru_segmented", yesNo(lruSegmented));
        out.accept("hot_lru_pct", Integer.toString(hotLruPct));
        out.accept("warm_lru_pct", Integer.toString(warmLruPct));
        out.accept("hot_max_factor", decimals(hotMaxFactor, 2));
        out.accept("warm_max_factor", decimals(warmMaxFactor, 2));
        out.accept("temp_lru", yesNo(tempLru));
        out.accept("temporary_ttl", Integer.toUnsignedString(temporaryTtl));
        out.accept("idle_timeout", Integer.toString(idleTimeout));
        out.accept("watcher_logbuf_size", "262144");
        out.accept("worker_logbuf_size", "65536");
        out.accept("read_buf_mem_limit", Integer.toUnsignedString(readBufMemLimit));
        out.accept("track_sizes", yesNo(trackSizes));
        out.accept("inline_ascii_response", "no");
        // extstore, off: memcached's defaults, printed even without ext_path.
        out.accept("ext_item_size", "512");
        out.accept("ext_item_age", "4294967295");
        out.accept("ext_low_ttl", "0");
        out.accept("ext_recache_rate", "2000");
        out.accept("ext_wbuf_size", "4194304");
        out.accept("ext_compact_under", "0");
        out.accept("ext_drop_under", "0");
        out.accept("ext_max_sleep", "1000000");
        out.accept("ext_max_frag", "0.80");
        out.accept("slab_automove_freeratio", decimals(slabAutomoveFreeratio, 3));
        out.accept("ext_drop_unread", "no");
        // TLS: "(null)" is glibc printing a null string, as memcached does.
        out.accept("ssl_enabled", sslEnabled ? "yes" : "no");
        out.accept("ssl_chain_cert", sslChainCert != null ? sslChainCert : "(null)");
        out.accept("ssl_key", sslKey != null ? sslKey : "(null)");
        out.accept("ssl_verify_mode", Integer.toString(sslVerifyMode));
        out.accept("ssl_keyformat", "1");
        out.accept("ssl_ciphers", sslCiphers != null ? sslCiphers : "NULL");
        out.accept("ssl_ca_cert", sslCaCert != null ? sslCaCert : "NULL");
        out.accept("ssl_wbuf_size", Integer.toString(sslWbufSize));
        out.accept("ssl_session_cache", sslSessionCache ? "yes" : "no");
        out.accept("ssl_kernel_tls", "no");
        out.accept("ssl_min_version", sslMinVersion);
        out.accept("num_napi_ids", "(null)");
        out.accept("memory_file", "(null)");
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    private static String decimals(double value, int places) {
        return String.format(Locale.ROOT, "%." + places + "f", value);
    }
}
