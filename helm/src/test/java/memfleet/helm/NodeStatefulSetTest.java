package memfleet.helm;

import static memfleet.helm.Chart.FULLNAME;
import static memfleet.helm.Chart.HEADLESS;
import static memfleet.helm.Chart.sets;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The cache nodes: StatefulSet, services, PDB, as rendered from the default values and several value sets. */
class NodeStatefulSetTest {
    private static final String LAUNCHER = "/opt/memfleet/bin/memfleet-node";

    @TempDir
    Path dir;

    static Container node(Chart.Rendered r) {
        return r.get(StatefulSet.class, FULLNAME).getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElse(null);
    }

    static String peer(int ordinal) {
        return FULLNAME + "-" + ordinal + "." + HEADLESS + ".shop.svc.cluster.local:11212";
    }

    @Test
    void defaultsAreThreeReplicatingNodesWithMemcachedFlags() {
        Chart.Rendered r = Chart.template();
        StatefulSet sts = r.get(StatefulSet.class, FULLNAME);
        assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
        assertThat(sts.getSpec().getServiceName()).isEqualTo(HEADLESS);
        assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
        Container c = node(r);
        assertThat(c.getImage()).isEqualTo("memfleet/node:0.1.0");
        assertThat(c.getCommand()).startsWith("/bin/sh", "-c").endsWith("memfleet-node");
        assertThat(c.getCommand().get(2)).contains("exec " + LAUNCHER + " \"$@\"");
        assertThat(c.getArgs()).containsExactly("-p", "11211", "-m", "64", "-c", "1024", "-t", "4", "-I", "1m",
                "-X", "11212", "--min-acks=0", "--repl-backlog-size=32m");
        assertThat(env(c, "MEMFLEET_PEERS")).isEqualTo(String.join(",", peer(0), peer(1), peer(2)));
        assertThat(env(c, "MEMFLEET_NODE_ID_OFFSET")).isEqualTo("0");
        assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("MEMFLEET_POD_NAME")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name"));
        assertThat(c.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("memcache", 11211),
                        org.assertj.core.groups.Tuple.tuple("replication", 11212));
    }

    @Test
    void probesAskTheNodeItself() {
        Container c = node(Chart.template());
        assertThat(c.getStartupProbe().getTcpSocket().getPort().getStrVal()).isEqualTo("memcache");
        assertThat(c.getStartupProbe().getPeriodSeconds() * c.getStartupProbe().getFailureThreshold())
                .as("time a joining node has to copy its peers' items").isGreaterThanOrEqualTo(300);
        assertThat(c.getLivenessProbe().getTcpSocket().getPort().getStrVal()).isEqualTo("memcache");
        List<String> readiness = c.getReadinessProbe().getExec().getCommand();
        assertThat(readiness).startsWith("/bin/bash", "-c");
        assertThat(readiness.get(2)).contains("/dev/tcp/127.0.0.1/11211", "version\\r\\n", "VERSION*");

        Container moved = node(Chart.template(sets("node.port", 11311)));
        assertThat(moved.getArgs()).containsSequence("-p", "11311");
        assertThat(moved.getReadinessProbe().getExec().getCommand().get(2)).contains("/dev/tcp/127.0.0.1/11311");
        assertThat(moved.getPorts().getFirst().getContainerPort()).isEqualTo(11311);
    }

    @Test
    void runsAsNonRootOnAReadOnlyRootWithNoCapabilities() {
        StatefulSet sts = Chart.template().get(StatefulSet.class, FULLNAME);
        var pod = sts.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        var sc = pod.getContainers().getFirst().getSecurityContext();
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getPrivileged()).isFalse();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        // the one writable place: Netty's native library and the JVM's perf data
        assertThat(pod.getContainers().getFirst().getVolumeMounts()).singleElement()
                .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(pod.getVolumes()).singleElement().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    }

    @Test
    void peersLandOnDifferentHosts() {
        var pod = Chart.template().get(StatefulSet.class, FULLNAME).getSpec().getTemplate();
        Map<String, String> podLabels = pod.getMetadata().getLabels();
        var hard = pod.getSpec().getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        assertThat(hard).singleElement().satisfies(t -> {
            assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
            assertThat(podLabels).containsAllEntriesOf(t.getLabelSelector().getMatchLabels());
        });
        assertThat(pod.getSpec().getTopologySpreadConstraints()).singleElement()
                .satisfies(t -> assertThat(podLabels).containsAllEntriesOf(t.getLabelSelector().getMatchLabels()));

        var soft = Chart.template(sets("node.podAntiAffinity", "soft")).get(StatefulSet.class, FULLNAME)
                .getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity();
        assertThat(soft.getRequiredDuringSchedulingIgnoredDuringExecution()).isNullOrEmpty();
        assertThat(soft.getPreferredDuringSchedulingIgnoredDuringExecution()).singleElement()
                .satisfies(t -> assertThat(t.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
    }

    @Test
    void servicesGivePerPodDnsAndAClientAddress() {
        Chart.Rendered r = Chart.template();
        Map<String, String> podLabels = r.get(StatefulSet.class, FULLNAME).getSpec().getTemplate().getMetadata().getLabels();
        Service headless = r.get(Service.class, HEADLESS);
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getPublishNotReadyAddresses()).as("a joining node dials peers before it is ready").isTrue();
        assertThat(headless.getSpec().getPorts()).extracting(ServicePort::getName, ServicePort::getPort)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("memcache", 11211),
                        org.assertj.core.groups.Tuple.tuple("replication", 11212));
        assertThat(podLabels).containsAllEntriesOf(headless.getSpec().getSelector());
        Service client = r.get(Service.class, FULLNAME);
        assertThat(client.getSpec().getClusterIP()).isNull();
        assertThat(client.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(11211);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("memcache");
        });
        assertThat(podLabels).containsAllEntriesOf(client.getSpec().getSelector());
        assertThat(client.getSpec().getSelector()).isEqualTo(headless.getSpec().getSelector());

        PodDisruptionBudget pdb = r.get(PodDisruptionBudget.class, FULLNAME);
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(Chart.template(sets("node.podDisruptionBudget.enabled", false)).all(PodDisruptionBudget.class)).isEmpty();
    }

    @Test
    void replicationOffLeavesOutPeersAndTheReplicationPort() {
        Chart.Rendered r = Chart.template(sets("replication.enabled", false));
        Container c = node(r);
        assertThat(c.getArgs()).containsExactly("-p", "11211", "-m", "64", "-c", "1024", "-t", "4", "-I", "1m");
        assertThat(env(c, "MEMFLEET_PEERS")).isNull();
        assertThat(c.getPorts()).extracting(ContainerPort::getName).containsExactly("memcache");
        assertThat(r.get(Service.class, HEADLESS).getSpec().getPorts()).extracting(ServicePort::getName).containsExactly("memcache");
        assertThat(r.yaml()).doesNotContain("11212");
    }

    /** The start command run for real by /bin/sh for each pod: -x lists every other pod, --node-id is the ordinal. */
    @ParameterizedTest(name = "{0} replicas")
    @ValueSource(ints = {1, 3, 5})
    void eachPodDialsEveryOtherPodWithItsOrdinalAsNodeId(int replicas) throws Exception {
        Container c = node(Chart.template(sets("node.replicas", replicas)));
        assertThat(Chart.template(sets("node.replicas", replicas)).get(StatefulSet.class, FULLNAME).getSpec().getReplicas())
                .isEqualTo(replicas);
        for (int ordinal = 0; ordinal < replicas; ordinal++) {
            List<String> argv = start(c, ordinal);
            if (replicas == 1) {
                assertThat(argv).as("a single node has nobody to replicate with").doesNotContain("-x", "-X")
                        .noneMatch(a -> a.startsWith("--node-id"));
                continue;
            }
            int self = ordinal;
            String others = String.join(",", IntStream.range(0, replicas).filter(i -> i != self).mapToObj(NodeStatefulSetTest::peer).toList());
            assertThat(argv).containsSequence("-x", others).contains("--node-id=" + ordinal).containsSequence("-X", "11212");
            assertThat(argv.subList(0, c.getArgs().size())).isEqualTo(c.getArgs());
        }
    }

    @Test
    void nodeIdOffsetShiftsTheIds() throws Exception {
        Container c = node(Chart.template(sets("node.replicas", 3, "replication.nodeIdOffset", 10)));
        assertThat(start(c, 2)).contains("--node-id=12");
    }

    @Test
    void extraArgsAndReplicationOptionsReachTheNode() {
        Container c = node(Chart.template(sets("node.extraArgs[0]", "-o", "node.extraArgs[1]", "idle_timeout=600",
                "replication.minAcks", 1, "replication.serveWhileSyncing", true, "replication.backlogSize", 128)));
        assertThat(c.getArgs()).containsSequence("--min-acks=1", "--repl-backlog-size=128m", "--serve-while-syncing", "-o", "idle_timeout=600");
    }

    /**
     * The memory limit is the item memory plus what the JVM may use beside it, read back from the flags the
     * container really gets: -m, -Xmx, -XX:MaxDirectMemorySize, --repl-backlog-size (once in a pair, once per
     * node in a group of three or more: the backlog and a mirror of each other node's stream).
     */
    @ParameterizedTest(name = "-m {0}, heap {1}, direct {2}, native {3}, backlog {4}, replication {5}, {6} replicas: {7}Mi")
    @CsvSource({
            "64,   128, 64, 64, 32,  true,  3, 420",
            "64,   128, 64, 64, 32,  true,  2, 356",
            "64,   128, 64, 64, 32,  false, 3, 324",
            "64,   128, 64, 64, 32,  true,  1, 324",
            "100,  128, 64, 64, 32,  true,  3, 459",
            "1024, 128, 64, 64, 32,  true,  3, 1440",
            "4096, 256, 128, 96, 512, true, 5, 7392",
            "1,    16,  8,  32, 1,   true,  3, 61",
    })
    void memoryLimitIsItemsPlusJvmOverhead(int m, int heap, int direct, int nativeMib, int backlog, boolean replication,
            int replicas, int expected) {
        Container c = node(Chart.template(sets("node.memory", m, "node.jvm.heap", heap, "node.jvm.directMemory", direct,
                "node.jvm.native", nativeMib, "replication.backlogSize", backlog, "replication.enabled", replication,
                "node.replicas", replicas)));
        Quantity limit = c.getResources().getLimits().get("memory");
        assertThat(limit).isEqualTo(new Quantity(expected + "Mi"));
        assertThat(c.getResources().getRequests().get("memory")).as("requests = limits: the node never shrinks").isEqualTo(limit);

        String javaOpts = env(c, "MEMFLEET_JAVA_OPTS");
        int xmx = mib(javaOpts, "-Xmx(\\d+)m");
        int maxDirect = mib(javaOpts, "-XX:MaxDirectMemorySize=(\\d+)m");
        int items = Integer.parseInt(c.getArgs().get(c.getArgs().indexOf("-m") + 1));
        int replBacklog = c.getArgs().stream().filter(a -> a.startsWith("--repl-backlog-size="))
                .mapToInt(a -> Integer.parseInt(a.replaceAll("\\D", ""))).sum();
        int hashIndex = (items + 15) / 16;
        int rings = replicas >= 3 ? replicas : 1;
        assertThat(items + hashIndex + xmx + maxDirect + nativeMib + replBacklog * rings).isEqualTo(expected);
        assertThat(javaOpts).startsWith("-XX:+UseSerialGC -Xms16m").contains("-XX:+ExitOnOutOfMemoryError");
    }

    @Test
    void cpuLimitIsOptional() {
        Container c = node(Chart.template(sets("node.resources.limits.cpu", "2", "node.resources.requests.cpu", "500m")));
        assertThat(c.getResources().getLimits()).containsEntry("cpu", new Quantity("2"));
        assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("500m"));
        assertThat(node(Chart.template()).getResources().getLimits()).doesNotContainKey("cpu");
    }

    private static int mib(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        assertThat(m.find()).as("%s in %s", regex, s).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** Runs the container's command with /bin/sh as pod {@code ordinal} would, the launcher replaced by an echo. */
    private List<String> start(Container c, int ordinal) throws IOException, InterruptedException {
        Path stub = dir.resolve("memfleet-node-" + ordinal);
        Path out = dir.resolve("argv-" + ordinal);
        Files.writeString(stub, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" + out + "'\n");
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwx------"));
        List<String> cmd = new ArrayList<>(c.getCommand());
        assertThat(cmd.get(2)).contains(LAUNCHER);
        cmd.set(2, cmd.get(2).replace(LAUNCHER, stub.toString()));
        cmd.addAll(c.getArgs());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        for (EnvVar e : c.getEnv()) {
            if (e.getValue() != null) {
                pb.environment().put(e.getName(), e.getValue());
            }
        }
        pb.environment().put("MEMFLEET_POD_NAME", FULLNAME + "-" + ordinal);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return Arrays.asList(Files.readString(out).split("\n"));
    }
}
