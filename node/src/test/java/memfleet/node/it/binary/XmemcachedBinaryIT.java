package memfleet.node.it.binary;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import memfleet.node.it.ServerProcess;
import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.command.BinaryCommandFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * xmemcached 2.4.8 with its {@link BinaryCommandFactory}. Its SASL support is not tested: against Debian's
 * memcached with {@code -S} its authenticated client never gets a usable connection either ("There is no
 * available connection at this moment"), so the test would prove nothing about the node.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("memfleet.node.it.clients.ServerKinds#kinds")
@Timeout(value = 60, unit = SECONDS)
class XmemcachedBinaryIT {
    private static ServerProcess server;
    private static MemcachedClient client;

    @Parameter
    String kind;

    @BeforeParameterizedClassInvocation
    static void start(String kind) throws IOException {
        server = memfleet.node.it.clients.ServerKinds.start(kind);
        XMemcachedClientBuilder builder = new XMemcachedClientBuilder(List.of(server.address()));
        builder.setCommandFactory(new BinaryCommandFactory());
        builder.setOpTimeout(5000);
        client = builder.build();
    }

    @AfterParameterizedClassInvocation
    static void stop() throws IOException {
        if (client != null) {
            client.shutdown();
            client = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Test
    void setGetCasDeleteAndCounters() throws Exception {
        assertThat(client.set("xb:k", 0, "v")).isTrue();
        assertThat(client.<String>get("xb:k")).isEqualTo("v");
        assertThat(client.<String>get("xb:none")).isNull();
        GetsResponse<String> gets = client.gets("xb:k");
        assertThat(client.cas("xb:k", 0, "w", gets.getCas())).isTrue();
        assertThat(client.cas("xb:k", 0, "z", gets.getCas())).isFalse();
        assertThat(client.<String>get("xb:k")).isEqualTo("w");
        assertThat(client.add("xb:k", 0, "x")).isFalse();
        assertThat(client.replace("xb:none", 0, "x")).isFalse();
        assertThat(client.append("xb:k", "+")).isTrue();
        assertThat(client.prepend("xb:k", "-")).isTrue();
        assertThat(client.<String>get("xb:k")).isEqualTo("-w+");
        assertThat(client.delete("xb:k")).isTrue();
        assertThat(client.delete("xb:k")).isFalse();
        client.delete("xb:ctr");
        assertThat(client.incr("xb:ctr", 3, 10)).isEqualTo(10);
        assertThat(client.incr("xb:ctr", 3, 10)).isEqualTo(13);
        assertThat(client.decr("xb:ctr", 20, 0)).isZero();
        assertThat(client.touch("xb:ctr", 100)).isTrue();
        assertThat(client.touch("xb:none", 100)).isFalse();
    }

    @Test
    void quietMultiGetReturnsOnlyHits() throws Exception {
        for (int i = 0; i < 30; i += 2) {
            client.set("xb:m" + i, 0, "v" + i);
        }
        Map<String, String> got = client.get(java.util.stream.IntStream.range(0, 30).mapToObj(i -> "xb:m" + i).toList());
        assertThat(got).hasSize(15).containsEntry("xb:m4", "v4").doesNotContainKey("xb:m5");
    }
}
