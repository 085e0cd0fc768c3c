package memfleet.node.it.basics;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.TextConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code stats hotkeys}, memfleet's own group: the keys hit most, from each worker's sample of one get hit in
 * {@code --hot-keys-sample} (16 by default), as {@code STAT hot_<rank> <key> <estimated hits> <error bound>},
 * keys URL-encoded; misses are not hits; {@code --hot-keys-sample=0} samples nothing.
 */
@ServerTest(kinds = "memfleet", shared = false)
@Timeout(value = 60, unit = SECONDS)
class HotKeysIT {
    private final ServerRun run;

    HotKeysIT(ServerRun run) {
        this.run = run;
    }

    private static List<String> hotLines(TextConnection c) {
        List<String> lines = new ArrayList<>();
        for (String line : c.send("stats hotkeys\r\n").readUntil("END\r\n").split("\r\n")) {
            if (line.startsWith("STAT hot_")) {
                lines.add(line);
            }
        }
        return lines;
    }

    @Test
    void theMostHitKeysComeFirstWithTheirEstimatedHits() {
        ServerProcess node = run.start("-t", "1");
        try (TextConnection c = new TextConnection(node)) {
            for (String k : List.of("hot", "warm", "cool", "odd%key")) {
                assertThat(c.send("set " + k + " 0 0 1\r\nv\r\n").readLine()).isEqualTo("STORED\r\n");
            }
            StringBuilder gets = new StringBuilder();
            for (int i = 0; i < 3200; i++) {
                gets.append("get hot\r\n");
                if (i % 2 == 0) {
                    gets.append("get warm\r\n");
                }
                if (i % 4 == 0) {
                    gets.append("get cool\r\nget odd%key\r\nget missing\r\n");
                }
            }
            gets.append("version\r\n");
            assertThat(c.send(gets.toString()).readUntil("\r\nVERSION ")).contains("VALUE hot 0 1");
            c.readLine();
            String all = c.send("stats hotkeys\r\n").readUntil("END\r\n");
            assertThat(all).startsWith("STAT sample_rate 16\r\nSTAT half_life_seconds 10\r\n");
            List<String> hot = hotLines(c);
            assertThat(hot).hasSize(4);
            assertThat(hot.get(0)).matches("STAT hot_1 hot \\d+ \\d+");
            assertThat(hot.get(1)).matches("STAT hot_2 warm \\d+ \\d+");
            assertThat(hot.subList(2, 4)).anyMatch(l -> l.matches("STAT hot_[34] odd%25key \\d+ \\d+"))
                    .anyMatch(l -> l.matches("STAT hot_[34] cool \\d+ \\d+"));
            long hotHits = Long.parseLong(hot.get(0).split(" ")[3]);
            // one hit in 16, at random, is counted, times 16: 3,200 true hits give 3,200 with a deviation of 220
            assertThat(hotHits).isBetween(3200L - 900, 3200L + 900);
            assertThat(String.join("\n", hot)).doesNotContain("missing");
        }
    }

    @Test
    void sampleZeroListsNothing() {
        ServerProcess node = run.start("--hot-keys-sample=0");
        try (TextConnection c = new TextConnection(node)) {
            assertThat(c.send("set k 0 0 1\r\nv\r\nget k\r\n").readUntil("END\r\n")).contains("VALUE k 0 1");
            assertThat(c.send("stats hotkeys\r\n").readUntil("END\r\n"))
                    .isEqualTo("STAT sample_rate 0\r\nSTAT half_life_seconds 10\r\nEND\r\n");
        }
    }
}
