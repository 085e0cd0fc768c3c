package memfleet.protocol.text;

import java.util.ArrayList;
import java.util.List;

/**
 * A node's {@code stats replication} reply read into fields: whether replication is on, the node's id,
 * state ({@code alone}, {@code syncing}, {@code in_sync}, {@code degraded}: some links up, not all), replication id, log offset
 * and op count, the backlog ring's size and oldest offset, and one {@link Peer} per {@code peerN:} prefix. A server that answers {@code ERROR} (memcached, or a node built
 * before replication) has {@link #NONE}: not enabled, state {@code alone}, no peers.
 */
public record ReplicationStats(boolean enabled, int nodeId, String state, String replicationId, long offset,
                               long ops, long backlogSize, long backlogFirstOffset, int minAcks, List<Peer> peers) {

    /** What a server without replication reports. */
    public static final ReplicationStats NONE = new ReplicationStats(false, 0, "alone", "", 0, 0, 0, 0, 0, List.of());

    /**
     * One replication link as the node sees it: {@code link} is {@code up}, {@code connecting}, {@code syncing} or
     * {@code down}; {@code appliedOps} counts the peer's mutations this node applied. {@code nodeId} is -1 while
     * unknown; {@code lastError} null when none.
     */
    public record Peer(String address, int nodeId, String link, long sentOffset, long ackedOffset, long lagOps,
                       long lagBytes, long lagMs, long fullResyncs, long partialResyncs, long appliedOps,
                       String lastError) {
    }

    /** Reads the fields from a parsed reply; missing numbers read as 0, a missing state as {@code alone}. */
    public static ReplicationStats of(StatsReply reply) {
        if (reply.isError() || reply.stats().isEmpty()) {
            return NONE;
        }
        int count = (int) reply.getLong("peers", 0);
        List<Peer> peers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String p = "peer" + i + ":";
            String error = reply.get(p + "last_error");
            peers.add(new Peer(
                    reply.stats().getOrDefault(p + "address", "?"),
                    (int) reply.getLong(p + "node_id", -1),
                    reply.stats().getOrDefault(p + "link", "down"),
                    reply.getLong(p + "sent_offset", 0),
                    reply.getLong(p + "acked_offset", 0),
                    reply.getLong(p + "lag_ops", 0),
                    reply.getLong(p + "lag_bytes", 0),
                    reply.getLong(p + "lag_ms", 0),
                    reply.getLong(p + "full_resyncs", 0),
                    reply.getLong(p + "partial_resyncs", 0),
                    reply.getLong(p + "applied_ops", 0),
                    error == null || error.equals("-") ? null : error));
        }
        return new ReplicationStats(
                reply.getLong("enabled", 0) == 1,
                (int) reply.getLong("node_id", 0),
                reply.stats().getOrDefault("state", "alone"),
                reply.stats().getOrDefault("replication_id", ""),
                reply.getLong("offset", 0),
                reply.getLong("ops", 0),
                reply.getLong("backlog_size", 0),
                reply.getLong("backlog_first_offset", 0),
                (int) reply.getLong("min_acks", 0),
                List.copyOf(peers));
    }
}
