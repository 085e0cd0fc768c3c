package memfleet.helm;

import static memfleet.helm.Chart.FULLNAME;
import static memfleet.helm.Chart.sets;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The console: a Deployment that finds the nodes through their headless service (memfleet.discovery), takes its
 * admin password hash from a Secret, and is reachable through its Service and an optional Ingress. Setting names
 * are the console's application.yml names.
 */
class ConsoleTest {
    static final String CONSOLE = FULLNAME + "-console";
    /** {@code admin}'s hash from the console's application.yml. */
    static final String HASH = "$2a$10$ywVUUR4l7sg14BVPTJZfMOkTJ5T5RSKBFPdGHYlxGJnimo7WdHDym";

    static Container console(Chart.Rendered r) {
        return r.get(Deployment.class, CONSOLE).getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    static EnvVar env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> springConfig(Container c) {
        return Chart.SERIALIZATION.unmarshal(env(c, "SPRING_APPLICATION_JSON").getValue(), Map.class);
    }

    @Test
    @SuppressWarnings("unchecked")
    void discoversTheNodesThroughTheHeadlessService() {
        Container c = console(Chart.template());
        Map<String, Object> config = springConfig(c);
        Map<String, Object> memfleet = (Map<String, Object>) config.get("memfleet");
        assertThat((List<?>) memfleet.get("nodes")).as("the local default 127.0.0.1:11211 is dropped").isEmpty();
        assertThat((List<Map<String, Object>>) memfleet.get("discovery")).singleElement().isEqualTo(Map.of(
                "name", "cache-memfleet-headless.shop.svc.cluster.local", "port", 11211, "group", FULLNAME));
        assertThat(memfleet).containsEntry("discovery-interval", "10s").containsEntry("collect", Map.of("interval", "2s"))
                .containsEntry("security", Map.of("public-metrics", true));
        assertThat(config).containsEntry("server", Map.of("port", 8080));

        Map<String, Object> grouped = springConfig(console(Chart.template(sets("group", "eu", "node.port", 11300))));
        assertThat((List<Map<String, Object>>) ((Map<String, Object>) grouped.get("memfleet")).get("discovery")).singleElement()
                .satisfies(d -> assertThat(d).containsEntry("group", "eu").containsEntry("port", 11300));
    }

    @Test
    void probesUseTheLivenessAndReadinessGroupsNotFleetHealth() {
        // /actuator/health is DOWN when every node is: restarting the console would not help
        Container c = console(Chart.template());
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        assertThat(c.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8080));
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        Service svc = Chart.template().get(Service.class, CONSOLE);
        assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"));
    }

    @Test
    void generatedAdminPasswordIsStoredWithItsBcryptHash() {
        Chart.Rendered r = Chart.template();
        Container c = console(r);
        assertThat(env(c, "MEMFLEET_SECURITY_USERS_0_NAME").getValue()).isEqualTo("admin");
        assertThat(env(c, "MEMFLEET_SECURITY_USERS_0_ROLE").getValue()).isEqualTo("admin");
        var ref = env(c, "MEMFLEET_SECURITY_USERS_0_PASSWORDHASH").getValueFrom().getSecretKeyRef();
        assertThat(ref.getName()).isEqualTo(CONSOLE);
        assertThat(ref.getKey()).isEqualTo("admin-password-hash");
        Secret secret = r.get(Secret.class, CONSOLE);
        assertThat(decode(secret, "admin-password")).hasSize(24);
        assertThat(decode(secret, "admin-password-hash")).matches("\\$2[aby]\\$10\\$[./A-Za-z0-9]{53}");
    }

    @Test
    void givenHashAndExtraUsersGoThroughTheSecret() {
        Chart.Rendered r = Chart.template(sets("console.admin.passwordHash", HASH,
                "console.users[0].name", "ops", "console.users[0].passwordHash", HASH));
        Secret secret = r.get(Secret.class, CONSOLE);
        assertThat(secret.getData()).containsOnlyKeys("admin-password-hash", "user-0-password-hash");
        assertThat(decode(secret, "admin-password-hash")).isEqualTo(HASH);
        Container c = console(r);
        assertThat(env(c, "MEMFLEET_SECURITY_USERS_1_NAME").getValue()).isEqualTo("ops");
        assertThat(env(c, "MEMFLEET_SECURITY_USERS_1_ROLE").getValue()).isEqualTo("viewer");
        assertThat(env(c, "MEMFLEET_SECURITY_USERS_1_PASSWORDHASH").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("user-0-password-hash");
    }

    @Test
    void existingSecretIsUsedAsIs() {
        Chart.Rendered r = Chart.template(sets("console.admin.existingSecret", "console-login", "console.admin.existingSecretKey", "hash"));
        assertThat(r.all(Secret.class)).isEmpty();
        var ref = env(console(r), "MEMFLEET_SECURITY_USERS_0_PASSWORDHASH").getValueFrom().getSecretKeyRef();
        assertThat(ref.getName()).isEqualTo("console-login");
        assertThat(ref.getKey()).isEqualTo("hash");
    }

    @Test
    void ingressRoutesToTheConsoleService() {
        assertThat(Chart.template().all(Ingress.class)).isEmpty();
        Chart.Rendered r = Chart.template(sets("console.ingress.enabled", true, "console.ingress.className", "nginx",
                "console.ingress.host", "cache.example.com"));
        Ingress ingress = r.get(Ingress.class, CONSOLE);
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getSpec().getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getHost()).isEqualTo("cache.example.com");
            var backend = rule.getHttp().getPaths().getFirst().getBackend().getService();
            assertThat(backend.getName()).isEqualTo(CONSOLE);
            assertThat(backend.getPort().getName()).isEqualTo("http");
        });
    }

    @Test
    void consoleCanBeLeftOut() {
        Chart.Rendered r = Chart.template(sets("console.enabled", false));
        assertThat(r.all(Deployment.class)).isEmpty();
        assertThat(r.all(Secret.class)).isEmpty();
        assertThat(r.has("Service", CONSOLE)).isFalse();
        assertThat(r.has("NetworkPolicy", CONSOLE)).isFalse();
    }

    private static String decode(Secret s, String key) {
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }
}
