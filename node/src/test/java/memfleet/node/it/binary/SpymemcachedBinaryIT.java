package memfleet.node.it.binary;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import memfleet.node.it.ServerProcess;
import net.spy.memcached.CASResponse;
import net.spy.memcached.CASValue;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.ConnectionFactoryBuilder.Protocol;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.auth.AuthDescriptor;
import net.spy.memcached.auth.PlainCallbackHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** spymemcached 2.12.3 with its binary connection factory, plain and with SASL PLAIN against a {@code -S} server. */
@ParameterizedClass(name = "{0}")
@MethodSource("memfleet.node.it.clients.ServerKinds#kinds")
@Timeout(value = 60, unit = SECONDS)
class SpymemcachedBinaryIT {
    private static ServerProcess server;
    private static MemcachedClient client;

    @Parameter
    String kind;

    @BeforeParameterizedClassInvocation
    static void start(String kind) throws IOException {
        server = memfleet.node.it.clients.ServerKinds.start(kind);
        client = new MemcachedClient(new ConnectionFactoryBuilder().setProtocol(Protocol.BINARY).setOpTimeout(5000)
                .setDaemon(true).build(), List.of(server.address()));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        if (client != null) {
            client.shutdown(5, SECONDS);
            client = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Test
    void storageCommandsFollowMemcachedsRules() throws Exception {
        assertThat(client.set("spyb:k", 0, "v1").get(5, SECONDS)).isTrue();
        assertThat(client.get("spyb:k")).isEqualTo("v1");
        assertThat(client.get("spyb:missing")).isNull();
        assertThat(client.add("spyb:k", 0, "x").get(5, SECONDS)).isFalse();
        assertThat(client.add("spyb:new", 0, "n").get(5, SECONDS)).isTrue();
        assertThat(client.replace("spyb:k", 0, "v2").get(5, SECONDS)).isTrue();
        assertThat(client.replace("spyb:none", 0, "x").get(5, SECONDS)).isFalse();
        assertThat(client.append(0, "spyb:k", "-tail").get(5, SECONDS)).isTrue();
        assertThat(client.prepend(0, "spyb:k", "head-").get(5, SECONDS)).isTrue();
        assertThat(client.get("spyb:k")).isEqualTo("head-v2-tail");
        assertThat(client.append(0, "spyb:none", "x").get(5, SECONDS)).isFalse();
        assertThat(client.delete("spyb:k").get(5, SECONDS)).isTrue();
        assertThat(client.delete("spyb:k").get(5, SECONDS)).isFalse();
    }

    @Test
    void casSucceedsOnlyWithTheCurrentValue() throws Exception {
        client.set("spyb:cas", 0, "a").get(5, SECONDS);
        CASValue<Object> first = client.gets("spyb:cas");
        assertThat(client.cas("spyb:cas", first.getCas(), "b")).isEqualTo(CASResponse.OK);
        assertThat(client.cas("spyb:cas", first.getCas(), "c")).isEqualTo(CASResponse.EXISTS);
        assertThat(client.cas("spyb:cas:none", first.getCas(), "c")).isEqualTo(CASResponse.NOT_FOUND);
        assertThat(client.get("spyb:cas")).isEqualTo("b");
    }

    @Test
    void countersStartAtTheDefaultAndStepFromThere() throws Exception {
        client.delete("spyb:ctr").get(5, SECONDS);
        assertThat(client.incr("spyb:ctr", 5, 100)).isEqualTo(100); // created with the default, no delta
        assertThat(client.incr("spyb:ctr", 5, 100)).isEqualTo(105);
        assertThat(client.decr("spyb:ctr", 200, 0)).isZero();
        assertThat(client.incr("spyb:ctr:none", 1)).isEqualTo(-1); // no default: not created
        assertThat(client.get("spyb:ctr:none")).isNull();
        client.set("spyb:text", 0, "abc").get(5, SECONDS);
        assertThat(client.incr("spyb:text", 1)).isEqualTo(-1);
    }

    @Test
    void bulkGetTouchAndGetAndTouch() throws Exception {
        for (int i = 0; i < 20; i++) {
            client.set("spyb:bulk" + i, 0, "v" + i).get(5, SECONDS);
        }
        Map<String, Object> got = client.getBulk(java.util.stream.IntStream.range(0, 25).mapToObj(i -> "spyb:bulk" + i).toList());
        assertThat(got).hasSize(20).containsEntry("spyb:bulk7", "v7");
        assertThat(client.touch("spyb:bulk1", 100).get(5, SECONDS)).isTrue();
        assertThat(client.touch("spyb:none", 100).get(5, SECONDS)).isFalse();
        CASValue<Object> gat = client.getAndTouch("spyb:bulk2", 100);
        assertThat(gat.getValue()).isEqualTo("v2");
    }

    @Test
    void statsAndVersionAnswer() {
        Map<String, String> stats = client.getStats().values().iterator().next();
        assertThat(stats).containsKeys("pid", "curr_items", "get_hits");
        Map<String, String> settings = client.getStats("settings").values().iterator().next();
        assertThat(settings).containsEntry("binding_protocol", "auto-negotiate");
        assertThat(client.getVersions().values()).containsExactly("1.6.18");
    }

    @Test
    void saslPlainAuthenticatesAndAWrongPasswordGetsNothing() throws Exception {
        try (ServerProcess sasl = SaslServers.start(kind)) {
            MemcachedClient good = new MemcachedClient(new ConnectionFactoryBuilder().setProtocol(Protocol.BINARY)
                    .setAuthDescriptor(new AuthDescriptor(new String[] {"PLAIN"},
                            new PlainCallbackHandler(SaslServers.USER, SaslServers.PASSWORD)))
                    .setOpTimeout(5000).setDaemon(true).build(), List.of(sasl.address()));
            try {
                assertThat(good.set("spyb:sasl", 0, "secret").get(10, SECONDS)).isTrue();
                assertThat(good.get("spyb:sasl")).isEqualTo("secret");
            } finally {
                good.shutdown(5, SECONDS);
            }
            MemcachedClient bad = new MemcachedClient(new ConnectionFactoryBuilder().setProtocol(Protocol.BINARY)
                    .setAuthDescriptor(new AuthDescriptor(new String[] {"PLAIN"},
                            new PlainCallbackHandler(SaslServers.USER, "wrong")))
                    .setOpTimeout(2000).setDaemon(true).build(), List.of(sasl.address()));
            try {
                Object value;
                try {
                    value = bad.get("spyb:sasl");
                } catch (RuntimeException refused) {
                    value = null;
                }
                assertThat(value).isNull();
            } finally {
                bad.shutdown(1, SECONDS);
            }
        }
    }
}
