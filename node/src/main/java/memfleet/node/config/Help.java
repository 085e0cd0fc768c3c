package memfleet.node.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The {@code -h} and {@code -V} texts: memcached 1.6.18's layout, listing only what memfleet accepts.
 *
 * <p>{@code -V} prints exactly {@code memcached 1.6.18}, the line the real one prints: memfleet is a drop-in
 * replacement and init scripts, configuration tools and monitoring probes parse that line to decide which
 * flags and commands to use, and 1.6.18 is the behaviour memfleet matches. memfleet's own version is the first
 * line of {@code -h}.
 */
public final class Help {
    /** The memcached release whose flags, messages and stats memfleet reproduces. */
    public static final String MEMCACHED_VERSION = "1.6.18";

    private Help() {}

    /** What {@code -V} prints (without the newline). */
    public static String version() {
        return "memcached " + MEMCACHED_VERSION;
    }

    /** memfleet's own version: from the jar's Maven descriptor, {@code dev} when run from classes. */
    public static String memfleetVersion() {
        try (InputStream in = Help.class.getResourceAsStream("/META-INF/maven/memfleet/memfleet-node/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "dev");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String fromManifest = Help.class.getPackage().getImplementationVersion();
        return fromManifest != null ? fromManifest : "dev";
    }

    /** What {@code -h} prints (without the final newline). */
    public static String text() {
        return "memfleet " + memfleetVersion() + " (memcached " + MEMCACHED_VERSION + " compatible)\n" + """
                -p, --port=<num>          TCP port to listen on (default: 11211)
                -U, --udp-port=<num>      UDP port to listen on (default: 0, off)
                -s, --unix-socket=<file>  UNIX socket to listen on (disables network support)
                -a, --unix-mask=<mask>    access mask for UNIX socket, in octal (default: 700)
                -A, --enable-shutdown     enable ascii "shutdown" command
                -l, --listen=<addr>       interface to listen on (default: INADDR_ANY)
                                          comma separated; <addr>[:<port>], [<ipv6>][:<port>] or *
                -d, --daemon              run as a daemon
                -r, --enable-coredumps    maximize core file limit
                -u, --user=<user>         assume identity of <username> (only when run as root)
                -m, --memory-limit=<num>  item memory in megabytes (default: 64)
                -M, --disable-evictions   return error on memory exhausted instead of evicting
                -c, --conn-limit=<num>    max simultaneous connections (default: 1024)
                -k, --lock-memory         lock down all paged memory
                -v, --verbose             verbose (print errors/warnings while in event loop)
                -vv                       very verbose (also print client commands/responses)
                -vvv                      extremely verbose (internal state transitions)
                -h, --help                print this help and exit
                -V, --version             print version and exit
                -P, --pidfile=<file>      save PID in <file>; removed at exit when run with -d
                -f, --slab-growth-factor=<num> chunk size growth factor (default: 1.25)
                -n, --slab-min-size=<bytes> min space used for key+value+flags (default: 48)
                -L, --enable-largepages  try to use large memory pages (if available)
                -D <char>     Use <char> as the delimiter between key prefixes and IDs.
                              This is used for per-prefix stats reporting. The default is
                              ":" (colon). If this option is specified, stats collection
                              is turned on automatically; if not, then it may be turned on
                              by sending the "stats detail on" command to the server.
                -t, --threads=<num>       number of threads to use (default: 4)
                -R, --max-reqs-per-event  maximum number of requests per event, limits the
                                          requests processed per connection to prevent\s
                                          starvation (default: 20)
                -C, --disable-cas         disable use of CAS
                -b, --listen-backlog=<num> set the backlog queue limit (default: 1024)
                -B, --protocol=<name>     protocol - one of ascii, binary, or auto (default: auto-negotiate)
                -I, --max-item-size=<num> adjusts max item size
                                          (default: 1m, min: 1k, max: 1024m)
                -S, --enable-sasl         turn on Sasl authentication (PLAIN, binary protocol;
                                          users in the file named by MEMCACHED_SASL_PWDB)
                -F, --disable-flush-all   disable flush_all command
                -Y, --auth-file=<file>    ASCII protocol authentication: the file holds
                                          user:password lines; a client sends
                                          "set <any> 0 0 <len>" with "user password"
                -Z, --enable-ssl          TLS on every TCP listener and replication link
                   --disable-dumping     disable stats cachedump and lru_crawler metadump
                -x, --peer=<host[:port],...>  replicate with these peers (repcached's -x); a peer
                                          without a port is dialed on the -X connect port
                -X, --replication-port=<port>[:<connect port>]
                                          port to accept peers on (default with -x: 11212)
                    --min-acks=<k>        answer a write once k peers hold it (default: 0)
                    --min-acks-timeout=<ms>  then SERVER_ERROR replication timeout (default: 1000)
                    --serve-while-syncing open the client port before the first full copy ends
                    --node-id=<0-255>     this node's id in its group (default: from the ports)
                    --repl-backlog-size=<bytes>  recent writes kept for peers to resume from
                                          (k/m/g suffix, default: 32m)
                    --repl-copy-limit=<bytes>  most bytes per second a full copy to a peer
                                          sends (k/m/g suffix, default: 0, no limit)
                    --repl-compress       LZ4-compress large frames this node sends to peers
                    --hot-keys-sample=<n> count one get hit in n for stats hotkeys
                                          (a power of two, default: 16; 0: off)
                    --anti-entropy-interval=<s>  seconds between digest comparisons with
                                          each peer (default: 300; 0: only on request)
                -o, --extended            comma separated list of extended options
                                          most options have a 'no_' prefix to disable
                   - maxconns_fast:       immediately close new connections after limit (default: enabled)
                   - hashpower:           an integer multiplier for how large the hash
                                          table should be. normally grows at runtime. (default starts at: 0)
                                          set based on "STAT hash_power_level"
                   - tail_repair_time:    time in seconds for how long to wait before
                                          forcefully killing LRU tail item.
                                          disabled by default; very dangerous option.
                   - hash_algorithm:      the hash table algorithm
                                          murmur3 only.
                   - no_lru_crawler:      disable LRU Crawler background thread.
                   - lru_crawler_sleep:   microseconds to sleep between items
                                          default is 100.
                   - lru_crawler_tocrawl: max items to crawl per slab per run
                                          default is 0 (unlimited)
                   - read_buf_mem_limit:  limit in megabytes for connection read/response buffers.
                                          do not adjust unless you have high (20k+) conn. limits.
                                          0 means unlimited (default: 0)
                   - no_lru_maintainer:   disable new LRU system + background thread.
                   - hot_lru_pct:         pct of slab memory to reserve for hot lru.
                                          (requires lru_maintainer, default pct: 20)
                   - warm_lru_pct:        pct of slab memory to reserve for warm lru.
                                          (requires lru_maintainer, default pct: 40)
                   - hot_max_factor:      items idle > cold lru age * drop from hot lru. (default: 0.20)
                   - warm_max_factor:     items idle > cold lru age * this drop from warm. (default: 2.00)
                   - temporary_ttl:       TTL's below get separate LRU, can't be evicted.
                                          (requires lru_maintainer, default: 61)
                   - idle_timeout:        timeout for idle connections. (default: 0, no timeout)
                   - slab_chunk_max:      (EXPERIMENTAL) maximum slab size in bytes. use extreme care. (default: 524288)
                   - no_chunked_items:    slab_chunk_max as large as a page (1m): items are not chunked.
                   - slab_reassign:       allow pages to move between slab classes. (default: enabled)
                   - slab_automove:       0 off, 1 move pages by age and ratio, 2 move aggressively. (default: 1)
                   - slab_automove_ratio: ratio of free chunks a class needs to give a page. (default: 0.80)
                   - slab_automove_window: seconds of history automove decides on. (default: 30)
                   - slab_automove_freeratio: ratio of memory to hold free as buffer. (default: 0.010)
                   - ssl_chain_cert:      certificate chain file in PEM format
                   - ssl_key:             private key file in PEM format (PKCS#8)
                   - ssl_verify_mode:     0 none, 1 request, 2 require, 3 once (client certificates)
                   - ssl_ca_cert:         PEM file of CAs to verify client certificates with
                   - ssl_ciphers:         cipher suites, colon separated
                   - ssl_min_version:     tlsv1, tlsv1.1, tlsv1.2 (default) or tlsv1.3
                   - ssl_session_cache:   accepted; the JDK keeps its own session cache
                   - ssl_wbuf_size:       accepted, in kilobytes (default: 16)
                   - track_sizes:         enable dynamic reports for 'stats sizes' command.
                   - no_hashexpand:       disables hash table expansion (dangerous)
                   - modern:              enables options which will be default in future.
                                          currently: nothing
                   - no_modern:           uses defaults of previous major version (1.4.x)""";
    }
}
