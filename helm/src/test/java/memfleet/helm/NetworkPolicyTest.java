package memfleet.helm;

import static memfleet.helm.Chart.FULLNAME;
import static memfleet.helm.Chart.sets;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Clients and the console reach the client port; only peers reach the replication port. */
class NetworkPolicyTest {

    static NetworkPolicyIngressRule ruleFor(NetworkPolicy p, int port) {
        return p.getSpec().getIngress().stream()
                .filter(r -> r.getPorts().stream().anyMatch(x -> x.getPort().getIntVal() == port))
                .findFirst().orElseThrow(() -> new AssertionError("no rule for port " + port));
    }

    static Map<String, String> nodeLabels(Chart.Rendered r) {
        return r.get(StatefulSet.class, FULLNAME).getSpec().getTemplate().getMetadata().getLabels();
    }

    @Test
    void onlyPeersReachTheReplicationPort() {
        Chart.Rendered r = Chart.template();
        NetworkPolicy p = r.get(NetworkPolicy.class, FULLNAME);
        assertThat(nodeLabels(r)).containsAllEntriesOf(p.getSpec().getPodSelector().getMatchLabels());
        assertThat(p.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(p.getSpec().getIngress()).hasSize(2);
        NetworkPolicyIngressRule replication = ruleFor(p, 11212);
        assertThat(replication.getPorts()).singleElement();
        assertThat(replication.getFrom()).singleElement().satisfies(peer -> {
            assertThat(peer.getNamespaceSelector()).as("this namespace only").isNull();
            assertThat(peer.getIpBlock()).isNull();
            assertThat(peer.getPodSelector().getMatchLabels()).isEqualTo(p.getSpec().getPodSelector().getMatchLabels());
        });
        Map<String, String> consoleLabels = r.get(Deployment.class, FULLNAME + "-console").getSpec().getTemplate().getMetadata().getLabels();
        assertThat(consoleLabels).doesNotContainEntry("app.kubernetes.io/component", "node");
    }

    @Test
    void anyClientReachesTheClientPortByDefault() {
        NetworkPolicyIngressRule client = ruleFor(Chart.template().get(NetworkPolicy.class, FULLNAME), 11211);
        assertThat(client.getFrom()).as("no from: every source").isNullOrEmpty();
        assertThat(client.getPorts()).singleElement();
    }

    @Test
    void closedNetworkAdmitsLabelledClientsTheConsoleAndExtras() {
        Chart.Rendered r = Chart.template(sets("networkPolicy.allowExternal", false,
                "networkPolicy.extraClients[0].namespaceSelector.matchLabels.team", "web"));
        NetworkPolicyIngressRule client = ruleFor(r.get(NetworkPolicy.class, FULLNAME), 11211);
        Map<String, String> consoleLabels = r.get(Deployment.class, FULLNAME + "-console").getSpec().getTemplate().getMetadata().getLabels();
        List<NetworkPolicyPeer> from = client.getFrom();
        assertThat(from).anySatisfy(peer -> assertThat(peer.getPodSelector().getMatchLabels()).isEqualTo(Map.of(FULLNAME + "-client", "true")));
        assertThat(from).anySatisfy(peer -> assertThat(consoleLabels).containsAllEntriesOf(peer.getPodSelector().getMatchLabels()));
        assertThat(from).filteredOn(peer -> peer.getNamespaceSelector() != null).singleElement()
                .satisfies(peer -> assertThat(peer.getNamespaceSelector().getMatchLabels()).isEqualTo(Map.of("team", "web")));
        assertThat(from).filteredOn(peer -> peer.getPodSelector() != null)
                .allSatisfy(peer -> assertThat(peer.getNamespaceSelector()).as("pods of this namespace").isNull());
        assertThat(ruleFor(r.get(NetworkPolicy.class, FULLNAME), 11212).getFrom()).singleElement();
    }

    @Test
    void withoutReplicationThereIsNoReplicationRule() {
        NetworkPolicy p = Chart.template(sets("replication.enabled", false)).get(NetworkPolicy.class, FULLNAME);
        assertThat(p.getSpec().getIngress()).singleElement()
                .satisfies(rule -> assertThat(rule.getPorts().getFirst().getPort().getIntVal()).isEqualTo(11211));
    }

    @Test
    void consoleTakesOnlyItsHttpPortAndPoliciesCanBeOff() {
        NetworkPolicy console = Chart.template().get(NetworkPolicy.class, FULLNAME + "-console");
        assertThat(console.getSpec().getIngress()).singleElement()
                .satisfies(rule -> assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(8080)));
        assertThat(Chart.template(sets("networkPolicy.enabled", false)).all(NetworkPolicy.class)).isEmpty();
    }
}
