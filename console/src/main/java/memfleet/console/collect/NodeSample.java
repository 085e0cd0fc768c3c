package memfleet.console.collect;

import memfleet.console.fleet.NodeAddress;
import memfleet.protocol.text.ReplicationStats;
import memfleet.protocol.text.StatsReply;

/**
 * What one poll of one node found: the five stats replies and the round-trip time, or, for a node that is
 * down, why. {@code time} is the console's clock in milliseconds when the reply arrived.
 */
public record NodeSample(NodeAddress node, long time, boolean up, String error, long rttMicros, StatsReply stats,
                         StatsReply settings, StatsReply items, StatsReply slabs, ReplicationStats replication) {

    static NodeSample down(NodeAddress node, long time, String error) {
        return new NodeSample(node, time, false, error, -1, null, null, null, null, ReplicationStats.NONE);
    }
}
