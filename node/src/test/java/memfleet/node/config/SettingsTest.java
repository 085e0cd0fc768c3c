package memfleet.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code stats settings} against memcached 1.6.18: the expected texts below are what the real one answered
 * (Debian's {@code /usr/bin/memcached}), captured with the command lines in each test.
 */
class SettingsTest {
    /** {@code memcached -u root -p 22190 -U 0 -l 127.0.0.1}, then {@code stats settings}. */
    private static final String MEMCACHED_DEFAULTS = """
            STAT maxbytes 67108864
            STAT maxconns 1024
            STAT tcpport 22190
            STAT udpport 0
            STAT inter 127.0.0.1
            STAT verbosity 0
            STAT oldest 0
            STAT evictions on
            STAT domain_socket NULL
            STAT umask 700
            STAT shutdown_command no
            STAT growth_factor 1.25
            STAT chunk_size 48
            STAT num_threads 4
            STAT num_threads_per_udp 4
            STAT stat_key_prefix :
            STAT detail_enabled no
            STAT reqs_per_event 20
            STAT cas_enabled yes
            STAT tcp_backlog 1024
            STAT binding_protocol auto-negotiate
            STAT auth_enabled_sasl no
            STAT auth_enabled_ascii no
            STAT item_size_max 1048576
            STAT maxconns_fast yes
            STAT hashpower_init 0
            STAT slab_reassign yes
            STAT slab_automove 1
            STAT slab_automove_ratio 0.80
            STAT slab_automove_window 30
            STAT slab_chunk_max 524288
            STAT lru_crawler yes
            STAT lru_crawler_sleep 100
            STAT lru_crawler_tocrawl 0
            STAT tail_repair_time 0
            STAT flush_enabled yes
            STAT dump_enabled yes
            STAT hash_algorithm murmur3
            STAT lru_maintainer_thread yes
            STAT lru_segmented yes
            STAT hot_lru_pct 20
            STAT warm_lru_pct 40
            STAT hot_max_factor 0.20
            STAT warm_max_factor 2.00
            STAT temp_lru no
            STAT temporary_ttl 61
            STAT idle_timeout 0
            STAT watcher_logbuf_size 262144
            STAT worker_logbuf_size 65536
            STAT read_buf_mem_limit 0
            STAT track_sizes no
            STAT inline_ascii_response no
            STAT ext_item_size 512
            STAT ext_item_age 4294967295
            STAT ext_low_ttl 0
            STAT ext_recache_rate 2000
            STAT ext_wbuf_size 4194304
            STAT ext_compact_under 0
            STAT ext_drop_under 0
            STAT ext_max_sleep 1000000
            STAT ext_max_frag 0.80
            STAT slab_automove_freeratio 0.010
            STAT ext_drop_unread no
            STAT ssl_enabled no
            STAT ssl_chain_cert (null)
            STAT ssl_key (null)
            STAT ssl_verify_mode 0
            STAT ssl_keyformat 1
            STAT ssl_ciphers NULL
            STAT ssl_ca_cert NULL
            STAT ssl_wbuf_size 16384
            STAT ssl_session_cache no
            STAT ssl_kernel_tls no
            STAT ssl_min_version tlsv1.2
            STAT num_napi_ids (null)
            STAT memory_file (null)
            """;

    /**
     * {@code memcached -u root -U 0 -p 22191 -l 127.0.0.1,::1 -m 128 -M -c 500 -t 8 -R 10 -C -b 512 -B ascii -I 2m
     * -F -X -A -D / -f 1.5 -n 96 -a 755 -o temporary_ttl=30,hot_lru_pct=10,warm_lru_pct=30,idle_timeout=5,
     * tail_repair_time=20,track_sizes,read_buf_mem_limit=3,lru_crawler_tocrawl=7,lru_crawler_sleep=50,
     * slab_automove=2,slab_automove_ratio=0.5,slab_automove_window=10,hashpower=16,hot_max_factor=0.33,
     * warm_max_factor=1.5,no_maxconns_fast,slab_chunk_max=262144,no_hashexpand,slab_automove_freeratio=0.02 -vv}.
     */
    private static final String MEMCACHED_CUSTOM = """
            STAT maxbytes 134217728
            STAT maxconns 500
            STAT tcpport 22191
            STAT udpport 0
            STAT inter 127.0.0.1,::1
            STAT verbosity 2
            STAT oldest 0
            STAT evictions off
            STAT domain_socket NULL
            STAT umask 755
            STAT shutdown_command yes
            STAT growth_factor 1.50
            STAT chunk_size 96
            STAT num_threads 8
            STAT num_threads_per_udp 1
            STAT stat_key_prefix /
            STAT detail_enabled yes
            STAT reqs_per_event 10
            STAT cas_enabled no
            STAT tcp_backlog 512
            STAT binding_protocol ascii
            STAT auth_enabled_sasl no
            STAT auth_enabled_ascii no
            STAT item_size_max 2097152
            STAT maxconns_fast no
            STAT hashpower_init 16
            STAT slab_reassign yes
            STAT slab_automove 2
            STAT slab_automove_ratio 0.50
            STAT slab_automove_window 10
            STAT slab_chunk_max 262144
            STAT lru_crawler yes
            STAT lru_crawler_sleep 50
            STAT lru_crawler_tocrawl 7
            STAT tail_repair_time 20
            STAT flush_enabled no
            STAT dump_enabled no
            STAT hash_algorithm murmur3
            STAT lru_maintainer_thread yes
            STAT lru_segmented yes
            STAT hot_lru_pct 10
            STAT warm_lru_pct 30
            STAT hot_max_factor 0.33
            STAT warm_max_factor 1.50
            STAT temp_lru yes
            STAT temporary_ttl 30
            STAT idle_timeout 5
            STAT watcher_logbuf_size 262144
            STAT worker_logbuf_size 65536
            STAT read_buf_mem_limit 3145728
            STAT track_sizes yes
            STAT inline_ascii_response no
            STAT ext_item_size 512
            STAT ext_item_age 4294967295
            STAT ext_low_ttl 0
            STAT ext_recache_rate 2000
            STAT ext_wbuf_size 4194304
            STAT ext_compact_under 0
            STAT ext_drop_under 0
            STAT ext_max_sleep 1000000
            STAT ext_max_frag 0.80
            STAT slab_automove_freeratio 0.020
            STAT ext_drop_unread no
            STAT ssl_enabled no
            STAT ssl_chain_cert (null)
            STAT ssl_key (null)
            STAT ssl_verify_mode 0
            STAT ssl_keyformat 1
            STAT ssl_ciphers NULL
            STAT ssl_ca_cert NULL
            STAT ssl_wbuf_size 16384
            STAT ssl_session_cache no
            STAT ssl_kernel_tls no
            STAT ssl_min_version tlsv1.2
            STAT num_napi_ids (null)
            STAT memory_file (null)
            """;

    static String statsSettings(Settings s, long oldest) {
        StringBuilder sb = new StringBuilder();
        s.describe(oldest, (name, value) -> sb.append("STAT ").append(name).append(' ').append(value).append('\n'));
        return sb.toString();
    }

    static List<String> names(String statsText) {
        List<String> names = new ArrayList<>();
        for (String line : statsText.split("\n")) {
            if (line.startsWith("STAT ")) {
                names.add(line.split(" ")[1]);
            }
        }
        return names;
    }

    @Test
    void describeListsMemcachedsFieldsInItsOrder() {
        assertThat(names(statsSettings(new Settings(), 0))).containsExactlyElementsOf(names(MEMCACHED_DEFAULTS));
    }

    @Test
    void defaultsPrintWhatMemcachedPrints() throws UsageException {
        Settings s = CommandLine.parse(new String[] {"-u", "root", "-p", "22190", "-U", "0", "-l", "127.0.0.1"});
        assertThat(statsSettings(s, 0)).isEqualTo(MEMCACHED_DEFAULTS);
    }

    @Test
    void everySettableValuePrintsWhatMemcachedPrints() throws UsageException {
        // memcached's -X (disable dumping) is --disable-dumping in memfleet.
        Settings s = CommandLine.parse(("-u root -U 0 -p 22191 -l 127.0.0.1,::1 -m 128 -M -c 500 -t 8 -R 10 -C -b 512"
                + " -B ascii -I 2m -F --disable-dumping -A -D / -f 1.5 -n 96 -a 755 -o temporary_ttl=30,hot_lru_pct=10,"
                + "warm_lru_pct=30,idle_timeout=5,tail_repair_time=20,track_sizes,read_buf_mem_limit=3,"
                + "lru_crawler_tocrawl=7,lru_crawler_sleep=50,slab_automove=2,slab_automove_ratio=0.5,"
                + "slab_automove_window=10,hashpower=16,hot_max_factor=0.33,warm_max_factor=1.5,no_maxconns_fast,"
                + "slab_chunk_max=262144,no_hashexpand,slab_automove_freeratio=0.02 -vv").split(" "));
        assertThat(statsSettings(s, 0)).isEqualTo(MEMCACHED_CUSTOM);
    }

    @Test
    void oldestAndRuntimeChangesShowUp() {
        Settings s = new Settings();
        s.verbose = 3;
        s.maxBytes = 5L << 30;
        s.socketPath = "/run/memfleet.sock";
        assertThat(statsSettings(s, 1234)).contains("STAT oldest 1234\n", "STAT verbosity 3\n",
                "STAT maxbytes 5368709120\n", "STAT domain_socket /run/memfleet.sock\n");
    }

    @Test
    void decimalsIgnoreTheDefaultLocale() {
        java.util.Locale before = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            assertThat(statsSettings(new Settings(), 0)).contains("STAT growth_factor 1.25\n");
        } finally {
            java.util.Locale.setDefault(before);
        }
    }

    @Test
    void listenEntriesSplitLikeMemcached() {
        assertThat(Settings.parseListenEntry("127.0.0.1", 11211))
                .isEqualTo(InetSocketAddress.createUnresolved("127.0.0.1", 11211));
        assertThat(Settings.parseListenEntry("127.0.0.1:22403", 11211))
                .isEqualTo(InetSocketAddress.createUnresolved("127.0.0.1", 22403));
        assertThat(Settings.parseListenEntry("::1", 11211)).isEqualTo(InetSocketAddress.createUnresolved("::1", 11211));
        assertThat(Settings.parseListenEntry("[::1]", 11211)).isEqualTo(InetSocketAddress.createUnresolved("::1", 11211));
        assertThat(Settings.parseListenEntry("[::1]:22404", 11211))
                .isEqualTo(InetSocketAddress.createUnresolved("::1", 22404));
        assertThat(Settings.parseListenEntry("localhost:1", 11211))
                .isEqualTo(InetSocketAddress.createUnresolved("localhost", 1));
        assertThat(Settings.parseListenEntry("*", 7)).isEqualTo(InetSocketAddress.createUnresolved("", 7));
        assertThatThrownBy(() -> Settings.parseListenEntry("[::1", 1)).hasMessage("Invalid IPV6 address: \"[::1\"");
        assertThatThrownBy(() -> Settings.parseListenEntry("127.0.0.1:abc", 1))
                .hasMessage("Invalid port number: \"abc\"");
    }

    @Test
    void listenAddressesResolveWithTheirOwnOrTheGivenPort() {
        Settings s = new Settings();
        assertThat(s.listenAddresses(11211)).containsExactly(new InetSocketAddress(11211));
        s.listen.addAll(List.of("127.0.0.1", "[::1]:9", "*"));
        List<InetSocketAddress> addresses = s.listenAddresses(11211);
        assertThat(addresses).hasSize(3);
        assertThat(addresses.get(0).getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(addresses.get(0).getPort()).isEqualTo(11211);
        assertThat(addresses.get(1).getAddress().isLoopbackAddress()).isTrue();
        assertThat(addresses.get(1).getPort()).isEqualTo(9);
        assertThat(addresses.get(2).getAddress().isAnyLocalAddress()).isTrue();
    }
}
