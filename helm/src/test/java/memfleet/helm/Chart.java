package memfleet.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;

/**
 * The chart under test, rendered by real helm (helm-java) as release {@code cache} in namespace {@code shop}, and
 * its manifests parsed into fabric8's Kubernetes model.
 */
final class Chart {
    static final Path DIR = Path.of(System.getProperty("memfleet.chart", "memfleet")).toAbsolutePath();
    static final String RELEASE = "cache";
    static final String NAMESPACE = "shop";
    /** The release's fullname: release-chart. */
    static final String FULLNAME = "cache-memfleet";
    static final String HEADLESS = FULLNAME + "-headless";
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    private Chart() {
    }

    /** Renders with {@code --set key=value} for each entry, in order. */
    static Rendered template(Map<String, ?> sets) {
        TemplateCommand command = Helm.template(DIR.toString()).withName(RELEASE).withNamespace(NAMESPACE);
        sets.forEach(command::set);
        return new Rendered(command.call());
    }

    static Rendered template() {
        return template(Map.of());
    }

    static Map<String, Object> sets(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /** helm template's output and the objects in it. */
    record Rendered(String yaml, List<HasMetadata> objects) {
        Rendered(String yaml) {
            this(yaml, parse(yaml));
        }

        private static List<HasMetadata> parse(String yaml) {
            List<HasMetadata> objects = new ArrayList<>();
            for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
                boolean empty = document.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"));
                if (!empty) {
                    objects.add(SERIALIZATION.unmarshal(document));
                }
            }
            return objects;
        }

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> T get(Class<T> type, String name) {
            return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                    .orElseThrow(() -> new NoSuchElementException(type.getSimpleName() + " " + name + " not rendered"));
        }

        boolean has(String kind, String name) {
            return objects.stream().anyMatch(o -> o.getKind().equals(kind) && o.getMetadata().getName().equals(name));
        }
    }
}
