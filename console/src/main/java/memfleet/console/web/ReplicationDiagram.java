package memfleet.console.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import memfleet.protocol.text.ReplicationStats;

/**
 * A group drawn as the Replication page's SVG (rendered on the server, so it needs no script): each node a
 * box on a circle with its state, each stream an arrow from the node that writes it to the node that
 * applies it, labelled with that stream's lag (ops and ms, as the writer reports it) or, while a full copy
 * runs, its progress and time left, and coloured by the state of the receiving node's link.
 */
public record ReplicationDiagram(int width, int height, List<Box> boxes, List<Arrow> arrows) {
    static final int WIDTH = 560;
    static final double BOX_W = 170;
    static final double BOX_H = 46;

    /** A node: top-left corner, its name, its state line, and the CSS class its state gives it. */
    public record Box(String node, double x, double y, double w, double h, String state, String css) {
        public double textX() {
            return x + w / 2;
        }
    }

    /** A stream from {@code from} to {@code to}: the line, the label's anchor and text, the CSS class. */
    public record Arrow(String from, String to, String x1, String y1, String x2, String y2, String lx, String ly,
                        String label, String css) {
    }

    static ReplicationDiagram of(List<ReplicationPage.NodeRow> rows) {
        int n = rows.size();
        int height = n <= 2 ? 110 : 380;
        double cx = WIDTH / 2.0;
        double cy = height / 2.0;
        double r = n <= 1 ? 0 : n == 2 ? 170 : Math.min(WIDTH, height) / 2.0 - BOX_H;
        List<Box> boxes = new ArrayList<>();
        double[][] centre = new double[n][];
        for (int i = 0; i < n; i++) {
            // two nodes side by side, more on a circle starting at the top
            double a = n == 2 ? Math.PI * i : -Math.PI / 2 + 2 * Math.PI * i / n;
            centre[i] = new double[] {cx + r * Math.cos(a), cy + r * Math.sin(a)};
            ReplicationPage.NodeRow row = rows.get(i);
            String state = !row.up() ? "down" : !row.replication().enabled() ? "not replicating" : row.replication().state();
            boxes.add(new Box(row.node().id(), centre[i][0] - BOX_W / 2, centre[i][1] - BOX_H / 2, BOX_W, BOX_H, state,
                    "node-" + state.replace(' ', '-')));
        }
        List<Arrow> arrows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ReplicationPage.NodeRow from = rows.get(i);
            for (ReplicationStats.Peer p : from.replication().peers()) {
                int j = indexOf(rows, from.peerNode(p));
                if (j < 0 || j == i) {
                    continue;
                }
                // the stream from i to j is applied by j's link to i: its state colours the arrow
                ReplicationStats.Peer back = linkTo(rows.get(j), from.node().id());
                String link = back != null ? back.link() : "unknown";
                // a full copy from i to j: j receiving from i, or i sending to j (whichever end reports it)
                ReplicationStats.Copy copy = back != null && back.copy().state().equals("receiving") ? back.copy()
                        : p.copy().state().equals("sending") ? p.copy() : null;
                String label = copy != null
                        ? String.format(Locale.ROOT, "copy %.0f %% · %d s left", copy.percent(), copy.etaMillis() / 1000)
                        : link.equals("up") ? "lag " + p.lagOps() + " ops · " + p.lagMs() + " ms" : link;
                arrows.add(arrow(from.node().id(), rows.get(j).node().id(), centre[i], centre[j], label,
                        "link-" + (copy != null ? "syncing" : link)));
            }
        }
        return new ReplicationDiagram(WIDTH, height, List.copyOf(boxes), List.copyOf(arrows));
    }

    private static int indexOf(List<ReplicationPage.NodeRow> rows, String node) {
        for (int i = 0; node != null && i < rows.size(); i++) {
            if (rows.get(i).node().id().equals(node)) {
                return i;
            }
        }
        return -1;
    }

    private static ReplicationStats.Peer linkTo(ReplicationPage.NodeRow row, String node) {
        for (ReplicationStats.Peer p : row.replication().peers()) {
            if (node.equals(row.peerNode(p))) {
                return p;
            }
        }
        return null;
    }

    /**
     * The line from box {@code a} to box {@code b}, cut at both boxes' edges and moved a little to its left,
     * so that the two streams of a pair run side by side instead of on top of each other.
     */
    private static Arrow arrow(String from, String to, double[] a, double[] b, String label, String css) {
        double dx = b[0] - a[0];
        double dy = b[1] - a[1];
        double len = Math.hypot(dx, dy);
        double ux = dx / len;
        double uy = dy / len;
        // how far along the line the box's edge is, from its centre
        double edge = Math.min(Math.abs(ux) < 1e-9 ? Double.MAX_VALUE : (BOX_W / 2 + 6) / Math.abs(ux),
                Math.abs(uy) < 1e-9 ? Double.MAX_VALUE : (BOX_H / 2 + 6) / Math.abs(uy));
        double ox = uy * 9;
        double oy = -ux * 9;
        double x1 = a[0] + ux * edge + ox;
        double y1 = a[1] + uy * edge + oy;
        double x2 = b[0] - ux * edge + ox;
        double y2 = b[1] - uy * edge + oy;
        double lx = (x1 + x2) / 2 + ox * 1.6;
        double ly = (y1 + y2) / 2 + oy * 1.6 + 4;
        return new Arrow(from, to, f(x1), f(y1), f(x2), f(y2), f(lx), f(ly), label, css);
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
