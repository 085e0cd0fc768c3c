package memfleet.helm;

import static memfleet.helm.Chart.FULLNAME;
import static memfleet.helm.Chart.sets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The ServiceMonitor scrapes the console; the Grafana dashboard queries memcached_exporter's metric names. */
class MetricsTest {
    /** Series the console exports (its MemcachedExporterMetrics), names as memcached_exporter has them. */
    static final List<String> EXPORTED = List.of("memcached_up", "memcached_commands_total", "memcached_current_items",
            "memcached_current_bytes", "memcached_limit_bytes", "memcached_items_evicted_total",
            "memcached_current_connections", "memfleet_replication_state", "memfleet_replication_lag_seconds",
            "memfleet_replication_lag_ops", "memfleet_replication_ops_total", "memfleet_replication_full_resyncs_total",
            "memfleet_replication_partial_resyncs_total", "memfleet_replication_link_state");

    @Test
    @SuppressWarnings("unchecked")
    void serviceMonitorScrapesTheConsolesPrometheusEndpoint() {
        Chart.Rendered off = Chart.template();
        assertThat(off.objects()).noneMatch(o -> o.getKind().equals("ServiceMonitor"));

        Chart.Rendered r = Chart.template(sets("metrics.serviceMonitor.enabled", true, "metrics.serviceMonitor.labels.release", "prom"));
        GenericKubernetesResource sm = r.get(GenericKubernetesResource.class, FULLNAME);
        assertThat(sm.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(sm.getKind()).isEqualTo("ServiceMonitor");
        assertThat(sm.getMetadata().getLabels()).containsEntry("release", "prom");
        Map<String, Object> spec = (Map<String, Object>) sm.getAdditionalProperties().get("spec");
        Map<String, String> selector = (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
        Service console = r.get(Service.class, FULLNAME + "-console");
        assertThat(console.getMetadata().getLabels()).containsAllEntriesOf(selector);
        assertThat(r.all(Service.class)).filteredOn(s -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .as("only the console's service is scraped").singleElement();
        Map<String, Object> endpoint = ((List<Map<String, Object>>) spec.get("endpoints")).getFirst();
        assertThat(endpoint).containsEntry("port", "http").containsEntry("path", "/actuator/prometheus").containsEntry("interval", "30s");
        assertThat(console.getSpec().getPorts()).extracting(p -> p.getName()).containsExactly("http");

        assertThatThrownBy(() -> Chart.template(sets("metrics.serviceMonitor.enabled", true, "console.enabled", false)))
                .hasMessageContaining("needs console.enabled");
    }

    @Test
    @SuppressWarnings("unchecked")
    void dashboardUsesExporterNames() {
        assertThat(Chart.template().all(ConfigMap.class)).isEmpty();
        ConfigMap cm = Chart.template(sets("metrics.dashboard.enabled", true)).get(ConfigMap.class, FULLNAME + "-dashboard");
        assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        Map<String, Object> dashboard = Chart.SERIALIZATION.unmarshal(cm.getData().get("memfleet.json"), Map.class);
        assertThat(dashboard).containsEntry("uid", "memfleet");
        List<Map<String, Object>> panels = (List<Map<String, Object>>) dashboard.get("panels");
        String queries = panels.stream().flatMap(p -> ((List<Map<String, Object>>) p.get("targets")).stream())
                .map(t -> (String) t.get("expr")).collect(Collectors.joining("\n"));
        Matcher m = Pattern.compile("\\b(memcached_[a-z_]+|memfleet_[a-z_]+)").matcher(queries);
        java.util.Set<String> used = new java.util.TreeSet<>();
        while (m.find()) {
            used.add(m.group(1));
        }
        assertThat(used).as("every series the dashboard queries is exported").isSubsetOf(EXPORTED);
        assertThat(used).contains("memcached_up", "memcached_commands_total", "memcached_current_items", "memcached_current_bytes",
                "memcached_limit_bytes", "memcached_items_evicted_total", "memcached_current_connections",
                "memfleet_replication_state", "memfleet_replication_lag_seconds");
        assertThat(queries).contains("command=\"get\",status=\"hit\"");
        // panels do not overlap on Grafana's 24-column grid
        for (int i = 0; i < panels.size(); i++) {
            for (int j = i + 1; j < panels.size(); j++) {
                assertThat(overlap(grid(panels.get(i)), grid(panels.get(j)))).as("panels %d and %d", i, j).isFalse();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static int[] grid(Map<String, Object> panel) {
        Map<String, Integer> g = (Map<String, Integer>) panel.get("gridPos");
        assertThat(g.get("x") + g.get("w")).isLessThanOrEqualTo(24);
        return new int[] {g.get("x"), g.get("y"), g.get("w"), g.get("h")};
    }

    private static boolean overlap(int[] a, int[] b) {
        return a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
    }
}
