package memfleet.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code helm lint --strict} on the chart as shipped and on copies whose values.yaml carries each value set
 * (helm-java's lint takes no --values), and {@code helm template} of every set; the default rendering is kept in
 * target/rendered/ to read.
 */
class ChartLintTest {
    @TempDir
    Path dir;

    static Stream<Arguments> valueSets() {
        return Stream.of(
                Arguments.of("replication off", Map.of("replication", Map.of("enabled", false))),
                Arguments.of("1 replica", Map.of("node", Map.of("replicas", 1))),
                Arguments.of("5 replicas", Map.of("node", Map.of("replicas", 5, "memory", 1024))),
                Arguments.of("metrics on", Map.of("metrics", Map.of("serviceMonitor", Map.of("enabled", true),
                        "dashboard", Map.of("enabled", true)))),
                Arguments.of("ingress on", Map.of("console", Map.of("ingress", Map.of("enabled", true, "className", "nginx",
                        "host", "cache.example.com", "tls", java.util.List.of(Map.of("secretName", "cache-tls",
                                "hosts", java.util.List.of("cache.example.com"))))))),
                Arguments.of("console off, closed network", Map.of("console", Map.of("enabled", false),
                        "networkPolicy", Map.of("allowExternal", false))));
    }

    @Test
    void shippedChartLintsClean() throws IOException {
        LintResult lint = new Helm(Chart.DIR).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));

        Chart.Rendered r = Chart.template();
        Path out = Path.of("target", "rendered");
        Files.createDirectories(out);
        Files.writeString(out.resolve("default.yaml"), r.yaml());
        assertThat(r.objects()).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).containsExactlyInAnyOrder(
                "NetworkPolicy/cache-memfleet", "NetworkPolicy/cache-memfleet-console", "PodDisruptionBudget/cache-memfleet",
                "Secret/cache-memfleet-console", "Service/cache-memfleet-console", "Service/cache-memfleet-headless",
                "Service/cache-memfleet", "Deployment/cache-memfleet-console", "StatefulSet/cache-memfleet");
        assertThat(r.objects()).allSatisfy(o -> {
            assertThat(o.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
            assertThat(o.getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", Chart.RELEASE)
                    .containsEntry("app.kubernetes.io/name", "memfleet").containsKey("helm.sh/chart");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void valueSetLintsAndRenders(String name, Map<String, Object> values) throws IOException {
        Path chart = copyWithValues(values);
        LintResult lint = new Helm(chart).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
        String rendered = Helm.template(chart.toString()).withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE).call();
        assertThat(new Chart.Rendered(rendered).objects()).isNotEmpty();
    }

    /** The chart copied to a temporary folder, its values.yaml deep-merged with {@code overrides}. */
    private Path copyWithValues(Map<String, Object> overrides) throws IOException {
        Path copy = dir.resolve("memfleet");
        try (Stream<Path> files = Files.walk(Chart.DIR)) {
            files.forEach(f -> {
                try {
                    Path target = copy.resolve(Chart.DIR.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        Map<String, Object> values = Chart.SERIALIZATION.unmarshal(Files.readString(Chart.DIR.resolve("values.yaml")), Map.class);
        Files.writeString(copy.resolve("values.yaml"), Chart.SERIALIZATION.asYaml(merge(values, overrides)));
        return copy;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> overrides) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        overrides.forEach((k, v) -> {
            if (v instanceof Map<?, ?> m && merged.get(k) instanceof Map<?, ?> b) {
                merged.put(k, merge((Map<String, Object>) b, (Map<String, Object>) m));
            } else {
                merged.put(k, v);
            }
        });
        return merged;
    }
}
