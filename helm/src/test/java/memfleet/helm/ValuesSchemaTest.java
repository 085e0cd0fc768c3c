package memfleet.helm;

import static memfleet.helm.Chart.sets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** values.schema.json and the templates' own checks turn bad values into an error at template time. */
class ValuesSchemaTest {

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(sets("node.memory", -64), "node.memory"),
                Arguments.of(sets("node.memory", 0), "node.memory"),
                Arguments.of(sets("node.memory", "lots"), "node.memory"),
                Arguments.of(sets("node.replicas", 0), "node.replicas"),
                Arguments.of(sets("node.replicas", "three"), "node.replicas"),
                Arguments.of(sets("node.port", 70000), "node.port"),
                Arguments.of(sets("replication.port", 0), "replication.port"),
                Arguments.of(sets("replication.enabled", "yes"), "replication.enabled"),
                Arguments.of(sets("replication.backlogSize", -1), "replication.backlogSize"),
                Arguments.of(sets("replication.minAcks", 300), "replication.minAcks"),
                Arguments.of(sets("node.jvm.heap", 8), "node.jvm.heap"),
                Arguments.of(sets("node.maxItemSize", "1 gigabyte"), "node.maxItemSize"),
                Arguments.of(sets("node.podAntiAffinity", "sometimes"), "node.podAntiAffinity"),
                Arguments.of(sets("node.memroy", 64), "memroy"),
                Arguments.of(sets("console.admin.passwordHash", "admin"), "console.admin.passwordHash"),
                Arguments.of(sets("console.discoveryInterval", "soon"), "console.discoveryInterval"),
                Arguments.of(sets("node.extraArgs", "-v"), "node.extraArgs"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void schemaRejects(Map<String, Object> values, String field) {
        assertThatThrownBy(() -> Chart.template(values))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(field);
    }

    @Test
    void templatesRejectWhatTheSchemaCannotSee() {
        assertThatThrownBy(() -> Chart.template(sets("node.replicas", 3, "replication.minAcks", 3)))
                .hasMessageContaining("replication.minAcks=3 needs at least that many peers: node.replicas must be 4 or more");
        assertThatThrownBy(() -> Chart.template(sets("node.replicas", 10, "replication.nodeIdOffset", 250)))
                .hasMessageContaining("must stay within 0-255");
        // without replication neither matters
        assertThat(Chart.template(sets("node.replicas", 300, "replication.enabled", false)).objects()).isNotEmpty();
    }

    @Test
    void goodValuesPass() {
        assertThat(Chart.template(sets("node.memory", 4096, "node.replicas", 5, "node.maxItemSize", "4m",
                "node.podDisruptionBudget.maxUnavailable", "20%", "console.admin.passwordHash", ConsoleTest.HASH,
                "console.discoveryInterval", "1m")).objects()).isNotEmpty();
    }
}
