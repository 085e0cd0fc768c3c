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

    // the names of stats replication, written by the node and read here: one place for both
    public static final String ENABLED = "enabled";
    public static final String NODE_ID = "node_id";
    public static final String STATE = "state";
    public static final String REPLICATION_ID = "replication_id";
    public static final String OFFSET = "offset";
    public static final String OPS = "ops";
    public static final String BACKLOG_SIZE = "backlog_size";
    public static final String BACKLOG_FIRST_OFFSET = "backlog_first_offset";
    public static final String MIN_ACKS = "min_acks";
    /** Group-level repair: REPAIR requests this node sent, requests it answered with records, records it applied from them. */
    public static final String REPAIRS_REQUESTED = "repairs_requested";
    public static final String REPAIRS_SERVED = "repairs_served";
    public static final String REPAIRED_OPS = "repaired_ops";
    public static final String PEERS = "peers";
    public static final String PEER_ADDRESS = "address";
    public static final String PEER_NODE_ID = "node_id";
    public static final String PEER_LINK = "link";
    public static final String PEER_SENT_OFFSET = "sent_offset";
    public static final String PEER_ACKED_OFFSET = "acked_offset";
    public static final String PEER_LAG_OPS = "lag_ops";
    public static final String PEER_LAG_BYTES = "lag_bytes";
    public static final String PEER_LAG_MS = "lag_ms";
    public static final String PEER_FULL_RESYNCS = "full_resyncs";
    public static final String PEER_PARTIAL_RESYNCS = "partial_resyncs";
    public static final String PEER_APPLIED_OPS = "applied_ops";
    public static final String PEER_LAST_ERROR = "last_error";

    /** The prefix of peer {@code i}'s stats: {@code peer<i>:}. */
    public static String peer(int i) {
        return "peer" + i + ":";
    }

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
        int count = (int) reply.getLong(PEERS, 0);
        List<Peer> peers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String p = peer(i);
            String error = reply.get(p + PEER_LAST_ERROR);
            peers.add(new Peer(
                    reply.stats().getOrDefault(p + PEER_ADDRESS, "?"),
                    (int) reply.getLong(p + PEER_NODE_ID, -1),
                    reply.stats().getOrDefault(p + PEER_LINK, "down"),
                    reply.getLong(p + PEER_SENT_OFFSET, 0),
                    reply.getLong(p + PEER_ACKED_OFFSET, 0),
                    reply.getLong(p + PEER_LAG_OPS, 0),
                    reply.getLong(p + PEER_LAG_BYTES, 0),
                    reply.getLong(p + PEER_LAG_MS, 0),
                    reply.getLong(p + PEER_FULL_RESYNCS, 0),
                    reply.getLong(p + PEER_PARTIAL_RESYNCS, 0),
                    reply.getLong(p + PEER_APPLIED_OPS, 0),
                    error == null || error.equals("-") ? null : error));
        }
        return new ReplicationStats(
                reply.getLong(ENABLED, 0) == 1,
                (int) reply.getLong(NODE_ID, 0),
                reply.stats().getOrDefault(STATE, "alone"),
                reply.stats().getOrDefault(REPLICATION_ID, ""),
                reply.getLong(OFFSET, 0),
                reply.getLong(OPS, 0),
                reply.getLong(BACKLOG_SIZE, 0),
                reply.getLong(BACKLOG_FIRST_OFFSET, 0),
                (int) reply.getLong(MIN_ACKS, 0),
                List.copyOf(peers));
    }
}
