package memfleet.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The command line, flag by flag. Where an error message is quoted, it is what memcached 1.6.18 prints for the
 * same arguments (run against Debian's {@code /usr/bin/memcached}), with its exit code, unless the comment says
 * memfleet deliberately differs.
 */
class CommandLineTest {
    private final List<String> warnings = new ArrayList<>();

    private Settings parse(String... args) throws UsageException {
        return CommandLine.parse(args, warnings::add);
    }

    private UsageException error(String... args) {
        return catchThrowableOfType(UsageException.class, () -> CommandLine.parse(args, warnings::add));
    }

    private void assertError(String message, int exitCode, String... args) {
        UsageException e = error(args);
        assertThat(e).as("parse %s", List.of(args)).isNotNull();
        assertThat(e.getMessage()).isEqualTo(message);
        assertThat(e.exitCode()).isEqualTo(exitCode);
    }

    @Test
    void noFlagsGiveMemcachedsDefaults() throws UsageException {
        Settings s = parse();
        assertThat(s.port).isEqualTo(11211);
        assertThat(s.udpPort).isZero();
        assertThat(s.listen).isEmpty();
        assertThat(s.maxBytes).isEqualTo(64L << 20);
        assertThat(s.maxConns).isEqualTo(1024);
        assertThat(s.numThreads).isEqualTo(4);
        assertThat(s.itemSizeMax).isEqualTo(1 << 20);
        assertThat(s.slabPageSize).isEqualTo(1 << 20);
        assertThat(s.slabChunkSizeMax).isEqualTo(512 << 10);
        assertThat(s.protocol).isEqualTo(Protocol.AUTO);
        assertThat(s.replicationPeers).isEmpty();
        assertThat(s.replicationPort).isZero();
        assertThat(warnings).isEmpty();
    }

    @Test
    void protocolFlagChoosesAsciiBinaryOrAuto() throws UsageException {
        assertThat(parse("-B", "binary").protocol).isEqualTo(Protocol.BINARY);
        assertThat(parse("-B", "ascii").protocol).isEqualTo(Protocol.ASCII);
        assertThat(parse("--protocol=auto").protocol).isEqualTo(Protocol.AUTO);
    }

    private static final java.util.Map<String, String> PWDB = java.util.Map.of(CommandLine.SASL_PWDB_ENV, "/etc/pw");

    @Test
    void saslForcesTheBinaryProtocolAndReadsThePasswordFileFromTheEnvironment() throws UsageException {
        Settings s = CommandLine.parse(new String[] {"-S"}, warnings::add, PWDB);
        assertThat(s.sasl).isTrue();
        assertThat(s.protocol).isEqualTo(Protocol.BINARY);
        assertThat(s.saslPasswordFile).isEqualTo("/etc/pw");
        assertThat(CommandLine.parse(new String[] {"-S", "-B", "binary"}, warnings::add, PWDB).sasl).isTrue();
    }

    @Test
    void saslRefusesAsciiUdpAndAMissingPasswordFileAsMemcachedDoes() {
        // memcached 1.6.18's words and exit code (64) for the first three
        for (String[] args : new String[][] {{"-S", "-B", "ascii"}, {"-S", "-B", "auto"}}) {
            UsageException e = catchThrowableOfType(UsageException.class,
                    () -> CommandLine.parse(args, warnings::add, PWDB));
            assertThat(e.getMessage()).isEqualTo("ERROR: You cannot allow the ASCII protocol while using SASL.");
            assertThat(e.exitCode()).isEqualTo(64);
        }
        UsageException udp = catchThrowableOfType(UsageException.class,
                () -> CommandLine.parse(new String[] {"-S", "-U", "11211"}, warnings::add, PWDB));
        assertThat(udp.getMessage()).isEqualTo("ERROR: Cannot enable UDP while using binary SASL authentication.");
        UsageException noFile = catchThrowableOfType(UsageException.class,
                () -> CommandLine.parse(new String[] {"-S"}, warnings::add, java.util.Map.of()));
        assertThat(noFile.getMessage()).isEqualTo(CommandLine.SASL_NEEDS_PWDB);
        assertThat(noFile.exitCode()).isEqualTo(64);
    }

    @Test
    void everyFlagSetsItsField() throws UsageException {
        Settings s = parse("-p", "1", "-U", "2", "-s", "/tmp/sock", "-a", "755", "-A", "-l", "127.0.0.1", "-d",
                "-r", "-u", "nobody", "-m", "128", "-M", "-c", "10", "-k", "-v", "-P", "/tmp/pid", "-f", "1.5",
                "-n", "96", "-L", "-D", "/", "-t", "2", "-R", "5", "-C", "-b", "64", "-B", "ascii", "-I", "2m",
                "-F", "--disable-dumping");
        assertThat(s.port).isEqualTo(1);
        assertThat(s.udpPort).isEqualTo(2);
        assertThat(s.socketPath).isEqualTo("/tmp/sock");
        assertThat(s.accessMask).isEqualTo(0755);
        assertThat(s.shutdownEnabled).isTrue();
        assertThat(s.listen).containsExactly("127.0.0.1");
        assertThat(s.daemonize).isTrue();
        assertThat(s.enableCoredumps).isTrue();
        assertThat(s.user).isEqualTo("nobody");
        assertThat(s.maxBytes).isEqualTo(128L << 20);
        assertThat(s.evictToFree).isFalse();
        assertThat(s.maxConns).isEqualTo(10);
        assertThat(s.lockMemory).isTrue();
        assertThat(s.verbose).isEqualTo(1);
        assertThat(s.pidFile).isEqualTo("/tmp/pid");
        assertThat(s.factor).isEqualTo(1.5);
        assertThat(s.chunkSize).isEqualTo(96);
        assertThat(s.largePages).isTrue();
        assertThat(s.prefixDelimiter).isEqualTo('/');
        assertThat(s.detailEnabled).isTrue();
        assertThat(s.numThreads).isEqualTo(2);
        assertThat(s.reqsPerEvent).isEqualTo(5);
        assertThat(s.useCas).isFalse();
        assertThat(s.backlog).isEqualTo(64);
        assertThat(s.protocol).isEqualTo(Protocol.ASCII);
        assertThat(s.itemSizeMax).isEqualTo(2 << 20);
        assertThat(s.flushEnabled).isFalse();
        assertThat(s.dumpEnabled).isFalse();
    }

    @Test
    void longFormsTakeTheirValueAfterAnEqualsSignOrAsTheNextArgument() throws UsageException {
        Settings s = parse("--port=1", "--udp-port", "2", "--unix-socket=/s", "--unix-mask", "700", "--listen=::1",
                "--daemon", "--enable-coredumps", "--user=u", "--memory-limit", "32", "--disable-evictions",
                "--conn-limit=5", "--lock-memory", "--verbose", "--pidfile=/p", "--slab-growth-factor=2",
                "--slab-min-size=64", "--enable-largepages", "--threads=3", "--max-reqs-per-event=7",
                "--disable-cas", "--listen-backlog=9", "--protocol=ascii", "--max-item-size=4m",
                "--disable-flush-all", "--disable-dumping", "--enable-shutdown", "--extended=track_sizes");
        assertThat(s.port).isEqualTo(1);
        assertThat(s.udpPort).isEqualTo(2);
        assertThat(s.socketPath).isEqualTo("/s");
        assertThat(s.accessMask).isEqualTo(0700);
        assertThat(s.listen).containsExactly("::1");
        assertThat(s.daemonize).isTrue();
        assertThat(s.enableCoredumps).isTrue();
        assertThat(s.user).isEqualTo("u");
        assertThat(s.maxBytes).isEqualTo(32L << 20);
        assertThat(s.evictToFree).isFalse();
        assertThat(s.maxConns).isEqualTo(5);
        assertThat(s.lockMemory).isTrue();
        assertThat(s.verbose).isEqualTo(1);
        assertThat(s.pidFile).isEqualTo("/p");
        assertThat(s.factor).isEqualTo(2.0);
        assertThat(s.chunkSize).isEqualTo(64);
        assertThat(s.largePages).isTrue();
        assertThat(s.numThreads).isEqualTo(3);
        assertThat(s.reqsPerEvent).isEqualTo(7);
        assertThat(s.useCas).isFalse();
        assertThat(s.backlog).isEqualTo(9);
        assertThat(s.protocol).isEqualTo(Protocol.ASCII);
        assertThat(s.itemSizeMax).isEqualTo(4 << 20);
        assertThat(s.flushEnabled).isFalse();
        assertThat(s.dumpEnabled).isFalse();
        assertThat(s.shutdownEnabled).isTrue();
        assertThat(s.trackSizes).isTrue();
    }

    @Test
    void shortFlagsCombineLikeGetopt() throws UsageException {
        assertThat(parse("-vv").verbose).isEqualTo(2);
        assertThat(parse("-vvv").verbose).isEqualTo(3);
        assertThat(parse("-v", "-v").verbose).isEqualTo(2);
        Settings s = parse("-dv");
        assertThat(s.daemonize).isTrue();
        assertThat(s.verbose).isEqualTo(1);
        assertThat(parse("-p11212").port).isEqualTo(11212);
        s = parse("-dvp", "4000");
        assertThat(s.daemonize).isTrue();
        assertThat(s.port).isEqualTo(4000);
        assertThat(parse("-Mp5").port).isEqualTo(5);
        // --verbose takes an optional argument (memcached ignores its value) and counts once.
        assertThat(parse("--verbose=3").verbose).isEqualTo(1);
    }

    @Test
    void longFlagsMayBeAbbreviatedWhereUnambiguous() throws UsageException {
        assertThat(parse("--po=7").port).isEqualTo(7);
        assertThat(parse("--disable-c").useCas).isFalse();
        UsageException version = error("--vers");
        assertThat(version.exitCode()).isZero();
        assertThat(version.getMessage()).isEqualTo("memcached 1.6.18");
    }

    @Test
    void getoptErrorsReadLikeGlibcs() {
        // memcached: "memcached: invalid option -- 'Q'" then 'Illegal argument "?"', exit 1; memfleet exits 64.
        assertError("memfleet: invalid option -- 'Q'", 64, "-Q");
        assertError("memfleet: invalid option -- 'Q'", 64, "-vQ");
        assertError("memfleet: unrecognized option '--bogus'", 64, "--bogus");
        assertError("memfleet: option requires an argument -- 'p'", 64, "-p");
        assertError("memfleet: option requires an argument -- 'l'", 64, "-l");
        assertError("memfleet: option '--port' requires an argument", 64, "--port");
        assertError("memfleet: option '--daemon' doesn't allow an argument", 64, "--daemon=1");
        assertError("memfleet: option '--ver' is ambiguous; possibilities: '--verbose' '--version'", 64, "--ver");
        assertError("memfleet: option '--dis' is ambiguous; possibilities: '--disable-evictions' '--disable-cas'"
                + " '--disable-flush-all' '--disable-dumping' '--disable-watch'", 64, "--dis");
    }

    @Test
    void helpAndVersionEndParsingAsGetoptDoes() {
        UsageException help = error("-h");
        assertThat(help.exitCode()).isZero();
        assertThat(help.isRequestedOutput()).isTrue();
        assertThat(help.getMessage()).isEqualTo(Help.text());
        // Like memcached: flags before -h are read first, flags after it never.
        assertThat(error("-vvh").getMessage()).isEqualTo(Help.text());
        assertThat(error("-hQ").exitCode()).isZero();
        assertThat(error("-Qh").exitCode()).isEqualTo(64);
        assertThat(error("-V").getMessage()).isEqualTo("memcached 1.6.18");
        assertThat(error("--version").getMessage()).isEqualTo("memcached 1.6.18");
        assertThat(error("--help").getMessage()).isEqualTo(Help.text());
    }

    @Test
    void strayWordsAreRefused() {
        // memcached ignores them silently (a missing -o in "memcached -m 64 modern" goes unnoticed).
        assertError("memfleet: unexpected argument 'modern': every setting is a flag (see -h)", 64, "modern");
        assertError("memfleet: unexpected argument '-p': every setting is a flag (see -h)", 64, "--", "-p");
    }

    @Test
    void listenTakesCommaListsRepeatsAndIpv6() throws UsageException {
        assertThat(parse("-l", "127.0.0.1,::1").listen).containsExactly("127.0.0.1", "::1");
        assertThat(parse("-l", "127.0.0.1", "-l", "::1").listen).containsExactly("127.0.0.1", "::1");
        assertThat(parse("-l", "127.0.0.1", "-l", "127.0.0.1").inter()).isEqualTo("127.0.0.1");
        assertThat(parse("-l", "[::1]").listen).containsExactly("[::1]");
        assertThat(parse("-l", "[::1]:22404,127.0.0.1:22403").listen).containsExactly("[::1]:22404", "127.0.0.1:22403");
        assertThat(parse("-l", "localhost;*").listen).containsExactly("localhost", "*");
        assertError("Invalid IPV6 address: \"[::1\"", 64, "-l", "[::1");
        assertError("Invalid port number: \"abc\"", 64, "-l", "127.0.0.1:abc");
        assertError("-l needs an address: \",\"", 64, "-l", ",");
    }

    @ParameterizedTest
    @CsvSource({"4m, 4194304", "4M, 4194304", "1024k, 1048576", "1K, 1024", "2048, 2048", "1024m, 1073741824"})
    void itemSizeTakesBytesOrKOrM(String arg, int bytes) throws UsageException {
        assertThat(parse("-m", "4096", "-I", arg, "-o", "slab_chunk_max=1024").itemSizeMax).isEqualTo(bytes);
    }

    @Test
    void itemSizeChecksAreMemcacheds() {
        assertError("Item max size cannot be less than 1024 bytes.", 64, "-I", "512");
        assertError("Item max size cannot be less than 1024 bytes.", 64, "-I", "0");
        assertError("Cannot set item size limit higher than 1/2 of memory max.", 64, "-I", "2000m");
        assertError("Cannot set item size limit higher than 1/2 of memory max.", 64, "-I", "64m");
        assertError("Cannot set item size limit higher than 1/2 of memory max.", 64, "-m", "1");
        assertError("Cannot set item size limit higher than a gigabyte.", 64, "-I", "1025m", "-m", "4096");
        assertError("-I (item_size_max: 1049600) must be evenly divisible by slab_chunk_max (bytes: 524288)", 64,
                "-I", "1025k");
        assertError("-I (item_size_max: 1048576) must be evenly divisible by slab_chunk_max (bytes: 3)", 64,
                "-o", "slab_chunk_max=3");
        assertError("slab_chunk_max (bytes: 2097152) cannot be larger than -I (item_size_max 1048576)", 64,
                "-o", "slab_chunk_max=2097152");
        assertError("slab_chunk_max (bytes: 3072) must divide evenly into 1048576 (slab_page_size)", 64,
                "-I", "3m", "-o", "slab_chunk_max=3072");
        assertError("Invalid number for -I: \"abc\" (bytes, or with k or m: 1k .. 1024m)", 64, "-I", "abc");
    }

    @Test
    void largeItemsKeepOneMegabytePagesAndHalfPageChunks() throws UsageException {
        Settings s = parse("-I", "4m");
        assertThat(s.itemSizeMax).isEqualTo(4 << 20);
        assertThat(s.slabPageSize).isEqualTo(1 << 20);
        assertThat(s.slabChunkSizeMax).isEqualTo(512 << 10);
        // memcached 1.6.18 takes slab_chunk_max in bytes (its -h says kilobytes): stats shows 64.
        assertThat(parse("-I", "2m", "-o", "slab_chunk_max=64").slabChunkSizeMax).isEqualTo(64);
        // -I above 1m puts no_chunked_items/no_modern's page-sized chunks back to half a page.
        assertThat(parse("-o", "no_chunked_items").slabChunkSizeMax).isEqualTo(1 << 20);
        assertThat(parse("-o", "no_chunked_items", "-I", "2m").slabChunkSizeMax).isEqualTo(512 << 10);
    }

    @Test
    void memoryLimitIsInMegabytes() throws UsageException {
        assertThat(parse("-m", "64").maxBytes).isEqualTo(64L << 20);
        assertThat(parse("-m", "64m").maxBytes).isEqualTo(64L << 20);
        assertThat(parse("-m", "65536").maxBytes).isEqualTo(64L << 30);
        // memcached's atoi reads "1g" as 1 MB and "64k" as 64 MB; memfleet refuses both.
        assertError("Invalid number for -m: \"1g\" (item memory in megabytes, e.g. -m 64)", 64, "-m", "1g");
        assertError("Invalid number for -m: \"64k\" (item memory in megabytes, e.g. -m 64)", 64, "-m", "64k");
        assertError("Invalid number for -m: \"-5\" (item memory in megabytes, e.g. -m 64)", 64, "-m", "-5");
    }

    @Test
    void valueChecksKeepMemcachedsMessagesAndExitCodes() {
        assertError("Maximum connections must be greater than 0", 1, "-c", "0");
        assertError("Number of threads must be greater than 0", 1, "-t", "0");
        assertError("Number of requests per event must be greater than 0", 1, "-R", "0");
        assertError("Factor must be greater than 1", 1, "-f", "1");
        assertError("Chunk size must be greater than 0", 1, "-n", "0");
        assertError("No delimiter specified", 1, "-D", "");
        assertError("Invalid value for binding protocol: foo\n -- should be one of auto, binary, or ascii", 64,
                "-B", "foo");
    }

    @Test
    void numbersMustBeNumbers() {
        // memcached's atoi turns these into 0 (for -p: TCP off) without a word.
        assertError("Invalid number for -p: \"abc\"", 64, "-p", "abc");
        assertError("Invalid port number for -p: \"70000\"", 64, "-p", "70000");
        assertError("Invalid number for -c: \"1k\"", 64, "-c", "1k");
        assertError("Invalid number for -f: \"x\"", 64, "-f", "x");
        assertError("Invalid octal mask for -a: \"9\"", 64, "-a", "9");
    }

    @Test
    void manyThreadsAreAWarningOnly() throws UsageException {
        assertThat(parse("-t", "100").numThreads).isEqualTo(100);
        assertThat(warnings).containsExactly("WARNING: Setting a high number of worker threads is not recommended.\n"
                + " Set this value to the number of cores in your machine or less.");
    }

    @Test
    void udpPortAloneMovesTheTcpPortToo() throws UsageException {
        Settings s = parse("-U", "11311");
        assertThat(s.port).isEqualTo(11311);
        assertThat(s.udpPort).isEqualTo(11311);
        assertThat(parse("-U", "11311", "-p", "11411").port).isEqualTo(11411);
        assertThat(parse("-U", "0").port).isEqualTo(11211);
    }

    @Test
    void extendedOptionsSetTheirFields() throws UsageException {
        Settings s = parse("-o", "no_maxconns_fast,hashpower=20,no_hashexpand,no_slab_reassign,slab_automove=2,"
                + "slab_automove_ratio=0.5,slab_automove_window=10,slab_automove_freeratio=0.05,tail_repair_time=30,"
                + "hash_algorithm=murmur3,no_lru_crawler,lru_crawler_sleep=200,lru_crawler_tocrawl=9,"
                + "hot_lru_pct=10,warm_lru_pct=50,hot_max_factor=0.5,warm_max_factor=3,temporary_ttl=30,"
                + "idle_timeout=60,track_sizes,read_buf_mem_limit=8,modern,inline_ascii_resp,"
                + "no_inline_ascii_resp,no_drop_privileges");
        assertThat(s.maxconnsFast).isFalse();
        assertThat(s.hashpowerInit).isEqualTo(20);
        assertThat(s.hashExpand).isFalse();
        assertThat(s.slabReassign).isFalse();
        assertThat(s.slabAutomove).isEqualTo(2);
        assertThat(s.slabAutomoveRatio).isEqualTo(0.5);
        assertThat(s.slabAutomoveWindow).isEqualTo(10);
        assertThat(s.slabAutomoveFreeratio).isEqualTo(0.05);
        assertThat(s.tailRepairTime).isEqualTo(30);
        assertThat(s.lruCrawler).isFalse();
        assertThat(s.lruCrawlerSleep).isEqualTo(200);
        assertThat(s.lruCrawlerTocrawl).isEqualTo(9);
        assertThat(s.hotLruPct).isEqualTo(10);
        assertThat(s.warmLruPct).isEqualTo(50);
        assertThat(s.hotMaxFactor).isEqualTo(0.5);
        assertThat(s.warmMaxFactor).isEqualTo(3.0);
        assertThat(s.tempLru).isTrue();
        assertThat(s.temporaryTtl).isEqualTo(30);
        assertThat(s.idleTimeout).isEqualTo(60);
        assertThat(s.trackSizes).isTrue();
        assertThat(s.readBufMemLimit).isEqualTo(8 << 20);
        assertThat(warnings).isEmpty();

        assertThat(parse("-o", "slab_automove").slabAutomove).isEqualTo(1);
        assertThat(parse("-o", "no_slab_automove").slabAutomove).isZero();
        assertThat(parse("-o", "no_lru_maintainer").lruSegmented).isFalse();
        assertThat(parse("-o", "lru_crawler,maxconns_fast,slab_reassign,lru_maintainer").lruCrawler).isTrue();
        assertThat(parse("-o", "").maxconnsFast).isTrue();
        assertThat(parse("-o", "track_sizes,").trackSizes).isTrue();
        assertThat(parse("-o", "track_sizes", "-o", "no_hashexpand").hashExpand).isFalse();
    }

    @Test
    void noModernRestoresMemcached14Defaults() throws UsageException {
        Settings s = parse("-o", "no_modern");
        assertThat(s.slabChunkSizeMax).isEqualTo(1 << 20);
        assertThat(s.slabReassign).isFalse();
        assertThat(s.slabAutomove).isZero();
        assertThat(s.maxconnsFast).isFalse();
        assertThat(s.lruSegmented).isFalse();
        assertThat(s.lruCrawler).isFalse();
        assertThat(s.lruMaintainer).isFalse();
    }

    @Test
    void deprecatedResponseObjectLimitWarnsLikeMemcached() throws UsageException {
        parse("-o", "resp_obj_mem_limit=5");
        assertThat(warnings).containsExactly("DEPRECATED: resp_obj_mem_limit no longer used. See read_buf_mem_limit,");
    }

    @Test
    void extendedOptionChecksAreMemcacheds() {
        assertError("Illegal suboption \"bogus\"", 1, "-o", "bogus");
        assertError("Illegal suboption \"bogus=1\"", 1, "-o", "bogus=1");
        assertError("Illegal suboption \"\"", 1, "-o", ",,track_sizes");
        assertError("Illegal suboption \"relaxed_privileges\"", 1, "-o", "relaxed_privileges");
        assertError("Initial hashtable multiplier of 5 is too low", 1, "-o", "hashpower=5");
        assertError("Initial hashtable multiplier of 33 is too high\n"
                + "Choose a value based on \"STAT hash_power_level\" from a running instance", 1, "-o", "hashpower=33");
        assertError("Missing numeric argument for hashpower", 1, "-o", "hashpower");
        assertError("slab_automove must be between 0 and 2", 1, "-o", "slab_automove=3");
        assertError("slab_automove_ratio must be > 0 and < 1", 1, "-o", "slab_automove_ratio=0");
        assertError("slab_automove_window must be > 2", 1, "-o", "slab_automove_window=2");
        assertError("Cannot set tail_repair_time to less than 10 seconds", 1, "-o", "tail_repair_time=5");
        assertError("LRU crawler sleep must be between 0 and 1 second", 1, "-o", "lru_crawler_sleep=-1");
        assertError("lru_crawler_tocrawl takes a numeric 32bit value", 1, "-o", "lru_crawler_tocrawl=x");
        assertError("hot_lru_pct must be > 1 and < 80", 1, "-o", "hot_lru_pct=80");
        assertError("hot_max_factor must be > 0", 1, "-o", "hot_max_factor=0");
        assertError("Missing temporary_ttl argument", 1, "-o", "temporary_ttl");
        assertError("Missing numeric argument for idle_timeout", 1, "-o", "idle_timeout");
        assertError("could not parse argument to read_buf_mem_limit", 1, "-o", "read_buf_mem_limit=x");
        assertError("hot_lru_pct + warm_lru_pct cannot be more than 80% combined", 64,
                "-o", "hot_lru_pct=50,warm_lru_pct=40");
        assertError("temporary_ttl requires lru_maintainer to be enabled", 64,
                "-o", "no_lru_maintainer,temporary_ttl=10");
        // memcached crashes on these two (SIGFPE, SIGSEGV) after printing the first line.
        assertError("could not parse argument to slab_chunk_max", 1, "-o", "slab_chunk_max=abc");
        assertError("Missing slab_chunk_max argument", 1, "-o", "slab_chunk_max");
    }

    @Test
    void unimplementedFeaturesAreRefusedByName() {
        assertError("-e/--memory-file: a restartable cache in a memory file is not supported by memfleet", 64,
                "-e", "/dev/shm/x");
        assertError("-W/--disable-watch: the watch command (live logging) is not supported by memfleet", 64, "-W");
        assertError("-i/--license: printing memcached's and libevent's licenses is not supported by memfleet", 64,
                "-i");
        assertError("-N/--napi-ids: NAPI ids is not supported by memfleet", 64, "-N", "2");
        assertError("-o ext_path: external storage (extstore) is not supported by memfleet", 64,
                "-o", "ext_path=/mnt/d1/extstore:1G");
        assertError("-o ext_item_size: external storage (extstore) is not supported by memfleet", 64,
                "-o", "ext_item_size=512");
        assertError("-o drop_privileges: seccomp privilege dropping is not supported by memfleet", 64,
                "-o", "drop_privileges");
        assertError("-o slab_sizes: explicit slab class sizes is not supported by memfleet", 64,
                "-o", "slab_sizes=100-200");
        assertError("-o watcher_logbuf_size: the watch command's log buffers is not supported by memfleet", 64,
                "-o", "watcher_logbuf_size=10");
        assertError("-o sock_cookie_id: socket cookies (SO_MARK) is not supported by memfleet", 64,
                "-o", "sock_cookie_id=5");
        assertError("-o hash_algorithm=jenkins is not supported by memfleet: it hashes keys with murmur3 only", 64,
                "-o", "hash_algorithm=jenkins");
    }

    @Test
    void replicationFlags() throws UsageException {
        Settings s = parse("-x", "10.0.0.2:11300,10.0.0.3", "-X", "11212:11213", "--min-acks=1",
                "--min-acks-timeout", "250", "--serve-while-syncing", "--node-id=7", "--repl-backlog-size=2m");
        assertThat(s.replicationPeers).containsExactly("10.0.0.2:11300", "10.0.0.3");
        assertThat(s.replicationPort).isEqualTo(11212);
        assertThat(s.replicationConnectPort).isEqualTo(11213);
        assertThat(s.minAcks).isEqualTo(1);
        assertThat(s.minAcksTimeoutMillis).isEqualTo(250);
        assertThat(s.serveWhileSyncing).isTrue();
        assertThat(s.nodeId).isEqualTo(7);
        assertThat(s.replBacklogSize).isEqualTo(2L << 20);
        assertThat(parse("--peer=10.0.0.2").replicationPort).isEqualTo(11212); // repcached's default
        assertThat(parse("-X", "11300").replicationPeers).isEmpty();
        assertThat(parse().replicating()).isFalse();
    }

    @Test
    void tlsFlags() throws UsageException {
        Settings s = parse("-Z", "-o", "ssl_chain_cert=/c.pem,ssl_key=/k.pem,ssl_ca_cert=/ca.pem,ssl_verify_mode=2,"
                + "ssl_min_version=tlsv1.3,ssl_ciphers=TLS_AES_128_GCM_SHA256");
        assertThat(s.sslEnabled).isTrue();
        assertThat(s.sslChainCert).isEqualTo("/c.pem");
        assertThat(s.sslKey).isEqualTo("/k.pem");
        assertThat(s.sslCaCert).isEqualTo("/ca.pem");
        assertThat(s.sslVerifyMode).isEqualTo(2);
        assertThat(s.sslMinVersion).isEqualTo("tlsv1.3");
        assertError("Invalid ssl_verify_mode. Use help to see valid options.", 64, "-o", "ssl_verify_mode=4");
        assertError("ERROR: You cannot enable SSL without a TCP port.", 64, "-Z", "-p", "0");
    }

    @Test
    void asciiAuthenticationFlags() throws UsageException {
        Settings s = parse("-Y", "/etc/memfleet/auth");
        assertThat(s.authFile).isEqualTo("/etc/memfleet/auth");
        assertThat(s.protocol).isEqualTo(Protocol.ASCII);
        assertError("Cannot use UDP with ascii authentication enabled (-U 0 to disable)", 64, "-Y", "/f", "-U", "11211");
    }

    @Test
    void replicationFlagErrors() {
        assertError("Invalid number for -X: \"x\"", 64, "-X", "x");
        assertError("-x needs a peer address, host[:port][,host[:port]...]: \"a,\"", 64, "-x", "a,");
        assertError("-C (no CAS) cannot be used with replication (-x/-X): versions travel as CAS values", 64,
                "-C", "-x", "10.0.0.2");
        assertError("--min-acks 2 needs at least that many peers in -x", 64, "-x", "10.0.0.2", "--min-acks=2");
        assertError("--node-id must be 0-255: \"256\"", 64, "--node-id=256");
        assertError("-x: invalid port in \"10.0.0.2:x\"", 64, "-x", "10.0.0.2:x");
        assertError("-x: invalid port in \"[::1]:70000\"", 64, "-x", "[::1]:70000");
        assertError("--repl-backlog-size must be 64k to 16g (bytes, or with a k/m/g suffix): \"1k\"", 64,
                "--repl-backlog-size=1k");
    }
}
