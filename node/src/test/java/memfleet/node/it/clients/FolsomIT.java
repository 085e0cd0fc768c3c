package memfleet.node.it.clients;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.spotify.folsom.AsciiMemcacheClient;
import com.spotify.folsom.BinaryMemcacheClient;
import com.spotify.folsom.MemcacheClient;
import com.spotify.folsom.GetResult;
import com.spotify.folsom.MemcacheClientBuilder;
import com.spotify.folsom.MemcacheStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import memfleet.node.it.Protocol;
import memfleet.node.it.SaslServers;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Spotify's folsom 1.21.0 (Netty, pipelined, asynchronous) with its ASCII client and its binary client, against a
 * real server process.
 */
@ServerTest(protocols = {Protocol.TEXT, Protocol.BINARY})
@Timeout(value = 60, unit = SECONDS)
class FolsomIT {
    private final ServerRun run;
    /** One client for the whole run, as an application keeps one. */
    private final MemcacheClient<byte[]> client;

    FolsomIT(ServerRun run) {
        this.run = run;
        this.client = run.once("client", () -> connect(run, null), FolsomIT::disconnect);
    }

    private static MemcacheClient<byte[]> connect(ServerRun run, ServerProcess server) {
        ServerProcess target = server != null ? server : run.server();
        MemcacheClientBuilder<byte[]> builder = MemcacheClientBuilder.newByteArrayClient()
                .withAddress(target.host(), target.port())
                .withRequestTimeoutMillis(5000)
                .withConnectionTimeoutMillis(5000);
        if (server != null) {
            builder.withUsernamePassword(SaslServers.USER, SaslServers.PASSWORD);
        }
        MemcacheClient<byte[]> client = run.protocol() == Protocol.BINARY ? builder.connectBinary()
                : builder.connectAscii();
        try {
            client.awaitConnected(10, SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("folsom did not connect to " + target, e);
        }
        return client;
    }

    private static void disconnect(MemcacheClient<byte[]> client) throws Exception {
        client.shutdown();
        client.awaitDisconnected(10, SECONDS);
    }

    @Test
    void setThenGetAndAMissingKeyIsNull() throws Exception {
        assertThat(result(client.set("folsom:set", bytes("hello"), 0))).isEqualTo(MemcacheStatus.OK);

        assertThat(result(client.get("folsom:set"))).isEqualTo(bytes("hello"));
        assertThat(result(client.get("folsom:set:missing"))).isNull();
    }

    @Test
    void getAllAnswersInKeyOrderWithNullForMissingKeys() throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String key = "folsom:all:" + i;
            keys.add(key);
            result(client.set(key, bytes("v" + i), 0));
        }
        keys.add(10, "folsom:all:missing");

        List<byte[]> values = result(client.get(keys));
        Map<String, byte[]> asMap = result(client.getAsMap(keys));

        assertThat(values).hasSize(31);
        assertThat(values.get(10)).isNull();
        assertThat(values.get(0)).isEqualTo(bytes("v0"));
        assertThat(values.get(11)).isEqualTo(bytes("v10"));
        assertThat(values.get(30)).isEqualTo(bytes("v29"));
        assertThat(asMap).hasSize(30).doesNotContainKey("folsom:all:missing");
    }

    @Test
    void casStoresWithTheCurrentCasOnlyAndReportsExistsOrNotFound() throws Exception {
        result(client.set("folsom:cas", bytes("v1"), 0));
        GetResult<byte[]> first = result(client.casGet("folsom:cas"));
        assertThat(first.getValue()).isEqualTo(bytes("v1"));

        assertThat(result(client.set("folsom:cas", bytes("v2"), 0, first.getCas()))).isEqualTo(MemcacheStatus.OK);
        assertThat(result(client.set("folsom:cas", bytes("stale"), 0, first.getCas())))
                .isEqualTo(MemcacheStatus.KEY_EXISTS);
        assertThat(result(client.get("folsom:cas"))).isEqualTo(bytes("v2"));
        assertThat(result(client.set("folsom:cas:missing", bytes("x"), 0, first.getCas())))
                .isEqualTo(MemcacheStatus.KEY_NOT_FOUND);
    }

    @Test
    void flagsRoundTripThroughCasGet() throws Exception {
        // memcached's flags are 32 bits unsigned, but folsom writes its int flags signed, so stay below 2^31
        for (int flags : new int[] {0, 1, 0xFFFF, 0x10000, 0x7FFFFFFF}) {
            String key = "folsom:flags:" + Integer.toUnsignedString(flags);
            assertThat(result(client.set(key, bytes("f"), 0, flags))).isEqualTo(MemcacheStatus.OK);

            assertThat(result(client.casGet(key)).getFlags()).as("flags %s", Integer.toUnsignedString(flags))
                    .isEqualTo(flags);
        }
    }

    @Test
    void deleteRemovesTheKeyOnce() throws Exception {
        result(client.set("folsom:delete", bytes("v"), 0));

        assertThat(result(client.delete("folsom:delete"))).isEqualTo(MemcacheStatus.OK);
        assertThat(result(client.get("folsom:delete"))).isNull();
        assertThat(result(client.delete("folsom:delete"))).isEqualTo(MemcacheStatus.KEY_NOT_FOUND);
    }

    @Test
    void incrAndDecrCountAndMissOnAMissingKey() throws Exception {
        result(client.set("folsom:counter", bytes("41"), 0));

        assertThat(result(incr("folsom:counter", 1))).isEqualTo(42);
        assertThat(result(decr("folsom:counter", 2))).isEqualTo(40);
        assertThat(result(decr("folsom:counter", 100))).isZero();
        if (run.protocol() == Protocol.BINARY) {
            // folsom turns a ttl <= 0 into expiration 0, never 0xffffffff: its binary incr always creates
            // the missing counter at the initial value, on memcached as on the node
            assertThat(result(incr("folsom:counter:missing", 1))).isZero();
            assertThat(result(client.get("folsom:counter:missing"))).isEqualTo(bytes("0"));
        } else {
            assertThat(result(incr("folsom:counter:missing", 1))).isNull();
            assertThat(result(decr("folsom:counter:missing", 1))).isNull();
        }
    }

    @Test
    void binaryCountersStartAtTheirInitialValueAndGetAndTouchReturnsTheValue() throws Exception {
        assumeTrue(run.protocol() == Protocol.BINARY, "initial values and get-and-touch are binary-only in folsom");
        BinaryMemcacheClient<byte[]> binary = (BinaryMemcacheClient<byte[]>) client;
        result(client.delete("folsom:initial"));
        assertThat(result(binary.incr("folsom:initial", 2, 7, 0))).isEqualTo(7L);
        assertThat(result(binary.incr("folsom:initial", 2, 7, 0))).isEqualTo(9L);
        assertThat(result(binary.decr("folsom:initial", 4, 7, 0))).isEqualTo(5L);
        assertThat(result(binary.getAndTouch("folsom:initial", 100))).isEqualTo(bytes("5"));
        assertThat(result(binary.getAndTouch("folsom:initial:missing", 100))).isNull();
    }

    @Test
    void saslPlainAuthenticates() throws Exception {
        assumeTrue(run.protocol() == Protocol.BINARY, "SASL is part of the binary protocol only");
        try (ServerProcess sasl = new SaslServers().start(run.kind(), "-m", "64")) {
            MemcacheClient<byte[]> authed = connect(run, sasl);
            try {
                assertThat(result(authed.set("folsom:sasl", bytes("ok"), 0))).isEqualTo(MemcacheStatus.OK);
                assertThat(result(authed.get("folsom:sasl"))).isEqualTo(bytes("ok"));
            } finally {
                disconnect(authed);
            }
        }
    }

    @Test
    void touchChangesTheExptimeOfAnExistingKeyOnly() throws Exception {
        result(client.set("folsom:touch", bytes("v"), 3600));
        result(client.set("folsom:touch:kept", bytes("v"), 1));

        // folsom sends a ttl of 0 or less as 0 (never expire), so shorten the life to 1 second and wait it out
        assertThat(result(client.touch("folsom:touch", 1))).isEqualTo(MemcacheStatus.OK);
        assertThat(result(client.touch("folsom:touch:kept", 3600))).isEqualTo(MemcacheStatus.OK);
        assertThat(result(client.touch("folsom:touch:missing", 60))).isEqualTo(MemcacheStatus.KEY_NOT_FOUND);

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> result(client.get("folsom:touch")) == null);
        assertThat(result(client.get("folsom:touch:kept"))).isEqualTo(bytes("v"));
    }

    @Test
    void addAndReplaceStoreOnlyWhenTheKeyIsAbsentOrPresent() throws Exception {
        assertThat(result(client.add("folsom:add", bytes("first"), 0))).isEqualTo(MemcacheStatus.OK);
        assertThat(result(client.add("folsom:add", bytes("second"), 0))).isEqualTo(MemcacheStatus.ITEM_NOT_STORED);
        assertThat(result(client.get("folsom:add"))).isEqualTo(bytes("first"));

        assertThat(result(client.replace("folsom:add", bytes("replaced"), 0))).isEqualTo(MemcacheStatus.OK);
        assertThat(result(client.get("folsom:add"))).isEqualTo(bytes("replaced"));
        // binary answers a replace of a missing key with status 0x0001 (key not found), text with NOT_STORED
        assertThat(result(client.replace("folsom:replace:missing", bytes("x"), 0))).isEqualTo(
                run.protocol() == Protocol.BINARY ? MemcacheStatus.KEY_NOT_FOUND : MemcacheStatus.ITEM_NOT_STORED);
    }

    @Test
    void appendAndPrependNeedAnExistingKey() throws Exception {
        result(client.set("folsom:append", bytes("b"), 0));

        assertThat(result(client.append("folsom:append", bytes("c")))).isEqualTo(MemcacheStatus.OK);
        assertThat(result(client.prepend("folsom:append", bytes("a")))).isEqualTo(MemcacheStatus.OK);
        assertThat(result(client.get("folsom:append"))).isEqualTo(bytes("abc"));
        assertThat(result(client.append("folsom:append:missing", bytes("x")))).isEqualTo(MemcacheStatus.ITEM_NOT_STORED);
        assertThat(result(client.prepend("folsom:append:missing", bytes("x")))).isEqualTo(MemcacheStatus.ITEM_NOT_STORED);
    }

    @Test
    void manyPipelinedRequestsAllGetTheirOwnAnswer() throws Exception {
        // folsom writes requests back to back without waiting: replies must come back in request order
        List<CompletionStage<MemcacheStatus>> sets = IntStream.range(0, 500)
                .mapToObj(i -> client.set("folsom:pipe:" + i, bytes("value " + i), 0))
                .toList();
        for (CompletionStage<MemcacheStatus> set : sets) {
            assertThat(result(set)).isEqualTo(MemcacheStatus.OK);
        }
        List<CompletionStage<byte[]>> gets = IntStream.range(0, 500)
                .mapToObj(i -> client.get(i % 7 == 0 ? "folsom:pipe:missing:" + i : "folsom:pipe:" + i))
                .toList();

        for (int i = 0; i < 500; i++) {
            byte[] value = result(gets.get(i));
            if (i % 7 == 0) {
                assertThat(value).as("reply %d", i).isNull();
            } else {
                assertThat(value).as("reply %d: %s", i, value == null ? null : Arrays.toString(value))
                        .isEqualTo(bytes("value " + i));
            }
        }
    }

    /** incr/decr: folsom's ASCII client as is, its binary one with initial value 0. */
    private CompletionStage<Long> incr(String key, long by) {
        return client instanceof BinaryMemcacheClient<byte[]> binary ? binary.incr(key, by, 0, -1)
                : ((AsciiMemcacheClient<byte[]>) client).incr(key, by);
    }

    private CompletionStage<Long> decr(String key, long by) {
        return client instanceof BinaryMemcacheClient<byte[]> binary ? binary.decr(key, by, 0, -1)
                : ((AsciiMemcacheClient<byte[]>) client).decr(key, by);
    }

    private static <T> T result(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(5, SECONDS);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }
}
