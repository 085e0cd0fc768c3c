package memfleet.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The images cannot be built here (no registry), so their Dockerfiles are checked against what they depend on:
 * COPY sources are files the build makes (the modules' finalName) or the repository has, .dockerignore lets
 * them in, the user is the chart's non-root uid, the entrypoint is exec form, and the chart starts the launcher
 * where the image puts it.
 */
class DockerfileTest {
    static final Path ROOT = Chart.DIR.getParent().getParent();

    record Dockerfile(List<String> instructions) {
        static Dockerfile read(String name) throws IOException {
            String text = Files.readString(ROOT.resolve("docker").resolve(name)).replaceAll("\\\\\n", " ");
            List<String> lines = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (!line.isBlank() && !line.stripLeading().startsWith("#")) {
                    lines.add(line.strip());
                }
            }
            return new Dockerfile(lines);
        }

        List<String> all(String instruction) {
            return instructions.stream().filter(l -> l.startsWith(instruction + " ")).map(l -> l.substring(instruction.length() + 1).strip()).toList();
        }

        String last(String instruction) {
            List<String> all = all(instruction);
            assertThat(all).as(instruction).isNotEmpty();
            return all.getLast();
        }

        /** COPY sources from the build context (not --from a stage), each with its destination. */
        List<String[]> contextCopies() {
            List<String[]> copies = new ArrayList<>();
            for (String c : all("COPY")) {
                if (c.contains("--from=")) {
                    continue;
                }
                String[] words = c.replaceAll("--\\S+", "").strip().split("\\s+");
                copies.add(new String[] {words[0], words[words.length - 1]});
            }
            return copies;
        }
    }

    static String finalName(String module) throws IOException {
        Matcher m = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(Files.readString(ROOT.resolve(module).resolve("pom.xml")));
        assertThat(m.find()).as(module + " sets its jar's name").isTrue();
        return module + "/target/" + m.group(1) + ".jar";
    }

    @SuppressWarnings("unchecked")
    static long chartUid() throws IOException {
        Map<String, Object> values = Chart.SERIALIZATION.unmarshal(Files.readString(Chart.DIR.resolve("values.yaml")), Map.class);
        return ((Number) ((Map<String, Object>) values.get("securityContext")).get("runAsUser")).longValue();
    }

    static void assertRunsAsChartUserOnJre25(Dockerfile d) throws IOException {
        assertThat(d.all("FROM")).isNotEmpty().allSatisfy(from -> assertThat(from).startsWith("eclipse-temurin:25-jre"));
        assertThat(d.last("USER")).isEqualTo(chartUid() + ":" + chartUid());
        assertThat(d.last("ENTRYPOINT")).as("exec form: the JVM is PID 1 and gets SIGTERM").matches("\\[\\s*\".*\"\\s*]");
        String ignore = Files.readString(ROOT.resolve(".dockerignore"));
        for (String[] copy : d.contextCopies()) {
            assertThat(ignore).as(".dockerignore lets %s in", copy[0]).contains("!" + copy[0]);
        }
    }

    @Test
    void nodeImage() throws IOException {
        Dockerfile d = Dockerfile.read("node.Dockerfile");
        assertRunsAsChartUserOnJre25(d);
        List<String[]> copies = d.contextCopies();
        assertThat(copies).extracting(c -> c[0]).containsExactly("bin/memfleet-node", finalName("node"));
        assertThat(Files.isExecutable(ROOT.resolve("bin/memfleet-node"))).isTrue();
        // the launcher's installed layout: <root>/bin/memfleet-node finds <root>/lib/memfleet-node.jar
        assertThat(copies).extracting(c -> c[1]).containsExactly("/opt/memfleet/bin/memfleet-node", "/opt/memfleet/lib/memfleet-node.jar");
        assertThat(Files.readString(ROOT.resolve("bin/memfleet-node"))).contains("$root/lib/memfleet-node.jar");
        assertThat(d.last("ENTRYPOINT")).isEqualTo("[\"/opt/memfleet/bin/memfleet-node\"]");
        String command = Chart.template().get(StatefulSet.class, Chart.FULLNAME).getSpec().getTemplate().getSpec()
                .getContainers().getFirst().getCommand().get(2);
        assertThat(command).contains("exec /opt/memfleet/bin/memfleet-node ");
        assertThat(d.last("EXPOSE")).isEqualTo("11211 11212");
    }

    @Test
    void consoleImage() throws IOException {
        Dockerfile d = Dockerfile.read("console.Dockerfile");
        assertRunsAsChartUserOnJre25(d);
        assertThat(d.contextCopies()).extracting(c -> c[0]).containsExactly("console/target/memfleet-console.jar");
        assertThat(d.last("ENTRYPOINT")).isEqualTo("[\"java\", \"--enable-native-access=ALL-UNNAMED\", \"org.springframework.boot.loader.launch.JarLauncher\"]");
        assertThat(d.last("EXPOSE")).isEqualTo("8080");
        // the console module lives on its own branch until it is merged
        assumeTrue(Files.exists(ROOT.resolve("console/pom.xml")), "console module not on this branch yet");
        assertThat(finalName("console")).isEqualTo("console/target/memfleet-console.jar");
    }
}
