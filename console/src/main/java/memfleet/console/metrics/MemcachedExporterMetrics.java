package memfleet.console.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.Map;
import memfleet.console.history.History;
import memfleet.console.history.NodeStatus;
import memfleet.protocol.text.ReplicationStats;
import memfleet.protocol.text.StatsReply;
import org.springframework.stereotype.Component;

/**
 * Every node's latest sample as memcached_exporter would expose it, one series per node labelled {@code node}
 * and {@code group}, so Grafana dashboards built for the exporter work unchanged; replication as
 * {@code memfleet_replication_*}. The stat-to-metric table follows the exporter's; a node that is down exports
 * only {@code memcached_up 0}, as the exporter does. Exporter counters without a {@code _total} suffix
 * ({@code uptime_seconds}, {@code slab_items_moves_to_cold}) are gauges here, so their names stay the same.
 */
@Component
public class MemcachedExporterMetrics implements MultiCollector {
    /** stats name → exporter counter, no labels. */
    static final Map<String, String> COUNTERS = Map.ofEntries(
            Map.entry("bytes_read", "memcached_read_bytes_total"),
            Map.entry("bytes_written", "memcached_written_bytes_total"),
            Map.entry("total_connections", "memcached_connections_total"),
            Map.entry("rejected_connections", "memcached_connections_rejected_total"),
            Map.entry("conn_yields", "memcached_connections_yielded_total"),
            Map.entry("listen_disabled_num", "memcached_connections_listener_disabled_total"),
            Map.entry("total_items", "memcached_items_total"),
            Map.entry("evictions", "memcached_items_evicted_total"),
            Map.entry("reclaimed", "memcached_items_reclaimed_total"),
            Map.entry("store_too_large", "memcached_item_too_large_total"),
            Map.entry("store_no_memory", "memcached_item_no_memory_total"),
            Map.entry("lru_crawler_starts", "memcached_lru_crawler_starts_total"),
            Map.entry("direct_reclaims", "memcached_direct_reclaims_total"),
            Map.entry("crawler_items_checked", "memcached_lru_crawler_items_checked_total"),
            Map.entry("crawler_reclaimed", "memcached_lru_crawler_reclaimed_total"),
            Map.entry("moves_to_cold", "memcached_lru_crawler_moves_to_cold_total"),
            Map.entry("moves_to_warm", "memcached_lru_crawler_moves_to_warm_total"),
            Map.entry("moves_within_lru", "memcached_lru_crawler_moves_within_lru_total"),
            Map.entry("rusage_user", "memcached_process_user_cpu_seconds_total"),
            Map.entry("rusage_system", "memcached_process_system_cpu_seconds_total"));
    /** stats name → exporter gauge, no labels. */
    static final Map<String, String> GAUGES = Map.ofEntries(
            Map.entry("uptime", "memcached_uptime_seconds"),
            Map.entry("time", "memcached_time_seconds"),
            Map.entry("curr_connections", "memcached_current_connections"),
            Map.entry("bytes", "memcached_current_bytes"),
            Map.entry("limit_maxbytes", "memcached_limit_bytes"),
            Map.entry("curr_items", "memcached_current_items"),
            Map.entry("total_malloced", "memcached_malloced_bytes"),
            Map.entry("accepting_conns", "memcached_accepting_connections"));
    /** stats settings name → exporter gauge, exported when the LRU crawler is on. */
    static final Map<String, String> CRAWLER_SETTINGS = Map.ofEntries(
            Map.entry("lru_crawler_sleep", "memcached_lru_crawler_sleep"),
            Map.entry("lru_crawler_tocrawl", "memcached_lru_crawler_to_crawl"),
            Map.entry("hot_lru_pct", "memcached_lru_crawler_hot_percent"),
            Map.entry("warm_lru_pct", "memcached_lru_crawler_warm_percent"),
            Map.entry("hot_max_factor", "memcached_lru_crawler_hot_max_factor"),
            Map.entry("warm_max_factor", "memcached_lru_crawler_warm_max_factor"));
    /** stats items field → exporter per-slab counter. */
    static final Map<String, String> SLAB_ITEM_COUNTERS = Map.ofEntries(
            Map.entry("crawler_reclaimed", "memcached_slab_items_crawler_reclaimed_total"),
            Map.entry("evicted", "memcached_slab_items_evicted_total"),
            Map.entry("evicted_nonzero", "memcached_slab_items_evicted_nonzero_total"),
            Map.entry("evicted_unfetched", "memcached_slab_items_evicted_unfetched_total"),
            Map.entry("expired_unfetched", "memcached_slab_items_expired_unfetched_total"),
            Map.entry("outofmemory", "memcached_slab_items_outofmemory_total"),
            Map.entry("reclaimed", "memcached_slab_items_reclaimed_total"),
            Map.entry("tailrepairs", "memcached_slab_items_tailrepairs_total"));
    /** stats items field → exporter per-slab gauge (or counter without _total). */
    static final Map<String, String> SLAB_ITEM_GAUGES = Map.ofEntries(
            Map.entry("number", "memcached_slab_current_items"),
            Map.entry("age", "memcached_slab_items_age_seconds"),
            Map.entry("evicted_time", "memcached_slab_items_evicted_time_seconds"),
            Map.entry("moves_to_cold", "memcached_slab_items_moves_to_cold"),
            Map.entry("moves_to_warm", "memcached_slab_items_moves_to_warm"),
            Map.entry("moves_within_lru", "memcached_slab_items_moves_within_lru"),
            Map.entry("number_hot", "memcached_slab_hot_items"),
            Map.entry("number_warm", "memcached_slab_warm_items"),
            Map.entry("number_cold", "memcached_slab_cold_items"),
            Map.entry("number_temp", "memcached_slab_temporary_items"),
            Map.entry("age_hot", "memcached_slab_hot_age_seconds"),
            Map.entry("age_warm", "memcached_slab_warm_age_seconds"));
    /** stats slabs field → exporter per-slab gauge. */
    static final Map<String, String> SLAB_GAUGES = Map.ofEntries(
            Map.entry("chunk_size", "memcached_slab_chunk_size_bytes"),
            Map.entry("chunks_per_page", "memcached_slab_chunks_per_page"),
            Map.entry("total_pages", "memcached_slab_current_pages"),
            Map.entry("total_chunks", "memcached_slab_current_chunks"),
            Map.entry("used_chunks", "memcached_slab_chunks_used"),
            Map.entry("free_chunks", "memcached_slab_chunks_free"),
            Map.entry("free_chunks_end", "memcached_slab_chunks_free_end"),
            Map.entry("mem_requested", "memcached_slab_mem_requested_bytes"));
    static final List<String> COMMANDS = List.of("get", "delete", "incr", "decr", "cas", "touch");
    static final List<String> REPLICATION_STATES = List.of("alone", "syncing", "in_sync", "degraded");
    static final List<String> LINK_STATES = List.of("up", "connecting", "syncing", "down");

    private final History history;
    private final MetricsProperties properties;

    public MemcachedExporterMetrics(History history, MetricsProperties properties, PrometheusRegistry registry) {
        this.history = history;
        this.properties = properties;
        registry.register(this);
    }

    @Override
    public MetricSnapshots collect() {
        MetricFamilies f = new MetricFamilies();
        for (NodeStatus status : history.statuses()) {
            Labels node = Labels.of("node", status.node().id(), "group", status.node().group());
            f.gauge("memcached_up", "Could the memcached server be reached.", status.up() ? 1 : 0, node);
            if (!status.up() || status.latest() == null) {
                continue;
            }
            node(f, node, status);
        }
        return f.build();
    }

    private void node(MetricFamilies f, Labels node, NodeStatus status) {
        StatsReply s = status.latest().stats();
        StatsReply settings = status.latest().settings();
        f.gauge("memcached_version", "The version of this memcached server.", 1,
                node.add("version", String.valueOf(s.get("version"))));
        COUNTERS.forEach((stat, metric) -> f.counter(metric, help(stat), s.getDouble(stat, Double.NaN), node));
        GAUGES.forEach((stat, metric) -> f.gauge(metric, help(stat), s.getDouble(stat, Double.NaN), node));
        String commands = "Total number of all requests broken down by command (get, set, etc.) and status.";
        for (String op : COMMANDS) {
            f.counter("memcached_commands_total", commands, s.getDouble(op + "_hits", Double.NaN), cmd(node, op, "hit"));
            f.counter("memcached_commands_total", commands, s.getDouble(op + "_misses", Double.NaN), cmd(node, op, "miss"));
        }
        f.counter("memcached_commands_total", commands, s.getDouble("cas_badval", Double.NaN), cmd(node, "cas", "badval"));
        f.counter("memcached_commands_total", commands, s.getDouble("cmd_flush", Double.NaN), cmd(node, "flush", "hit"));
        // memcached counts cas in cmd_set again
        double cas = s.getDouble("cas_misses", 0) + s.getDouble("cas_hits", 0) + s.getDouble("cas_badval", 0);
        f.counter("memcached_commands_total", commands, s.getDouble("cmd_set", Double.NaN) - cas, cmd(node, "set", "hit"));
        if (settings != null && !settings.isError()) {
            f.gauge("memcached_max_connections", "Maximum number of clients allowed.",
                    settings.getDouble("maxconns", Double.NaN), node);
            if ("yes".equals(settings.get("lru_crawler"))) {
                f.gauge("memcached_lru_crawler_enabled", "Whether the LRU crawler is enabled.", 1, node);
                f.gauge("memcached_lru_crawler_maintainer_thread", "Split LRU mode and background threads.",
                        "yes".equals(settings.get("lru_maintainer_thread")) ? 1 : 0, node);
                CRAWLER_SETTINGS.forEach((stat, metric) -> f.gauge(metric, "stats settings " + stat,
                        settings.getDouble(stat, Double.NaN), node));
            }
        }
        if (properties.slabs()) {
            slabs(f, node, status);
        }
        replication(f, node, status.latest().replication());
    }

    private void slabs(MetricFamilies f, Labels node, NodeStatus status) {
        StatsReply items = status.latest().items();
        if (items != null && !items.isError()) {
            items.byClass("items:").forEach((clsid, fields) -> {
                Labels slab = node.add("slab", Integer.toString(clsid));
                SLAB_ITEM_COUNTERS.forEach((stat, metric) -> f.counter(metric, "stats items " + stat, num(fields, stat), slab));
                SLAB_ITEM_GAUGES.forEach((stat, metric) -> f.gauge(metric, "stats items " + stat, num(fields, stat), slab));
                for (String lru : List.of("hot", "warm", "cold", "temp")) {
                    f.counter("memcached_slab_lru_hits_total", "Number of get_hits to the LRU.",
                            num(fields, "hits_to_" + lru), slab.add("lru", lru.equals("temp") ? "temporary" : lru));
                }
            });
        }
        StatsReply slabs = status.latest().slabs();
        if (slabs != null && !slabs.isError()) {
            String commands = "Total number of all requests broken down by command (get, set, etc.) and status per slab.";
            slabs.byClass("").forEach((clsid, fields) -> {
                Labels slab = node.add("slab", Integer.toString(clsid));
                SLAB_GAUGES.forEach((stat, metric) -> f.gauge(metric, "stats slabs " + stat, num(fields, stat), slab));
                for (String op : COMMANDS) {
                    f.counter("memcached_slab_commands_total", commands, num(fields, op + "_hits"), cmd(slab, op, "hit"));
                }
                f.counter("memcached_slab_commands_total", commands, num(fields, "cas_badval"), cmd(slab, "cas", "badval"));
                double cas = zero(num(fields, "cas_hits")) + zero(num(fields, "cas_badval"));
                f.counter("memcached_slab_commands_total", commands, num(fields, "cmd_set") - cas, cmd(slab, "set", "hit"));
            });
        }
    }

    private static void replication(MetricFamilies f, Labels node, ReplicationStats r) {
        f.gauge("memfleet_replication_enabled", "1 when the node replicates (-x/-X).", r.enabled() ? 1 : 0, node);
        for (String state : REPLICATION_STATES) {
            f.gauge("memfleet_replication_state", "1 for the node's replication state.",
                    state.equals(r.state()) ? 1 : 0, node.add("state", state));
        }
        if (!r.enabled()) {
            return;
        }
        f.gauge("memfleet_replication_node_id", "The node's replication id (0-255).", r.nodeId(), node);
        f.gauge("memfleet_replication_offset_bytes", "Bytes this node has logged for its peers.", r.offset(), node);
        f.counter("memfleet_replication_ops_total", "Mutations logged for peers.", r.ops(), node);
        f.gauge("memfleet_replication_backlog_size_bytes", "Capacity of the ring of recent writes kept for peers.",
                r.backlogSize(), node);
        f.gauge("memfleet_replication_backlog_first_offset_bytes", "Oldest log offset a peer can still resume from.",
                r.backlogFirstOffset(), node);
        f.gauge("memfleet_replication_min_acks", "Acks a write waits for.", r.minAcks(), node);
        f.gauge("memfleet_replication_peers", "Configured replication peers.", r.peers().size(), node);
        f.counter("memfleet_replication_anti_entropy_runs_total", "Anti-entropy rounds this node ran.", r.antiEntropyRuns(), node);
        f.counter("memfleet_replication_anti_entropy_keys_repaired_total", "Keys anti-entropy changed on this node.",
                r.antiEntropyKeysRepaired(), node);
        for (ReplicationStats.Peer p : r.peers()) {
            Labels peer = node.add("peer", p.address());
            for (String link : LINK_STATES) {
                f.gauge("memfleet_replication_link_state", "1 for the link's state.",
                        link.equals(p.link()) ? 1 : 0, peer.add("link", link));
            }
            f.gauge("memfleet_replication_peer_node_id", "The peer's node id, -1 while unknown.", p.nodeId(), peer);
            f.gauge("memfleet_replication_sent_offset_bytes", "Log offset sent to the peer.", p.sentOffset(), peer);
            f.gauge("memfleet_replication_acked_offset_bytes", "Log offset the peer acknowledged.", p.ackedOffset(), peer);
            f.gauge("memfleet_replication_lag_ops", "Mutations the peer has not acknowledged.", p.lagOps(), peer);
            f.gauge("memfleet_replication_lag_bytes", "Log bytes the peer has not acknowledged.", p.lagBytes(), peer);
            f.gauge("memfleet_replication_lag_seconds", "Age of the oldest unacknowledged mutation.", p.lagMs() / 1000.0, peer);
            f.counter("memfleet_replication_full_resyncs_total", "Full resynchronisations with the peer.", p.fullResyncs(), peer);
            f.counter("memfleet_replication_partial_resyncs_total", "Partial resynchronisations with the peer.", p.partialResyncs(), peer);
            f.counter("memfleet_replication_applied_ops_total", "The peer's mutations this node applied.", p.appliedOps(), peer);
            f.gauge("memfleet_replication_copy_running", "1 while a full copy runs between the node and the peer.",
                    p.copy().running() ? 1 : 0, peer);
            f.gauge("memfleet_replication_copy_items", "Items of the last full copy so far.", p.copy().items(), peer);
            f.gauge("memfleet_replication_copy_total_items", "Items the source held when the last full copy started.",
                    p.copy().totalItems(), peer);
            f.gauge("memfleet_replication_copy_eta_seconds", "Time the running full copy needs still, at its rate so far.",
                    p.copy().etaMillis() / 1000.0, peer);
        }
    }

    private static Labels cmd(Labels base, String command, String status) {
        return base.add("command", command).add("status", status);
    }

    private static double num(Map<String, String> fields, String name) {
        String v = fields.get(name);
        if (v == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static double zero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private static String help(String stat) {
        return "memcached stats " + stat;
    }
}
