package memfleet.node.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads memcached's command line into {@link Settings}: the flags of {@code memcached -h} (1.6.18), parsed like
 * its {@code getopt_long}, with the same sanity checks, messages and exit codes.
 *
 * <p>Short flags combine ({@code -vv}, {@code -dv}, {@code -p11211}); long flags take {@code --port=11211} or
 * {@code --port 11211} and, like GNU getopt, any unambiguous prefix ({@code --vers}). Where memfleet differs
 * from memcached it is stricter, never looser:
 * <ul>
 *   <li>Numbers must be numbers: memcached's {@code atoi} reads {@code -p abc} as port 0 (TCP off) and
 *       {@code -m 1g} as one megabyte; memfleet refuses both. {@code -m} takes megabytes, optionally written
 *       {@code 64m}.
 *   <li>Flags memfleet does not implement ({@code -Y -e -Z -W -i -N}, {@code -o ext_*}, {@code -o ssl_*}
 *       and a few other suboptions) are refused with a clear message and exit code 64 instead of being
 *       accepted and ignored; stray words that are not flags are refused too (memcached ignores them).
 *   <li>Unknown flags exit 64 ({@code EX_USAGE}); memcached exits 1. Value checks that memcached exits 1 on
 *       keep its message and its 1.
 *   <li>{@code -x}/{@code --peer} and {@code -X}/{@code --replication-port} are repcached's replication flags,
 *       so memcached's {@code -X} (disable dumping) is {@code --disable-dumping} only.
 * </ul>
 */
public final class CommandLine {
    /** The name getopt-style messages start with. */
    public static final String PROGRAM = "memfleet";
    /** sysexits.h {@code EX_USAGE}. */
    public static final int EX_USAGE = 64;
    /** memcached's exit code for most bad values ({@code return 1} from main). */
    public static final int EXIT_FAILURE = 1;

    /** repcached's default replication port. */
    public static final int DEFAULT_REPLICATION_PORT = 11212;
    /** Names memcached's plaintext SASL password file ({@code user:password} lines) for {@code -S}. */
    public static final String SASL_PWDB_ENV = "MEMCACHED_SASL_PWDB";
    /** memcached's test-suite variable: bytes to count as already malloced ({@code total_malloced}) at start. */
    public static final String INITIAL_MALLOC_ENV = "T_MEMD_INITIAL_MALLOC";
    static final String SASL_NEEDS_PWDB = "-S needs " + SASL_PWDB_ENV
            + "=<file> naming a file of user:password lines (memfleet checks SASL PLAIN against it; it has no Cyrus SASL)";
    private static final Path TRANSPARENT_HUGEPAGES = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    private CommandLine() {}

    /** How a flag takes its value, as in getopt_long's {@code has_arg}. */
    enum Arg { NONE, REQUIRED, OPTIONAL }

    /** Every flag memfleet recognises: the ones it implements and the memcached ones it refuses by name. */
    enum Flag {
        PORT('p', "port", Arg.REQUIRED),
        UDP_PORT('U', "udp-port", Arg.REQUIRED),
        UNIX_SOCKET('s', "unix-socket", Arg.REQUIRED),
        UNIX_MASK('a', "unix-mask", Arg.REQUIRED),
        ENABLE_SHUTDOWN('A', "enable-shutdown", Arg.NONE),
        LISTEN('l', "listen", Arg.REQUIRED),
        DAEMON('d', "daemon", Arg.NONE),
        ENABLE_COREDUMPS('r', "enable-coredumps", Arg.NONE),
        USER('u', "user", Arg.REQUIRED),
        MEMORY_LIMIT('m', "memory-limit", Arg.REQUIRED),
        DISABLE_EVICTIONS('M', "disable-evictions", Arg.NONE),
        CONN_LIMIT('c', "conn-limit", Arg.REQUIRED),
        LOCK_MEMORY('k', "lock-memory", Arg.NONE),
        VERBOSE('v', "verbose", Arg.OPTIONAL),
        HELP('h', "help", Arg.NONE),
        VERSION('V', "version", Arg.NONE),
        PIDFILE('P', "pidfile", Arg.REQUIRED),
        SLAB_GROWTH_FACTOR('f', "slab-growth-factor", Arg.REQUIRED),
        SLAB_MIN_SIZE('n', "slab-min-size", Arg.REQUIRED),
        ENABLE_LARGEPAGES('L', "enable-largepages", Arg.NONE),
        PREFIX_DELIMITER('D', null, Arg.REQUIRED),
        THREADS('t', "threads", Arg.REQUIRED),
        MAX_REQS_PER_EVENT('R', "max-reqs-per-event", Arg.REQUIRED),
        DISABLE_CAS('C', "disable-cas", Arg.NONE),
        LISTEN_BACKLOG('b', "listen-backlog", Arg.REQUIRED),
        PROTOCOL('B', "protocol", Arg.REQUIRED),
        MAX_ITEM_SIZE('I', "max-item-size", Arg.REQUIRED),
        ENABLE_SASL('S', "enable-sasl", Arg.NONE),
        DISABLE_FLUSH_ALL('F', "disable-flush-all", Arg.NONE),
        DISABLE_DUMPING('\0', "disable-dumping", Arg.NONE),
        EXTENDED('o', "extended", Arg.REQUIRED),
        PEER('x', "peer", Arg.REQUIRED),
        REPLICATION_PORT('X', "replication-port", Arg.REQUIRED),
        MIN_ACKS('\0', "min-acks", Arg.REQUIRED),
        MIN_ACKS_TIMEOUT('\0', "min-acks-timeout", Arg.REQUIRED),
        SERVE_WHILE_SYNCING('\0', "serve-while-syncing", Arg.NONE),
        NODE_ID('\0', "node-id", Arg.REQUIRED),
        REPL_BACKLOG_SIZE('\0', "repl-backlog-size", Arg.REQUIRED),
        REPL_COPY_LIMIT('\0', "repl-copy-limit", Arg.REQUIRED),
        ANTI_ENTROPY_INTERVAL('\0', "anti-entropy-interval", Arg.REQUIRED),
        REPL_COMPRESS('\0', "repl-compress", Arg.NONE),
        HOT_KEYS_SAMPLE('\0', "hot-keys-sample", Arg.REQUIRED),
        AUTH_FILE('Y', "auth-file", Arg.REQUIRED),
        ENABLE_SSL('Z', "enable-ssl", Arg.NONE),
        // memcached flags memfleet does not implement: recognised so the refusal can say what they are.
        LICENSE('i', "license", Arg.NONE),
        DISABLE_WATCH('W', "disable-watch", Arg.NONE),
        MEMORY_FILE('e', "memory-file", Arg.REQUIRED),
        NAPI_IDS('N', "napi-ids", Arg.REQUIRED);

        final char shortName;
        final String longName;
        final Arg arg;

        Flag(char shortName, String longName, Arg arg) {
            this.shortName = shortName;
            this.longName = longName;
            this.arg = arg;
        }

        /** How messages name the flag: {@code -p}, or {@code --disable-dumping} when it has no short form. */
        String display() {
            return shortName != '\0' ? "-" + shortName : "--" + longName;
        }

        static Flag ofShort(char c) {
            for (Flag f : values()) {
                if (f.shortName == c && c != '\0') {
                    return f;
                }
            }
            return null;
        }
    }

    /** Parses {@code args}, printing warnings (as memcached does, e.g. for {@code -t 100}) to standard error. */
    public static Settings parse(String[] args) throws UsageException {
        return parse(args, System.err::println);
    }

    /**
     * Parses {@code args} into settings, or throws with the message and exit code memcached would give.
     *
     * @param warnings receives the non-fatal remarks memcached prints while parsing
     * @throws UsageException for {@code -h} and {@code -V} (exit code 0, the message is the output) and for
     *     every error (the message for standard error, memcached's exit code)
     */
    public static Settings parse(String[] args, Consumer<String> warnings) throws UsageException {
        return parse(args, warnings, System.getenv());
    }

    /** {@link #parse(String[], Consumer)} with the environment {@code -S} reads {@value #SASL_PWDB_ENV} from. */
    public static Settings parse(String[] args, Consumer<String> warnings, java.util.Map<String, String> env)
            throws UsageException {
        return new Parser(warnings, env).run(args);
    }

    /** One parse: the settings being filled and what memcached tracks beside them while reading flags. */
    private static final class Parser {
        private final Consumer<String> warnings;
        private final Settings s = new Settings();
        private long itemSizeMax = s.itemSizeMax;
        private boolean slabChunkChanged;
        private boolean tcpSpecified;
        private boolean udpSpecified;
        private boolean protocolSpecified;
        private final java.util.Map<String, String> env;

        Parser(Consumer<String> warnings, java.util.Map<String, String> env) {
            this.warnings = warnings;
            this.env = env;
        }

        Settings run(String[] args) throws UsageException {
            String initialMalloc = env.get(INITIAL_MALLOC_ENV);
            if (initialMalloc != null) {
                try {
                    s.initialMalloced = Long.parseLong(initialMalloc.strip()); // memcached: safe_strtoll, else ignored
                } catch (NumberFormatException ignored) {
                    // memcached keeps 0 when the value does not parse
                }
            }
            List<String> stray = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--")) {
                    stray.addAll(List.of(args).subList(i + 1, args.length));
                    break;
                } else if (a.startsWith("--")) {
                    i = longOption(args, i);
                } else if (a.startsWith("-") && a.length() > 1) {
                    i = shortOptions(args, i);
                } else {
                    stray.add(a);
                }
            }
            if (!stray.isEmpty()) {
                throw usage(PROGRAM + ": unexpected argument '" + stray.getFirst()
                        + "': every setting is a flag (see -h)");
            }
            if (s.replicating() && !s.useCas) {
                throw usage("-C (no CAS) cannot be used with replication (-x/-X): versions travel as CAS values");
            }
            if (!s.replicationPeers.isEmpty() && s.replicationPort == 0) {
                s.replicationPort = DEFAULT_REPLICATION_PORT;
            }
            if (s.minAcks > 0 && s.minAcks > s.replicationPeers.size()) {
                throw usage("--min-acks " + s.minAcks + " needs at least that many peers in -x");
            }
            if (s.sasl) {
                // memcached: SASL is binary-only; -S alone implies -B binary
                if (protocolSpecified && s.protocol != Protocol.BINARY) {
                    throw usage("ERROR: You cannot allow the ASCII protocol while using SASL.");
                }
                s.protocol = Protocol.BINARY;
                if (s.udpPort != 0) {
                    throw usage("ERROR: Cannot enable UDP while using binary SASL authentication.");
                }
                String pwdb = env.get(SASL_PWDB_ENV);
                if (pwdb == null || pwdb.isEmpty()) {
                    throw usage(SASL_NEEDS_PWDB);
                }
                s.saslPasswordFile = pwdb;
            }
            if (s.sslEnabled && s.port == 0) {
                throw usage("ERROR: You cannot enable SSL without a TCP port.");
            }
            if (s.authFile != null && s.udpPort != 0) {
                throw usage("Cannot use UDP with ascii authentication enabled (-U 0 to disable)");
            }
            if (s.authFile != null && s.protocol == Protocol.BINARY) {
                throw usage("ERROR: You cannot allow the BINARY protocol while using ascii authentication tokens.");
            }
            if (s.authFile != null) {
                s.protocol = Protocol.ASCII; // memcached: ASCII authentication means the ASCII protocol only
            }
            check();
            return s;
        }

        private int longOption(String[] args, int i) throws UsageException {
            String body = args[i].substring(2);
            int eq = body.indexOf('=');
            String name = eq < 0 ? body : body.substring(0, eq);
            String value = eq < 0 ? null : body.substring(eq + 1);
            Flag flag = longFlag(name);
            switch (flag.arg) {
                case NONE -> {
                    if (value != null) {
                        throw usage(PROGRAM + ": option '--" + flag.longName + "' doesn't allow an argument");
                    }
                }
                case REQUIRED -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw usage(PROGRAM + ": option '--" + flag.longName + "' requires an argument");
                        }
                        value = args[++i];
                    }
                }
                case OPTIONAL -> { }
            }
            apply(flag, value);
            return i;
        }

        /** getopt_long's lookup: an exact name, else the one option the prefix starts. */
        private static Flag longFlag(String name) throws UsageException {
            List<Flag> candidates = new ArrayList<>();
            for (Flag f : Flag.values()) {
                if (f.longName == null) {
                    continue;
                }
                if (f.longName.equals(name)) {
                    return f;
                }
                if (!name.isEmpty() && f.longName.startsWith(name)) {
                    candidates.add(f);
                }
            }
            if (candidates.size() == 1) {
                return candidates.getFirst();
            }
            if (candidates.isEmpty()) {
                throw usage(PROGRAM + ": unrecognized option '--" + name + "'");
            }
            StringBuilder msg = new StringBuilder(PROGRAM + ": option '--" + name + "' is ambiguous; possibilities:");
            for (Flag f : candidates) {
                msg.append(" '--").append(f.longName).append('\'');
            }
            throw usage(msg.toString());
        }

        private int shortOptions(String[] args, int i) throws UsageException {
            String a = args[i];
            for (int j = 1; j < a.length(); j++) {
                char c = a.charAt(j);
                Flag flag = Flag.ofShort(c);
                if (flag == null) {
                    throw usage(PROGRAM + ": invalid option -- '" + c + "'");
                }
                if (flag.arg == Arg.REQUIRED) {
                    String value;
                    if (j + 1 < a.length()) {
                        value = a.substring(j + 1);
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        throw usage(PROGRAM + ": option requires an argument -- '" + c + "'");
                    }
                    apply(flag, value);
                    return i;
                }
                apply(flag, null);
            }
            return i;
        }

        private void apply(Flag flag, String v) throws UsageException {
            switch (flag) {
                case PORT -> {
                    s.port = port(flag, v);
                    tcpSpecified = true;
                }
                case UDP_PORT -> {
                    s.udpPort = port(flag, v);
                    udpSpecified = true;
                }
                case UNIX_SOCKET -> s.socketPath = v;
                case UNIX_MASK -> {
                    try {
                        s.accessMask = Integer.parseInt(v, 8);
                    } catch (NumberFormatException e) {
                        throw usage("Invalid octal mask for -a: \"" + v + "\"");
                    }
                    if (s.accessMask < 0 || s.accessMask > 0777) {
                        throw usage("Invalid octal mask for -a: \"" + v + "\"");
                    }
                }
                case ENABLE_SHUTDOWN -> s.shutdownEnabled = true;
                case LISTEN -> listen(v);
                case DAEMON -> s.daemonize = true;
                case ENABLE_COREDUMPS -> s.enableCoredumps = true;
                case USER -> s.user = v;
                case MEMORY_LIMIT -> s.maxBytes = megabytes(v);
                case DISABLE_EVICTIONS -> s.evictToFree = false;
                case CONN_LIMIT -> {
                    s.maxConns = integer(flag, v);
                    if (s.maxConns <= 0) {
                        throw failure("Maximum connections must be greater than 0");
                    }
                }
                case LOCK_MEMORY -> s.lockMemory = true;
                case VERBOSE -> s.verbose++;
                case HELP -> throw new UsageException(Help.text(), 0);
                case VERSION -> throw new UsageException(Help.version(), 0);
                case PIDFILE -> s.pidFile = v;
                case SLAB_GROWTH_FACTOR -> {
                    s.factor = decimal(flag, v);
                    if (!(s.factor > 1.0)) {
                        throw failure("Factor must be greater than 1");
                    }
                }
                case SLAB_MIN_SIZE -> {
                    s.chunkSize = integer(flag, v);
                    if (s.chunkSize <= 0) {
                        throw failure("Chunk size must be greater than 0");
                    }
                }
                case ENABLE_LARGEPAGES -> {
                    if (!Files.isRegularFile(TRANSPARENT_HUGEPAGES)) {
                        throw failure("Transparent huge pages support not detected.\nWill use default page size.\n"
                                + "Cannot enable large pages on this system\n(There is no support as of this version)");
                    }
                    s.largePages = true;
                }
                case PREFIX_DELIMITER -> {
                    if (v.isEmpty()) {
                        throw failure("No delimiter specified");
                    }
                    s.prefixDelimiter = v.charAt(0);
                    s.detailEnabled = true;
                }
                case THREADS -> {
                    s.numThreads = integer(flag, v);
                    if (s.numThreads <= 0) {
                        throw failure("Number of threads must be greater than 0");
                    }
                    if (s.numThreads > 64) {
                        warnings.accept("WARNING: Setting a high number of worker threads is not recommended.\n"
                                + " Set this value to the number of cores in your machine or less.");
                    }
                }
                case MAX_REQS_PER_EVENT -> {
                    s.reqsPerEvent = integer(flag, v);
                    if (s.reqsPerEvent <= 0) {
                        throw failure("Number of requests per event must be greater than 0");
                    }
                }
                case DISABLE_CAS -> s.useCas = false;
                case LISTEN_BACKLOG -> {
                    s.backlog = integer(flag, v);
                    if (s.backlog < 0) {
                        throw usage("Invalid number for -b: \"" + v + "\"");
                    }
                }
                case PROTOCOL -> {
                    protocolSpecified = true;
                    s.protocol = protocol(v);
                }
                case MAX_ITEM_SIZE -> itemSizeMax = itemSize(v);
                case DISABLE_FLUSH_ALL -> s.flushEnabled = false;
                case DISABLE_DUMPING -> s.dumpEnabled = false;
                case EXTENDED -> extended(v);
                case PEER -> {
                    for (String peer : v.split(",", -1)) {
                        if (peer.isBlank()) {
                            throw usage("-x needs a peer address, host[:port][,host[:port]...]: \"" + v + "\"");
                        }
                        peerPort(peer);
                        s.replicationPeers.add(peer);
                    }
                }
                case REPLICATION_PORT -> {
                    int colon = v.indexOf(':');
                    s.replicationPort = port(flag, colon < 0 ? v : v.substring(0, colon));
                    s.replicationConnectPort = colon < 0 ? 0 : port(flag, v.substring(colon + 1));
                }
                case MIN_ACKS -> {
                    s.minAcks = integer(flag, v);
                    if (s.minAcks < 0 || s.minAcks > 255) {
                        throw usage("--min-acks must be 0-255: \"" + v + "\"");
                    }
                }
                case MIN_ACKS_TIMEOUT -> {
                    s.minAcksTimeoutMillis = integer(flag, v);
                    if (s.minAcksTimeoutMillis <= 0) {
                        throw usage("--min-acks-timeout must be a positive number of milliseconds: \"" + v + "\"");
                    }
                }
                case SERVE_WHILE_SYNCING -> s.serveWhileSyncing = true;
                case NODE_ID -> {
                    s.nodeId = integer(flag, v);
                    if (s.nodeId < 0 || s.nodeId > 255) {
                        throw usage("--node-id must be 0-255: \"" + v + "\"");
                    }
                }
                case REPL_BACKLOG_SIZE -> {
                    s.replBacklogSize = backlogSize(v);
                }
                case REPL_COPY_LIMIT -> s.replCopyLimit = copyLimit(v);
                case REPL_COMPRESS -> s.replCompress = true;
                case HOT_KEYS_SAMPLE -> {
                    s.hotKeySample = integer(flag, v);
                    if (s.hotKeySample < 0 || s.hotKeySample > (1 << 20) || Integer.bitCount(s.hotKeySample) > 1) {
                        throw usage("--hot-keys-sample must be 0 (off) or a power of two up to 1048576: \"" + v + "\"");
                    }
                }
                case ANTI_ENTROPY_INTERVAL -> {
                    s.antiEntropyIntervalSeconds = integer(flag, v);
                    if (s.antiEntropyIntervalSeconds < 0) {
                        throw usage("--anti-entropy-interval must be 0 (off) or seconds: \"" + v + "\"");
                    }
                }
                case LICENSE -> throw unsupported(flag, "printing memcached's and libevent's licenses");
                case ENABLE_SASL -> s.sasl = true;
                case DISABLE_WATCH -> throw unsupported(flag, "the watch command (live logging)");
                case AUTH_FILE -> s.authFile = v;
                case MEMORY_FILE -> throw unsupported(flag, "a restartable cache in a memory file");
                case ENABLE_SSL -> s.sslEnabled = true;
                case NAPI_IDS -> throw unsupported(flag, "NAPI ids");
            }
        }

        private Protocol protocol(String v) throws UsageException {
            return switch (v) {
                case "auto" -> Protocol.AUTO;
                case "binary" -> Protocol.BINARY;
                case "ascii" -> Protocol.ASCII;
                default -> throw usage("Invalid value for binding protocol: " + v
                        + "\n -- should be one of auto, binary, or ascii");
            };
        }

        /** -l: memcached joins repeated -l flags with commas and skips one it already has. */
        private void listen(String v) throws UsageException {
            boolean any = false;
            for (String entry : v.split("[,;]")) {
                if (entry.isEmpty()) {
                    continue;
                }
                any = true;
                try {
                    Settings.parseListenEntry(entry, s.port);
                } catch (IllegalArgumentException e) {
                    throw usage(e.getMessage());
                }
                if (!s.listen.contains(entry)) {
                    s.listen.add(entry);
                }
            }
            if (!any) {
                throw usage("-l needs an address: \"" + v + "\"");
            }
        }

        /** -o: comma separated suboptions, split like getsubopt(3): {@code name} or {@code name=value}. */
        private void extended(String list) throws UsageException {
            int p = 0;
            while (p < list.length()) {
                int comma = list.indexOf(',', p);
                int end = comma < 0 ? list.length() : comma;
                String token = list.substring(p, end);
                p = comma < 0 ? list.length() : comma + 1;
                int eq = token.indexOf('=');
                String name = eq < 0 ? token : token.substring(0, eq);
                String value = eq < 0 ? null : token.substring(eq + 1);
                suboption(token, name, value);
            }
        }

        private void suboption(String token, String name, String v) throws UsageException {
            switch (name) {
                case "maxconns_fast" -> s.maxconnsFast = true;
                case "no_maxconns_fast" -> s.maxconnsFast = false;
                case "hashpower" -> {
                    s.hashpowerInit = subInt(name, required(v, "Missing numeric argument for hashpower"));
                    if (s.hashpowerInit < 12) {
                        throw failure("Initial hashtable multiplier of " + s.hashpowerInit + " is too low");
                    } else if (s.hashpowerInit > 32) {
                        throw failure("Initial hashtable multiplier of " + s.hashpowerInit + " is too high\n"
                                + "Choose a value based on \"STAT hash_power_level\" from a running instance");
                    }
                }
                case "no_hashexpand" -> s.hashExpand = false;
                case "slab_reassign" -> s.slabReassign = true;
                case "no_slab_reassign" -> s.slabReassign = false;
                case "slab_automove" -> {
                    s.slabAutomove = v == null ? 1 : subInt(name, v);
                    if (s.slabAutomove < 0 || s.slabAutomove > 2) {
                        throw failure("slab_automove must be between 0 and 2");
                    }
                }
                case "no_slab_automove" -> s.slabAutomove = 0;
                case "slab_automove_ratio" -> {
                    s.slabAutomoveRatio = subDouble(name, required(v, "Missing slab_automove_ratio argument"));
                    if (s.slabAutomoveRatio <= 0 || s.slabAutomoveRatio > 1) {
                        throw failure("slab_automove_ratio must be > 0 and < 1");
                    }
                }
                case "slab_automove_window" -> {
                    s.slabAutomoveWindow = subInt(name, required(v, "Missing slab_automove_window argument"));
                    if (s.slabAutomoveWindow < 3) {
                        throw failure("slab_automove_window must be > 2");
                    }
                }
                case "slab_automove_freeratio" -> s.slabAutomoveFreeratio =
                        subDouble(name, required(v, "Missing slab_automove_freeratio argument"));
                case "tail_repair_time" -> {
                    s.tailRepairTime = subInt(name, required(v, "Missing numeric argument for tail_repair_time"));
                    if (s.tailRepairTime < 10) {
                        throw failure("Cannot set tail_repair_time to less than 10 seconds");
                    }
                }
                case "hash_algorithm" -> {
                    required(v, "Missing hash_algorithm argument");
                    if (!v.equals(Settings.HASH_ALGORITHM)) {
                        throw usage("-o hash_algorithm=" + v + " is not supported by memfleet: it hashes keys with "
                                + Settings.HASH_ALGORITHM + " only");
                    }
                }
                case "lru_crawler" -> s.lruCrawler = true;
                case "no_lru_crawler" -> s.lruCrawler = false;
                case "lru_crawler_sleep" -> {
                    s.lruCrawlerSleep = subInt(name, required(v, "Missing lru_crawler_sleep value"));
                    if (s.lruCrawlerSleep > 1_000_000 || s.lruCrawlerSleep < 0) {
                        throw failure("LRU crawler sleep must be between 0 and 1 second");
                    }
                }
                case "lru_crawler_tocrawl" -> {
                    required(v, "Missing lru_crawler_tocrawl value");
                    try {
                        s.lruCrawlerTocrawl = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        s.lruCrawlerTocrawl = -1;
                    }
                    if (s.lruCrawlerTocrawl < 0) {
                        throw failure("lru_crawler_tocrawl takes a numeric 32bit value");
                    }
                }
                case "lru_maintainer" -> {
                    s.lruMaintainer = true;
                    s.lruSegmented = true;
                }
                case "no_lru_maintainer" -> {
                    s.lruMaintainer = false;
                    s.lruSegmented = false;
                }
                case "hot_lru_pct" -> {
                    s.hotLruPct = subInt(name, required(v, "Missing hot_lru_pct argument"));
                    if (s.hotLruPct < 1 || s.hotLruPct >= 80) {
                        throw failure("hot_lru_pct must be > 1 and < 80");
                    }
                }
                case "warm_lru_pct" -> {
                    s.warmLruPct = subInt(name, required(v, "Missing warm_lru_pct argument"));
                    if (s.warmLruPct < 1 || s.warmLruPct >= 80) {
                        throw failure("warm_lru_pct must be > 1 and < 80");
                    }
                }
                case "hot_max_factor" -> {
                    s.hotMaxFactor = subDouble(name, required(v, "Missing hot_max_factor argument"));
                    if (s.hotMaxFactor <= 0) {
                        throw failure("hot_max_factor must be > 0");
                    }
                }
                case "warm_max_factor" -> {
                    s.warmMaxFactor = subDouble(name, required(v, "Missing warm_max_factor argument"));
                    if (s.warmMaxFactor <= 0) {
                        throw failure("warm_max_factor must be > 0");
                    }
                }
                case "temporary_ttl" -> {
                    s.temporaryTtl = subInt(name, required(v, "Missing temporary_ttl argument"));
                    s.tempLru = true;
                }
                case "idle_timeout" -> s.idleTimeout =
                        subInt(name, required(v, "Missing numeric argument for idle_timeout"));
                case "slab_chunk_max" -> {
                    int bytes = subInt(name, required(v, "Missing slab_chunk_max argument"));
                    if (bytes <= 0) {
                        throw failure("could not parse argument to slab_chunk_max");
                    }
                    s.slabChunkSizeMax = bytes;
                    slabChunkChanged = true;
                }
                case "no_chunked_items" -> s.slabChunkSizeMax = s.slabPageSize;
                case "track_sizes" -> s.trackSizes = true;
                // memfleet's own: which I/O transport serves the sockets (stats memfleet shows it)
                case "io_uring", "epoll", "nio" -> s.transport = name;
                case "transport" -> {
                    String t = required(v, "Missing transport argument");
                    if (!List.of("io_uring", "epoll", "nio", "auto").contains(t)) {
                        throw usage("-o transport=" + t + ": the transports are io_uring, epoll, nio and auto");
                    }
                    s.transport = t;
                }
                case "modern", "inline_ascii_resp", "no_inline_ascii_resp", "no_drop_privileges" -> {
                    // memcached accepts these and, on Linux without seccomp, they change nothing there either.
                }
                case "no_modern" -> {
                    // memcached 1.4's defaults; its switch to the jenkins hash has no equivalent here.
                    if (!slabChunkChanged) {
                        s.slabChunkSizeMax = s.slabPageSize;
                    }
                    s.slabReassign = false;
                    s.slabAutomove = 0;
                    s.maxconnsFast = false;
                    s.lruSegmented = false;
                    s.lruCrawler = false;
                    s.lruMaintainer = false;
                }
                case "resp_obj_mem_limit" ->
                        warnings.accept("DEPRECATED: resp_obj_mem_limit no longer used. See read_buf_mem_limit,");
                case "read_buf_mem_limit" -> {
                    required(v, "Missing read_buf_mem_limit argument");
                    long megabytes;
                    try {
                        megabytes = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        megabytes = -1;
                    }
                    if (megabytes < 0 || megabytes * 1024 * 1024 > Integer.MAX_VALUE) {
                        throw failure("could not parse argument to read_buf_mem_limit");
                    }
                    s.readBufMemLimit = (int) (megabytes * 1024 * 1024);
                }
                case "drop_privileges" -> throw unsupportedSuboption(name, "seccomp privilege dropping");
                case "sock_cookie_id" -> throw unsupportedSuboption(name, "socket cookies (SO_MARK)");
                case "slab_sizes" -> throw unsupportedSuboption(name, "explicit slab class sizes");
                case "watcher_logbuf_size", "worker_logbuf_size" ->
                        throw unsupportedSuboption(name, "the watch command's log buffers");
                default -> {
                    if (name.startsWith("ext_")) {
                        throw unsupportedSuboption(name, "external storage (extstore)");
                    }
                    if (name.startsWith("ssl_")) {
                        tls(name, v);
                        return;
                    }
                    throw failure("Illegal suboption \"" + token + "\"");
                }
            }
        }

        /** {@code -o ssl_*}: memcached's TLS suboptions. */
        private void tls(String name, String v) throws UsageException {
            switch (name) {
                case "ssl_chain_cert" -> s.sslChainCert = required(v, "Missing ssl_chain_cert argument");
                case "ssl_key" -> s.sslKey = required(v, "Missing ssl_key argument");
                case "ssl_ca_cert" -> s.sslCaCert = required(v, "Missing ssl_ca_cert argument");
                case "ssl_ciphers" -> s.sslCiphers = required(v, "Missing ssl_ciphers argument");
                case "ssl_verify_mode" -> {
                    int mode = subInt(name, required(v, "Missing ssl_verify_mode argument"));
                    if (mode < 0 || mode > 3) {
                        throw usage("Invalid ssl_verify_mode. Use help to see valid options.");
                    }
                    s.sslVerifyMode = mode;
                }
                case "ssl_keyformat" -> {
                    if (subInt(name, required(v, "Missing ssl_keyformat argument")) != 1) {
                        throw unsupportedSuboption(name + "=" + v, "keys other than PEM (ssl_keyformat=1)");
                    }
                }
                case "ssl_wbuf_size" -> s.sslWbufSize = subInt(name, required(v, "Missing ssl_wbuf_size argument")) * 1024;
                case "ssl_session_cache" -> s.sslSessionCache = true;
                case "ssl_min_version" -> {
                    String version = required(v, "Missing ssl_min_version argument");
                    if (!List.of("tlsv1", "tlsv1.1", "tlsv1.2", "tlsv1.3").contains(version)) {
                        throw usage("Invalid ssl_min_version. Use help to see valid options.");
                    }
                    s.sslMinVersion = version;
                }
                case "ssl_kernel_tls" -> throw unsupportedSuboption(name, "kernel TLS offload");
                default -> throw failure("Illegal suboption \"" + name + "\"");
            }
        }

        /** The memcached 1.6.18 checks that run after all flags are read, in its order. */
        private void check() throws UsageException {
            if (itemSizeMax < Settings.ITEM_SIZE_MAX_LOWER_LIMIT) {
                throw usage("Item max size cannot be less than 1024 bytes.");
            }
            if (itemSizeMax > s.maxBytes / 2) {
                throw usage("Cannot set item size limit higher than 1/2 of memory max.");
            }
            if (itemSizeMax > Settings.ITEM_SIZE_MAX_UPPER_LIMIT) {
                throw usage("Cannot set item size limit higher than a gigabyte.");
            }
            s.itemSizeMax = (int) itemSizeMax;
            if (s.itemSizeMax > 1024 * 1024 && !slabChunkChanged) {
                s.slabChunkSizeMax = s.slabPageSize / 2;
            }
            if (s.slabChunkSizeMax > s.itemSizeMax) {
                throw usage("slab_chunk_max (bytes: " + s.slabChunkSizeMax
                        + ") cannot be larger than -I (item_size_max " + s.itemSizeMax + ")");
            }
            if (s.itemSizeMax % s.slabChunkSizeMax != 0) {
                throw usage("-I (item_size_max: " + s.itemSizeMax
                        + ") must be evenly divisible by slab_chunk_max (bytes: " + s.slabChunkSizeMax + ")");
            }
            if (s.slabPageSize % s.slabChunkSizeMax != 0) {
                throw usage("slab_chunk_max (bytes: " + s.slabChunkSizeMax + ") must divide evenly into "
                        + s.slabPageSize + " (slab_page_size)");
            }
            if (s.hotLruPct + s.warmLruPct > 80) {
                throw usage("hot_lru_pct + warm_lru_pct cannot be more than 80% combined");
            }
            if (s.tempLru && !s.lruMaintainer) {
                throw usage("temporary_ttl requires lru_maintainer to be enabled");
            }
            // memcached: "-U 11311" alone moves TCP to that port too.
            if (udpSpecified && s.udpPort != 0 && !tcpSpecified) {
                s.port = s.udpPort;
            }
        }

        /** -m: megabytes, memcached's unit; "64m" is read as 64, any other suffix is refused. */
        private static long megabytes(String v) throws UsageException {
            String digits = v.endsWith("m") || v.endsWith("M") ? v.substring(0, v.length() - 1) : v;
            long mb;
            try {
                mb = Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw usage("Invalid number for -m: \"" + v + "\" (item memory in megabytes, e.g. -m 64)");
            }
            if (mb < 0 || mb > Long.MAX_VALUE / (1024 * 1024)) {
                throw usage("Invalid number for -m: \"" + v + "\" (item memory in megabytes, e.g. -m 64)");
            }
            return mb * 1024 * 1024;
        }

        /** Checks the port of a {@code -x} entry ({@code host}, {@code host:port}, {@code [v6]:port}). */
        private static void peerPort(String peer) throws UsageException {
            String port = null;
            if (peer.startsWith("[")) {
                int close = peer.indexOf(']');
                if (close < 0) {
                    throw usage("-x: unterminated [ in \"" + peer + "\"");
                }
                if (peer.length() > close + 1) {
                    if (peer.charAt(close + 1) != ':') {
                        throw usage("-x: expected :port after ] in \"" + peer + "\"");
                    }
                    port = peer.substring(close + 2);
                }
            } else if (peer.indexOf(':') > 0 && peer.indexOf(':') == peer.lastIndexOf(':')) {
                port = peer.substring(peer.indexOf(':') + 1);
            }
            if (port != null) {
                int p;
                try {
                    p = Integer.parseInt(port);
                } catch (NumberFormatException e) {
                    p = -1;
                }
                if (p < 1 || p > 65535) {
                    throw usage("-x: invalid port in \"" + peer + "\"");
                }
            }
        }

        /** --repl-copy-limit: bytes per second with an optional k/m/g suffix, 0 for none. */
        private static long copyLimit(String v) throws UsageException {
            long n = bytesWithSuffix(v);
            if (n < 0 || n > 1L << 40) {
                throw usage("--repl-copy-limit must be bytes per second (0 for no limit, or with a k/m/g suffix): \"" + v + "\"");
            }
            return n;
        }

        /** --repl-backlog-size: bytes with an optional k/m/g suffix, at least 64k. */
        private static long backlogSize(String v) throws UsageException {
            long n = bytesWithSuffix(v);
            if (n < (64 << 10) || n > 16L << 30) {
                throw usage("--repl-backlog-size must be 64k to 16g (bytes, or with a k/m/g suffix): \"" + v + "\"");
            }
            return n;
        }

        /** A byte count with an optional k/m/g suffix (binary units); -1 when it is not one or above 1 TiB. */
        private static long bytesWithSuffix(String v) {
            long unit = 1;
            String digits = v;
            if (!v.isEmpty()) {
                char last = Character.toLowerCase(v.charAt(v.length() - 1));
                if (last == 'k' || last == 'm' || last == 'g') {
                    unit = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
                    digits = v.substring(0, v.length() - 1);
                }
            }
            long n;
            try {
                n = Long.parseLong(digits);
            } catch (NumberFormatException e) {
                return -1;
            }
            return n < 0 || n > (1L << 40) / unit ? -1 : n * unit;
        }

        /** -I: bytes, or a number with memcached's k/m suffix. */
        private static long itemSize(String v) throws UsageException {
            long unit = 1;
            String digits = v;
            if (!v.isEmpty()) {
                char last = Character.toLowerCase(v.charAt(v.length() - 1));
                if (last == 'k' || last == 'm') {
                    unit = last == 'k' ? 1024 : 1024 * 1024;
                    digits = v.substring(0, v.length() - 1);
                }
            }
            try {
                long n = Long.parseLong(digits);
                if (n >= 0 && n <= Integer.MAX_VALUE) {
                    return n * unit;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw usage("Invalid number for -I: \"" + v + "\" (bytes, or with k or m: 1k .. 1024m)");
        }

        private static int port(Flag flag, String v) throws UsageException {
            int port = integer(flag, v);
            if (port < -1 || port > 65535) { // -1: any free port, as memcached binds it
                throw usage("Invalid port number for " + flag.display() + ": \"" + v + "\"");
            }
            return port;
        }

        private static int integer(Flag flag, String v) throws UsageException {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw usage("Invalid number for " + flag.display() + ": \"" + v + "\"");
            }
        }

        private static double decimal(Flag flag, String v) throws UsageException {
            double d = parseDouble(v);
            if (Double.isNaN(d)) {
                throw usage("Invalid number for " + flag.display() + ": \"" + v + "\"");
            }
            return d;
        }

        private static String required(String value, String missing) throws UsageException {
            if (value == null) {
                throw failure(missing);
            }
            return value;
        }

        private static int subInt(String name, String v) throws UsageException {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw failure("could not parse argument to " + name);
            }
        }

        private static double subDouble(String name, String v) throws UsageException {
            double d = parseDouble(v);
            if (Double.isNaN(d)) {
                throw failure("could not parse argument to " + name);
            }
            return d;
        }

        /** A plain decimal like strtod takes it; NaN for anything else (Java's "1d", "NaN", hex are refused). */
        private static double parseDouble(String v) {
            if (!v.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
                return Double.NaN;
            }
            return Double.parseDouble(v);
        }

        private static UsageException unsupported(Flag flag, String what) {
            String name = flag.longName != null ? flag.display() + "/--" + flag.longName : flag.display();
            return usage(name + ": " + what + " is not supported by memfleet");
        }

        private static UsageException unsupportedSuboption(String name, String what) {
            return usage("-o " + name + ": " + what + " is not supported by memfleet");
        }
    }

    private static UsageException usage(String message) {
        return new UsageException(message, EX_USAGE);
    }

    private static UsageException failure(String message) {
        return new UsageException(message, EXIT_FAILURE);
    }
}
