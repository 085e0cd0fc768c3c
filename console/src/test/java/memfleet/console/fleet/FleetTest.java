package memfleet.console.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Node addresses as configured, and DNS discovery through the system resolver. */
class FleetTest {
    @Test
    void parsesHostPortAndGroup() {
        assertThat(NodeAddress.parse("10.0.0.5:11211")).isEqualTo(new NodeAddress("10.0.0.5", 11211, "default"));
        assertThat(NodeAddress.parse(" cache-1.example:11212@eu ")).isEqualTo(new NodeAddress("cache-1.example", 11212, "eu"));
        NodeAddress v6 = NodeAddress.parse("[::1]:11211@lab");
        assertThat(v6.host()).isEqualTo("::1");
        assertThat(v6.id()).isEqualTo("[::1]:11211");
        for (String bad : List.of("nohost", ":11211", "h:", "h:port", "h:70000", "h:1@bad group")) {
            assertThatThrownBy(() -> NodeAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void mergesConfiguredAndDiscoveredNodesOnceEachSortedByGroup() {
        FleetProperties props = new FleetProperties(List.of("127.0.0.1:11300@b", "127.0.0.1:11301@a"),
                List.of(new FleetProperties.Discovery("localhost", 11302, "c"),
                        new FleetProperties.Discovery("no-such-host.invalid", 11303, "d")),
                Duration.ofSeconds(30));
        Fleet fleet = new Fleet(props);
        assertThat(fleet.nodes()).extracting(NodeAddress::id).containsExactly("127.0.0.1:11301", "127.0.0.1:11300");
        new DnsDiscovery(props, fleet).resolveAll();
        // localhost resolves through /etc/hosts to at least the IPv4 loopback; the .invalid name to nothing
        assertThat(fleet.nodes()).extracting(NodeAddress::id).contains("127.0.0.1:11302");
        assertThat(fleet.groups().keySet()).containsExactly("a", "b", "c");
        assertThat(fleet.find("127.0.0.1:11302")).hasValueSatisfying(n -> assertThat(n.group()).isEqualTo("c"));
    }
}
