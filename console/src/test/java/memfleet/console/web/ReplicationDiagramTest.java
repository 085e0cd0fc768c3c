package memfleet.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import memfleet.console.fleet.NodeAddress;
import memfleet.protocol.text.ReplicationStats;
import org.junit.jupiter.api.Test;

class ReplicationDiagramTest {
    private static ReplicationStats.Peer peer(int nodeId, String link, long lagOps, ReplicationStats.Copy copy) {
        return new ReplicationStats.Peer("10.0.0." + nodeId + ":11212", nodeId, link, 0, 0, lagOps, 0, 7, 0, 0, 0, null,
                copy, ReplicationStats.Round.NONE);
    }

    /** A group of {@code n} nodes, node ids 1..n, each linked to every other with {@code link}. */
    private static List<ReplicationPage.NodeRow> group(int n, String link) {
        Map<Integer, String> byId = new java.util.HashMap<>();
        for (int i = 1; i <= n; i++) {
            byId.put(i, "node" + i + ":11211");
        }
        List<ReplicationPage.NodeRow> rows = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            List<ReplicationStats.Peer> peers = new ArrayList<>();
            for (int j = 1; j <= n; j++) {
                if (j != i) {
                    peers.add(peer(j, link, i, ReplicationStats.Copy.NONE));
                }
            }
            rows.add(new ReplicationPage.NodeRow(NodeAddress.parse("node" + i + ":11211"), true,
                    new ReplicationStats(true, i, "in_sync", "", 0, 0, 0, 0, 0, 0, 0, peers), Map.copyOf(byId)));
        }
        return rows;
    }

    private static boolean inside(ReplicationDiagram.Box b, double x, double y) {
        return x >= b.x() && x <= b.x() + b.w() && y >= b.y() && y <= b.y() + b.h();
    }

    @Test
    void aGroupOfThreeHasABoxPerNodeAndAnArrowPerStreamOutsideTheBoxes() {
        ReplicationDiagram d = ReplicationDiagram.of(group(3, "up"));
        assertThat(d.boxes()).extracting(ReplicationDiagram.Box::node)
                .containsExactly("node1:11211", "node2:11211", "node3:11211");
        assertThat(d.arrows()).hasSize(6).allMatch(a -> a.css().equals("link-up"));
        // node 1's stream to node 3 reports node 1's lag to it (lag ops = the writer's index here)
        assertThat(d.arrows()).filteredOn(a -> a.from().equals("node1:11211") && a.to().equals("node3:11211"))
                .singleElement().extracting(ReplicationDiagram.Arrow::label).isEqualTo("lag 1 ops · 7 ms");
        for (ReplicationDiagram.Arrow a : d.arrows()) {
            for (ReplicationDiagram.Box b : d.boxes()) {
                assertThat(inside(b, Double.parseDouble(a.x1()), Double.parseDouble(a.y1()))).isFalse();
                assertThat(inside(b, Double.parseDouble(a.x2()), Double.parseDouble(a.y2()))).isFalse();
            }
        }
        for (ReplicationDiagram.Box b : d.boxes()) {
            assertThat(b.x()).isGreaterThanOrEqualTo(0);
            assertThat(b.x() + b.w()).isLessThanOrEqualTo(d.width());
            assertThat(b.y()).isGreaterThanOrEqualTo(0);
            assertThat(b.y() + b.h()).isLessThanOrEqualTo(d.height());
        }
    }

    @Test
    void aRunningCopyShowsItsProgressAndADownLinkItsState() {
        List<ReplicationPage.NodeRow> rows = group(2, "up");
        ReplicationStats.Copy copy = new ReplicationStats.Copy("receiving", 250, 1000, 0, 0, 0, 0, 9000);
        rows.set(1, new ReplicationPage.NodeRow(rows.get(1).node(), true, new ReplicationStats(true, 2, "syncing", "", 0, 0,
                0, 0, 0, 0, 0, List.of(peer(1, "syncing", 0, copy))), rows.get(1).group()));
        rows.set(0, new ReplicationPage.NodeRow(rows.get(0).node(), true, new ReplicationStats(true, 1, "degraded", "", 0, 0,
                0, 0, 0, 0, 0, List.of(peer(2, "down", 0, ReplicationStats.Copy.NONE))), rows.get(0).group()));
        ReplicationDiagram d = ReplicationDiagram.of(rows);
        assertThat(d.arrows()).filteredOn(a -> a.from().equals("node1:11211")).singleElement()
                .satisfies(a -> assertThat(a.label()).isEqualTo("copy 25 % · 9 s left"))
                .satisfies(a -> assertThat(a.css()).isEqualTo("link-syncing"));
        assertThat(d.arrows()).filteredOn(a -> a.from().equals("node2:11211")).singleElement()
                .satisfies(a -> assertThat(a.label()).isEqualTo("down"))
                .satisfies(a -> assertThat(a.css()).isEqualTo("link-down"));
        assertThat(d.boxes()).extracting(ReplicationDiagram.Box::css).containsExactly("node-degraded", "node-syncing");
    }
}
