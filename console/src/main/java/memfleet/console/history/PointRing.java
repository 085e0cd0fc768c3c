package memfleet.console.history;

import java.util.Arrays;

/**
 * A fixed-size ring of timestamped points, one double per {@link Series}: the oldest point is overwritten when
 * it is full. Synchronized, as the collector writes while pages read.
 */
final class PointRing {
    private final long[] times;
    private final double[][] values;
    private int next;
    private int size;

    PointRing(int capacity) {
        times = new long[capacity];
        values = new double[capacity][];
    }

    synchronized void add(long time, double[] point) {
        times[next] = time;
        values[next] = point.clone();
        next = (next + 1) % times.length;
        if (size < times.length) {
            size++;
        }
    }

    /** Points with {@code time >= since}, oldest first, as {@code [times, series...]}. */
    synchronized Points since(long since) {
        int start = (next - size + times.length) % times.length;
        long[] t = new long[size];
        double[][] v = new double[size][];
        int n = 0;
        for (int i = 0; i < size; i++) {
            int idx = (start + i) % times.length;
            if (times[idx] >= since) {
                t[n] = times[idx];
                v[n] = values[idx];
                n++;
            }
        }
        return new Points(Arrays.copyOf(t, n), Arrays.copyOf(v, n));
    }

    /** A run of points: {@code times[i]} in ms, {@code values[i][series.ordinal()]}. */
    record Points(long[] times, double[][] values) {
    }
}
