package memfleet.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code -h} lists what the command line accepts, and nothing it refuses. */
class HelpTest {
    private static final Pattern SHORT_FLAG = Pattern.compile("(?m)^-([A-Za-z])\\b");
    private static final Pattern LONG_FLAG = Pattern.compile("--([a-z-]+)");
    private static final Pattern SUBOPTION = Pattern.compile("(?m)^   - ([a-z_0-9]+):");

    /** A valid value for each suboption that needs one. */
    private static final Map<String, String> SUBOPTION_VALUES = Map.ofEntries(
            Map.entry("hashpower", "16"), Map.entry("tail_repair_time", "30"),
            Map.entry("hash_algorithm", "murmur3"), Map.entry("lru_crawler_sleep", "100"),
            Map.entry("lru_crawler_tocrawl", "0"), Map.entry("read_buf_mem_limit", "1"),
            Map.entry("hot_lru_pct", "20"), Map.entry("warm_lru_pct", "40"), Map.entry("hot_max_factor", "0.2"),
            Map.entry("warm_max_factor", "2.0"), Map.entry("temporary_ttl", "61"), Map.entry("idle_timeout", "0"),
            Map.entry("slab_chunk_max", "524288"), Map.entry("slab_automove", "1"),
            Map.entry("slab_automove_ratio", "0.8"), Map.entry("slab_automove_window", "30"),
            Map.entry("slab_automove_freeratio", "0.01"), Map.entry("ssl_chain_cert", "/c.pem"),
            Map.entry("ssl_key", "/k.pem"), Map.entry("ssl_verify_mode", "1"), Map.entry("ssl_ca_cert", "/ca.pem"),
            Map.entry("ssl_ciphers", "TLS_AES_128_GCM_SHA256"), Map.entry("ssl_min_version", "tlsv1.2"),
            Map.entry("ssl_wbuf_size", "16"));

    @Test
    void firstLineNamesMemfleetAndTheMemcachedItFollows() {
        assertThat(Help.text().lines().findFirst().orElseThrow())
                .startsWith("memfleet ")
                .endsWith(" (memcached 1.6.18 compatible)");
    }

    @Test
    void listsExactlyTheShortFlagsMemfleetImplements() {
        Set<String> listed = new LinkedHashSet<>();
        Matcher m = SHORT_FLAG.matcher(Help.text());
        while (m.find()) {
            listed.add(m.group(1));
        }
        assertThat(listed).containsExactlyInAnyOrder("p", "U", "s", "a", "A", "l", "d", "r", "u", "m", "M", "c",
                "k", "v", "h", "V", "P", "f", "n", "L", "D", "t", "R", "C", "b", "B", "I", "S", "F", "o", "x", "X", "Y", "Z");
    }

    @Test
    void everyListedLongFlagIsAccepted() {
        Matcher m = LONG_FLAG.matcher(Help.text());
        int seen = 0;
        while (m.find()) {
            CommandLine.Flag flag = null;
            for (CommandLine.Flag f : CommandLine.Flag.values()) {
                if (m.group(1).equals(f.longName)) {
                    flag = f;
                }
            }
            assertThat(flag).as("--%s", m.group(1)).isNotNull();
            assertThat(flag.ordinal()).as("--%s is implemented", m.group(1))
                    .isLessThan(CommandLine.Flag.LICENSE.ordinal());
            seen++;
        }
        assertThat(seen).isGreaterThan(25);
    }

    @Test
    void everyListedSuboptionIsAccepted() {
        Matcher m = SUBOPTION.matcher(Help.text());
        int seen = 0;
        while (m.find()) {
            String name = m.group(1);
            String value = SUBOPTION_VALUES.get(name);
            String option = value == null ? name : name + "=" + value;
            assertThatCode(() -> CommandLine.parse(new String[] {"-o", option}, w -> { }))
                    .as("-o %s", option).doesNotThrowAnyException();
            seen++;
        }
        assertThat(seen).isGreaterThan(20);
    }

    @Test
    void refusedFeaturesAreNotListed() {
        String help = Help.text();
        for (String refused : new String[] {"-e,", "-W ", "-i,", "-N,",
                "ext_", "memory-file", "napi", "license", "watcher_logbuf_size",
                "slab_sizes", "jenkins", "xxh3", "notls"}) {
            assertThat(help).as(refused).doesNotContain(refused);
        }
    }

    @Test
    void versionIsMemcachedsLine() {
        assertThat(Help.version()).isEqualTo("memcached 1.6.18");
    }
}
