package memfleet.console.history;

import memfleet.console.collect.NodeSample;
import memfleet.console.fleet.NodeAddress;

/**
 * A node as the fleet page shows it: the latest sample plus rates over the last poll and the hit ratio over
 * the configured window. Rates are NaN until two samples exist; a down node keeps its last sample so its
 * settings stay visible.
 */
public record NodeStatus(NodeAddress node, boolean up, String error, NodeSample latest, long lastUp,
                         double getsPerSec, double setsPerSec, double deletesPerSec, double evictionsPerSec,
                         double bytesReadPerSec, double bytesWrittenPerSec, double hitRatioWindow,
                         double hitRatioLifetime, long polls) {

    public long stat(String name) {
        return latest == null || latest.stats() == null ? -1 : latest.stats().getLong(name, -1);
    }

    public String statText(String name) {
        return latest == null || latest.stats() == null ? null : latest.stats().get(name);
    }

    public long setting(String name) {
        return latest == null || latest.settings() == null ? -1 : latest.settings().getLong(name, -1);
    }

    /** Used memory over {@code limit_maxbytes}, or NaN. */
    public double memoryRatio() {
        long used = stat("bytes");
        long limit = stat("limit_maxbytes");
        return used < 0 || limit <= 0 ? Double.NaN : (double) used / limit;
    }

    /** Current over maximum connections ({@code max_connections}, else {@code maxconns}), or NaN. */
    public double connectionRatio() {
        long cur = stat("curr_connections");
        long max = stat("max_connections");
        if (max <= 0) {
            max = setting("maxconns");
        }
        return cur < 0 || max <= 0 ? Double.NaN : (double) cur / max;
    }

    public long maxConnections() {
        long max = stat("max_connections");
        return max > 0 ? max : setting("maxconns");
    }

    /** The node's replication role: {@code alone} without replication, else its replication state. */
    public String role() {
        if (latest == null || latest.replication() == null || !latest.replication().enabled()) {
            return "alone";
        }
        return latest.replication().state();
    }
}
