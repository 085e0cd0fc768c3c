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
                               long ops, long backlogSize, long backlogFirstOffset, int minAcks, long antiEntropyRuns,
                               long antiEntropyKeysRepaired, List<Peer> peers) {

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
    /**
     * Compression of what this node sends on its links ({@code lz4} or {@code none}), the frames' payload
     * bytes sent and the bytes that went on the wire for them.
     */
    public static final String COMPRESS = "compress";
    public static final String FRAME_BYTES_SENT = "frame_bytes_sent";
    public static final String WIRE_BYTES_SENT = "wire_bytes_sent";
    /**
     * Anti-entropy: seconds between background rounds (0: only on {@code replication check}), rounds this
     * node ran, key ranges they found different, keys anti-entropy changed on this node.
     */
    public static final String ANTI_ENTROPY_INTERVAL = "anti_entropy_interval";
    public static final String ANTI_ENTROPY_RUNS = "anti_entropy_runs";
    public static final String ANTI_ENTROPY_RANGES_DIFFERED = "anti_entropy_ranges_differed";
    public static final String ANTI_ENTROPY_KEYS_REPAIRED = "anti_entropy_keys_repaired";
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
    /**
     * The last full copy between this node and the peer, either way: none, sending, sent, receiving or
     * received; items and record bytes so far, the totals the source had when it started (items, and its
     * {@code bytes} stat), milliseconds since the start, bytes per second, milliseconds left at that rate.
     */
    public static final String PEER_COPY = "copy";
    public static final String PEER_COPY_ITEMS = "copy_items";
    public static final String PEER_COPY_TOTAL_ITEMS = "copy_total_items";
    public static final String PEER_COPY_BYTES = "copy_bytes";
    public static final String PEER_COPY_TOTAL_BYTES = "copy_total_bytes";
    public static final String PEER_COPY_MS = "copy_ms";
    public static final String PEER_COPY_RATE = "copy_rate_bytes";
    public static final String PEER_COPY_ETA_MS = "copy_eta_ms";
    /**
     * This node's last anti-entropy round with the peer: none, running, done or failed; rounds so far;
     * ranges that differed, items sent both ways, keys changed on either end, milliseconds it took.
     */
    public static final String PEER_AE = "ae";
    public static final String PEER_AE_RUNS = "ae_runs";
    public static final String PEER_AE_RANGES_DIFFERED = "ae_ranges_differed";
    public static final String PEER_AE_ITEMS_EXCHANGED = "ae_items_exchanged";
    public static final String PEER_AE_KEYS_REPAIRED = "ae_keys_repaired";
    public static final String PEER_AE_MS = "ae_ms";

    /** The prefix of peer {@code i}'s stats: {@code peer<i>:}. */
    public static String peer(int i) {
        return "peer" + i + ":";
    }

    /** What a server without replication reports. */
    public static final ReplicationStats NONE = new ReplicationStats(false, 0, "alone", "", 0, 0, 0, 0, 0, 0, 0, List.of());

    /**
     * One replication link as the node sees it: {@code link} is {@code up}, {@code connecting}, {@code syncing} or
     * {@code down}; {@code appliedOps} counts the peer's mutations this node applied. {@code nodeId} is -1 while
     * unknown; {@code lastError} null when none.
     */
    public record Peer(String address, int nodeId, String link, long sentOffset, long ackedOffset, long lagOps,
                       long lagBytes, long lagMs, long fullResyncs, long partialResyncs, long appliedOps,
                       String lastError, Copy copy, Round antiEntropy) {
    }

    /** The last full copy between the node and a peer, either way ({@code state} {@code none} when there was none). */
    public record Copy(String state, long items, long totalItems, long bytes, long totalBytes, long millis,
                       long rateBytes, long etaMillis) {
        public static final Copy NONE = new Copy("none", 0, 0, 0, 0, 0, 0, 0);

        public boolean running() {
            return state.equals("sending") || state.equals("receiving");
        }

        /** Items copied as a percentage of the source's items when it started (0-100). */
        public double percent() {
            return totalItems <= 0 ? (running() ? 0 : 100) : Math.min(100.0, 100.0 * items / totalItems);
        }
    }

    /** The node's last anti-entropy round with a peer ({@code state} none, running, done or failed). */
    public record Round(String state, long runs, long rangesDiffered, long itemsExchanged, long keysRepaired, long millis) {
        public static final Round NONE = new Round("none", 0, 0, 0, 0, 0);
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
                    error == null || error.equals("-") ? null : error,
                    new Copy(reply.stats().getOrDefault(p + PEER_COPY, "none"), reply.getLong(p + PEER_COPY_ITEMS, 0),
                            reply.getLong(p + PEER_COPY_TOTAL_ITEMS, 0), reply.getLong(p + PEER_COPY_BYTES, 0),
                            reply.getLong(p + PEER_COPY_TOTAL_BYTES, 0), reply.getLong(p + PEER_COPY_MS, 0),
                            reply.getLong(p + PEER_COPY_RATE, 0), reply.getLong(p + PEER_COPY_ETA_MS, 0)),
                    new Round(reply.stats().getOrDefault(p + PEER_AE, "none"), reply.getLong(p + PEER_AE_RUNS, 0),
                            reply.getLong(p + PEER_AE_RANGES_DIFFERED, 0), reply.getLong(p + PEER_AE_ITEMS_EXCHANGED, 0),
                            reply.getLong(p + PEER_AE_KEYS_REPAIRED, 0), reply.getLong(p + PEER_AE_MS, 0))));
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
                reply.getLong(ANTI_ENTROPY_RUNS, 0),
                reply.getLong(ANTI_ENTROPY_KEYS_REPAIRED, 0),
                List.copyOf(peers));
    }
}
