package memfleet.node.it.binary;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.spotify.folsom.BinaryMemcacheClient;
import com.spotify.folsom.MemcacheClientBuilder;
import com.spotify.folsom.MemcacheStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import memfleet.node.it.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** folsom 1.21 over the binary protocol ({@code connectBinary()}), plain and with SASL PLAIN. */
@ParameterizedClass(name = "{0}")
@MethodSource("memfleet.node.it.clients.ServerKinds#kinds")
@Timeout(value = 60, unit = SECONDS)
class FolsomBinaryIT {
    private static ServerProcess server;
    private static BinaryMemcacheClient<byte[]> client;

    @Parameter
    String kind;

    @BeforeParameterizedClassInvocation
    static void start(String kind) throws Exception {
        server = memfleet.node.it.clients.ServerKinds.start(kind);
        client = MemcacheClientBuilder.newByteArrayClient().withAddress(server.host(), server.port())
                .withRequestTimeoutMillis(5000).connectBinary();
        client.awaitConnected(10, SECONDS);
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        if (client != null) {
            client.shutdown();
            client.awaitDisconnected(10, SECONDS);
            client = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void setGetAddReplaceDeleteAndCounters() throws Exception {
        assertThat(client.set("fb:k", b("v"), 0).toCompletableFuture().get(5, SECONDS)).isEqualTo(MemcacheStatus.OK);
        assertThat(client.get("fb:k").toCompletableFuture().get(5, SECONDS)).isEqualTo(b("v"));
        assertThat(client.get("fb:none").toCompletableFuture().get(5, SECONDS)).isNull();
        assertThat(client.add("fb:k", b("x"), 0).toCompletableFuture().get(5, SECONDS)).isNotEqualTo(MemcacheStatus.OK);
        assertThat(client.replace("fb:k", b("w"), 0).toCompletableFuture().get(5, SECONDS)).isEqualTo(MemcacheStatus.OK);
        assertThat(client.append("fb:k", b("!")).toCompletableFuture().get(5, SECONDS)).isEqualTo(MemcacheStatus.OK);
        assertThat(client.get("fb:k").toCompletableFuture().get(5, SECONDS)).isEqualTo(b("w!"));
        assertThat(client.delete("fb:k").toCompletableFuture().get(5, SECONDS)).isEqualTo(MemcacheStatus.OK);
        assertThat(client.delete("fb:k").toCompletableFuture().get(5, SECONDS)).isEqualTo(MemcacheStatus.KEY_NOT_FOUND);
        client.delete("fb:ctr").toCompletableFuture().get(5, SECONDS);
        assertThat(client.incr("fb:ctr", 2, 7, 0).toCompletableFuture().get(5, SECONDS)).isEqualTo(7L);
        assertThat(client.incr("fb:ctr", 2, 7, 0).toCompletableFuture().get(5, SECONDS)).isEqualTo(9L);
        assertThat(client.decr("fb:ctr", 4, 7, 0).toCompletableFuture().get(5, SECONDS)).isEqualTo(5L);
        assertThat(client.touch("fb:ctr", 100).toCompletableFuture().get(5, SECONDS)).isEqualTo(MemcacheStatus.OK);
        assertThat(client.getAndTouch("fb:ctr", 100).toCompletableFuture().get(5, SECONDS)).isEqualTo(b("5"));
    }

    @Test
    void multiGetKeepsOrderWithNullsForMisses() throws Exception {
        client.set("fb:a", b("1"), 0).toCompletableFuture().get(5, SECONDS);
        client.set("fb:c", b("3"), 0).toCompletableFuture().get(5, SECONDS);
        List<byte[]> got = client.get(List.of("fb:a", "fb:b", "fb:c")).toCompletableFuture().get(5, SECONDS);
        assertThat(got).hasSize(3);
        assertThat(got.get(0)).isEqualTo(b("1"));
        assertThat(got.get(1)).isNull();
        assertThat(got.get(2)).isEqualTo(b("3"));
    }

    @Test
    void saslPlainAuthenticates() throws Exception {
        try (ServerProcess sasl = SaslServers.start(kind)) {
            BinaryMemcacheClient<byte[]> authed = MemcacheClientBuilder.newByteArrayClient()
                    .withAddress(sasl.host(), sasl.port()).withUsernamePassword(SaslServers.USER, SaslServers.PASSWORD)
                    .withRequestTimeoutMillis(5000).connectBinary();
            try {
                authed.awaitConnected(10, SECONDS);
                assertThat(authed.set("fb:sasl", b("ok"), 0).toCompletableFuture().get(5, SECONDS))
                        .isEqualTo(MemcacheStatus.OK);
                assertThat(authed.get("fb:sasl").toCompletableFuture().get(5, SECONDS)).isEqualTo(b("ok"));
            } finally {
                authed.shutdown();
                authed.awaitDisconnected(10, SECONDS);
            }
        }
    }
}
