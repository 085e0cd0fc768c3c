package memfleet.node.it.parity;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.TextConnection;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The names of the general {@code stats} group, in order, are memcached's under each set of options: memcached
 * leaves out the figures of what its options turn off ({@code rejected_connections} without maxconns_fast, the
 * {@code slab_reassign_*} without slab_reassign, {@code lru_crawler_*} without the crawler, the LRU maintainer's
 * {@code lru_maintainer_juggles}, {@code evicted_active} and {@code moves_*} without it) and adds {@code
 * idle_kicks} with an idle timeout. Each case starts memcached and the node with the same options.
 */
@ServerTest(sideBySide = true)
@Timeout(value = 60, unit = SECONDS)
class StatsNamesIT {
    private final ServerRun run;

    StatsNamesIT(ServerRun run) {
        this.run = run;
    }

    private List<String> names(String kind, String options) {
        List<String> args = new ArrayList<>(List.of("-m", "64"));
        if (!options.isEmpty()) {
            args.addAll(List.of(options.split(" ")));
        }
        try (ServerProcess server = run.startOf(kind, args.toArray(String[]::new));
                TextConnection c = new TextConnection(server)) {
            List<String> names = new ArrayList<>();
            for (String line : c.send("stats\r\n").readUntil("END\r\n").split("\r\n")) {
                if (line.startsWith("STAT ")) {
                    names.add(line.split(" ")[1]);
                }
            }
            return names;
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "-o no_slab_reassign", "-o no_lru_maintainer", "-o no_lru_maintainer,no_lru_crawler",
            "-o no_maxconns_fast", "-o no_modern", "-o idle_timeout=10"})
    void theGeneralGroupHasMemcachedsNamesInItsOrder(String options) {
        List<String> memcached = names("memcached", options);
        assertThat(memcached).isNotEmpty();
        assertThat(names("memfleet", options)).isEqualTo(memcached);
    }
}
