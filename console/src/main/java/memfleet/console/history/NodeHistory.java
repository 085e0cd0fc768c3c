package memfleet.console.history;

import java.util.ArrayDeque;
import java.util.Deque;
import memfleet.console.collect.NodeSample;
import memfleet.protocol.text.StatsReply;

/**
 * One node's memory: the last two samples (for rates), the samples inside the hit-ratio window, a ring at poll
 * resolution and a ring of bucket averages. {@link #record} is called by the collector, one sample at a time.
 */
final class NodeHistory {
    private final HistoryProperties properties;
    private final PointRing recent;
    private final PointRing buckets;
    private final Deque<long[]> hitWindow = new ArrayDeque<>();
    private NodeSample previousUp;
    private NodeSample lastUpSample;
    private volatile NodeStatus status;
    private long polls;
    private long bucketStart = -1;
    private final double[] bucketSum = new double[Series.values().length];
    private int bucketCount;

    NodeHistory(HistoryProperties properties, long intervalMillis) {
        this.properties = properties;
        int recentPoints = (int) Math.max(16, properties.recent().toMillis() / Math.max(1, intervalMillis) + 1);
        int bucketPoints = (int) Math.max(16, properties.retention().toMillis() / properties.bucket().toMillis() + 1);
        this.recent = new PointRing(recentPoints);
        this.buckets = new PointRing(bucketPoints);
    }

    synchronized NodeStatus record(NodeSample sample) {
        polls++;
        if (!sample.up()) {
            previousUp = null;
            hitWindow.clear();
            NodeStatus old = status;
            status = new NodeStatus(sample.node(), false, sample.error(), lastUpSample,
                    old == null ? 0 : old.lastUp(), Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, old == null ? Double.NaN : old.hitRatioLifetime(), polls);
            return status;
        }
        StatsReply s = sample.stats();
        NodeSample prev = previousUp;
        boolean restarted = prev != null && s.getLong("uptime", 0) < prev.stats().getLong("uptime", 0);
        double seconds = prev == null || restarted ? Double.NaN : (sample.time() - prev.time()) / 1000.0;
        double gets = rate(s, prev, "cmd_get", seconds);
        double sets = rate(s, prev, "cmd_set", seconds);
        double deletes = seconds > 0 ? (delta(s, prev, "delete_hits") + delta(s, prev, "delete_misses")) / seconds
                : Double.NaN;
        double evictions = rate(s, prev, "evictions", seconds);
        double in = rate(s, prev, "bytes_read", seconds);
        double out = rate(s, prev, "bytes_written", seconds);

        long hits = s.getLong("get_hits", 0);
        long misses = s.getLong("get_misses", 0);
        if (restarted) {
            hitWindow.clear();
        }
        hitWindow.addLast(new long[] {sample.time(), hits, misses});
        long windowStart = sample.time() - properties.hitRatioWindow().toMillis();
        while (hitWindow.size() > 2 && hitWindow.peekFirst()[0] < windowStart) {
            hitWindow.removeFirst();
        }
        long[] first = hitWindow.peekFirst();
        long dh = hits - first[1];
        long dm = misses - first[2];
        double window = dh + dm > 0 ? (double) dh / (dh + dm) : Double.NaN;
        double lifetime = hits + misses > 0 ? (double) hits / (hits + misses) : Double.NaN;

        previousUp = sample;
        lastUpSample = sample;
        status = new NodeStatus(sample.node(), true, null, sample, sample.time(), gets, sets, deletes, evictions, in,
                out, window, lifetime, polls);

        double[] point = new double[Series.values().length];
        point[Series.GETS_PER_SEC.ordinal()] = gets;
        point[Series.SETS_PER_SEC.ordinal()] = sets;
        point[Series.DELETES_PER_SEC.ordinal()] = deletes;
        point[Series.HIT_RATIO.ordinal()] = window;
        point[Series.EVICTIONS_PER_SEC.ordinal()] = evictions;
        point[Series.BYTES_READ_PER_SEC.ordinal()] = in;
        point[Series.BYTES_WRITTEN_PER_SEC.ordinal()] = out;
        point[Series.CONNECTIONS.ordinal()] = s.getLong("curr_connections", 0);
        point[Series.MEMORY_BYTES.ordinal()] = s.getLong("bytes", 0);
        point[Series.ITEMS.ordinal()] = s.getLong("curr_items", 0);
        point[Series.MEMORY_LIMIT_BYTES.ordinal()] = s.getLong("limit_maxbytes", 0);
        recent.add(sample.time(), point);
        addToBucket(sample.time(), point);
        return status;
    }

    private void addToBucket(long time, double[] point) {
        long size = properties.bucket().toMillis();
        long start = time - time % size;
        if (bucketStart >= 0 && start != bucketStart && bucketCount > 0) {
            double[] avg = new double[bucketSum.length];
            for (int i = 0; i < avg.length; i++) {
                avg[i] = bucketSum[i] / bucketCount;
            }
            buckets.add(bucketStart, avg);
            java.util.Arrays.fill(bucketSum, 0);
            bucketCount = 0;
        }
        bucketStart = start;
        boolean complete = true;
        for (double v : point) {
            complete &= !Double.isNaN(v);
        }
        if (complete) {
            for (int i = 0; i < point.length; i++) {
                bucketSum[i] += point[i];
            }
            bucketCount++;
        }
    }

    NodeStatus status() {
        return status;
    }

    /** Bucket averages older than the recent ring, then the recent points, all since {@code since}. */
    PointRing.Points points(long since) {
        PointRing.Points r = recent.since(since);
        long recentStart = r.times().length > 0 ? r.times()[0] : Long.MAX_VALUE;
        PointRing.Points b = buckets.since(since);
        int older = 0;
        while (older < b.times().length && b.times()[older] < recentStart - properties.bucket().toMillis()) {
            older++;
        }
        long[] t = new long[older + r.times().length];
        double[][] v = new double[t.length][];
        System.arraycopy(b.times(), 0, t, 0, older);
        System.arraycopy(b.values(), 0, v, 0, older);
        System.arraycopy(r.times(), 0, t, older, r.times().length);
        System.arraycopy(r.values(), 0, v, older, r.values().length);
        return new PointRing.Points(t, v);
    }

    private static double rate(StatsReply s, NodeSample prev, String name, double seconds) {
        return seconds > 0 ? delta(s, prev, name) / seconds : Double.NaN;
    }

    private static long delta(StatsReply s, NodeSample prev, String name) {
        return Math.max(0, s.getLong(name, 0) - prev.stats().getLong(name, 0));
    }
}
