package memfleet.node.it.clients;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import java.io.UncheckedIOException;
import memfleet.node.it.Protocol;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.SaslServers;
import memfleet.node.it.TextConnection;
import net.spy.memcached.CASResponse;
import net.spy.memcached.CASValue;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.auth.AuthDescriptor;
import net.spy.memcached.auth.PlainCallbackHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * spymemcached 2.12.3 as a Java application uses it, over the text protocol and with its binary connection factory,
 * against a real server process.
 */
@ServerTest(protocols = {Protocol.TEXT, Protocol.BINARY})
@Timeout(value = 60, unit = SECONDS)
class SpymemcachedIT {
    /** memcached's default item size limit ({@code -I 1m}): the whole item, header and key included. */
    private static final int ITEM_SIZE_MAX = 1024 * 1024;

    private static final FlaggedBytesTranscoder RAW = new FlaggedBytesTranscoder();

    private final ServerRun run;
    private final ServerProcess server;
    /** One client for the whole run, as an application keeps one. */
    private final MemcachedClient client;

    SpymemcachedIT(ServerRun run) {
        this.run = run;
        this.server = run.server();
        this.client = run.once("client", this::newClient, c -> c.shutdown(5, SECONDS));
    }

    private MemcachedClient newClient() {
        return newClient(null);
    }

    private MemcachedClient newClient(AuthDescriptor auth) {
        ConnectionFactoryBuilder factory = new ConnectionFactoryBuilder()
                .setProtocol(run.protocol() == Protocol.BINARY ? ConnectionFactoryBuilder.Protocol.BINARY
                        : ConnectionFactoryBuilder.Protocol.TEXT)
                .setOpTimeout(5000)
                .setDaemon(true);
        if (auth != null) {
            factory.setAuthDescriptor(auth);
        }
        try {
            return new MemcachedClient(factory.build(), List.of(server.address()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void setThenGetReturnsTheValueAndAMissingKeyReturnsNull() throws Exception {
        assertThat(client.set("spy:set", 0, "hello").get(5, SECONDS)).isTrue();

        assertThat(client.get("spy:set")).isEqualTo("hello");
        assertThat(client.get("spy:set:missing")).isNull();
    }

    @Test
    void casSucceedsWithTheCurrentCasAndAnswersExistsOrNotFoundOtherwise() throws Exception {
        client.set("spy:cas", 0, "v1").get(5, SECONDS);
        CASValue<Object> first = client.gets("spy:cas");
        assertThat(first.getValue()).isEqualTo("v1");

        assertThat(client.cas("spy:cas", first.getCas(), "v2")).isEqualTo(CASResponse.OK);
        CASValue<Object> second = client.gets("spy:cas");
        assertThat(second.getValue()).isEqualTo("v2");
        assertThat(second.getCas()).isNotEqualTo(first.getCas());

        assertThat(client.cas("spy:cas", first.getCas(), "stale")).isEqualTo(CASResponse.EXISTS);
        assertThat(client.get("spy:cas")).isEqualTo("v2");
        assertThat(client.cas("spy:cas:missing", second.getCas(), "x")).isEqualTo(CASResponse.NOT_FOUND);
        assertThat(client.get("spy:cas:missing")).isNull();
    }

    @Test
    void addStoresOnlyNewKeysAndReplaceOnlyExistingOnes() throws Exception {
        assertThat(client.add("spy:add", 0, "first").get(5, SECONDS)).isTrue();
        assertThat(client.add("spy:add", 0, "second").get(5, SECONDS)).isFalse();
        assertThat(client.get("spy:add")).isEqualTo("first");

        assertThat(client.replace("spy:add", 0, "replaced").get(5, SECONDS)).isTrue();
        assertThat(client.get("spy:add")).isEqualTo("replaced");
        assertThat(client.replace("spy:replace:missing", 0, "x").get(5, SECONDS)).isFalse();
        assertThat(client.get("spy:replace:missing")).isNull();
    }

    @Test
    void appendAndPrependExtendTheValueKeepTheItemsFlagsAndNeedAnExistingKey() throws Exception {
        client.set("spy:append", 0, new FlaggedBytes(42, bytes("b")), RAW).get(5, SECONDS);

        // the flags given with append/prepend are ignored: the item keeps the flags it was set with
        assertThat(client.append("spy:append", new FlaggedBytes(7, bytes("c")), RAW).get(5, SECONDS)).isTrue();
        assertThat(client.prepend("spy:append", new FlaggedBytes(7, bytes("a")), RAW).get(5, SECONDS)).isTrue();

        assertThat(client.get("spy:append", RAW)).isEqualTo(new FlaggedBytes(42, bytes("abc")));
        assertThat(client.append("spy:append:missing", "x").get(5, SECONDS)).isFalse();
        assertThat(client.prepend("spy:append:missing", "x").get(5, SECONDS)).isFalse();
        assertThat(client.get("spy:append:missing")).isNull();
    }

    @Test
    void deleteRemovesTheKeyOnceAndThenReportsNotFound() throws Exception {
        client.set("spy:delete", 0, "doomed").get(5, SECONDS);

        assertThat(client.delete("spy:delete").get(5, SECONDS)).isTrue();
        assertThat(client.get("spy:delete")).isNull();
        assertThat(client.delete("spy:delete").get(5, SECONDS)).isFalse();
    }

    @Test
    void incrAndDecrChangeADecimalValueAndMissOnAMissingKey() throws Exception {
        client.set("spy:counter", 0, "10").get(5, SECONDS);

        assertThat(client.incr("spy:counter", 5)).isEqualTo(15);
        assertThat(client.decr("spy:counter", 3)).isEqualTo(12);
        assertThat(client.get("spy:counter")).isEqualTo("12");
        // spymemcached reports NOT_FOUND as -1 and leaves the key absent
        assertThat(client.incr("spy:counter:missing", 1)).isEqualTo(-1);
        assertThat(client.decr("spy:counter:missing", 1)).isEqualTo(-1);
        assertThat(client.get("spy:counter:missing")).isNull();
    }

    @Test
    void incrWithADefaultCreatesTheCounterWithoutApplyingTheDelta() throws Exception {
        client.delete("spy:ctr").get(5, SECONDS);
        assertThat(client.incr("spy:ctr", 5, 100)).isEqualTo(100);
        assertThat(client.incr("spy:ctr", 5, 100)).isEqualTo(105);
        assertThat(client.decr("spy:ctr", 200, 0)).isZero();
        assertThat(client.get("spy:ctr").toString().strip()).isEqualTo("0");
    }

    @Test
    void incrWrapsAroundAt2Pow64() throws Exception {
        // the counter is an unsigned 64-bit integer: 2^64 - 1 + 1 wraps to 0
        client.set("spy:wrap", 0, "18446744073709551615").get(5, SECONDS);
        assertThat(client.incr("spy:wrap", 1)).isEqualTo(0);

        client.set("spy:wrap", 0, "18446744073709551614").get(5, SECONDS);
        assertThat(client.incr("spy:wrap", 5)).isEqualTo(3);
        // rewritten in place, so the 20-digit value keeps its length: "3" and 19 spaces
        assertThat(client.get("spy:wrap")).isEqualTo("3" + " ".repeat(19));
    }

    @Test
    void decrStopsAtZero() throws Exception {
        client.set("spy:floor", 0, "5").get(5, SECONDS);

        assertThat(client.decr("spy:floor", 10)).isEqualTo(0);
        assertThat(client.decr("spy:floor", 1)).isEqualTo(0);
        assertThat(client.get("spy:floor").toString().strip()).isEqualTo("0");
    }

    @Test
    void decrToFewerDigitsKeepsTheValueLengthPaddedWithSpaces() throws Exception {
        // memcached rewrites a shrinking counter in place: "10" decremented by 1 reads back as "9 "
        client.set("spy:pad", 0, "10").get(5, SECONDS);

        assertThat(client.decr("spy:pad", 1)).isEqualTo(9);
        assertThat(client.get("spy:pad")).isEqualTo("9 ");
        assertThat(client.incr("spy:pad", 1)).isEqualTo(10);
        assertThat(client.get("spy:pad")).isEqualTo("10");
    }

    @Test
    void incrOnANonNumericValueFailsWithMemcachedsErrorAndLeavesTheValue() throws Exception {
        client.set("spy:text", 0, "abc").get(5, SECONDS);

        // spymemcached turns the CLIENT_ERROR into -1 and then drops its connection, so use a client of its own
        MemcachedClient own = newClient();
        try {
            assertThat(own.incr("spy:text", 1)).isEqualTo(-1);
        } finally {
            own.shutdown();
        }
        try (TextConnection text = new TextConnection(server)) {
            assertThat(text.call("incr spy:text 1\r\n"))
                    .isEqualTo("CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
            assertThat(text.call("decr spy:text 1\r\n"))
                    .isEqualTo("CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
        }
        assertThat(client.get("spy:text")).isEqualTo("abc");
    }

    @Test
    void touchWithANegativeExptimeExpiresAtOnceAndMissesOnAMissingKey() throws Exception {
        client.set("spy:touch", 0, "v").get(5, SECONDS);

        assertThat(client.touch("spy:touch", 3600).get(5, SECONDS)).isTrue();
        assertThat(client.get("spy:touch")).isEqualTo("v");
        assertThat(client.touch("spy:touch", -1).get(5, SECONDS)).isTrue();
        // binary carries exptime as an unsigned 32-bit field: -1 is 4294967295, an absolute time in 2106
        assertThat(client.get("spy:touch")).isEqualTo(run.protocol() == Protocol.BINARY ? "v" : null);
        assertThat(client.touch("spy:touch:missing", 60).get(5, SECONDS)).isFalse();
    }

    @Test
    void getAndTouchReturnsTheValueAndAppliesTheNewExptime() throws Exception {
        client.set("spy:gat", 0, new FlaggedBytes(5, bytes("value")), RAW).get(5, SECONDS);
        long cas = client.gets("spy:gat", RAW).getCas();
        if (run.protocol() == Protocol.BINARY) {
            CASValue<FlaggedBytes> got = client.getAndTouch("spy:gat", 3600, RAW);
            assertThat(got.getValue()).isEqualTo(new FlaggedBytes(5, bytes("value")));
            assertThat(got.getCas()).isEqualTo(cas);
            assertThat(client.getAndTouch("spy:gat:missing", 3600)).isNull();
            client.getAndTouch("spy:gat", -1, RAW);
            assertThat(client.get("spy:gat")).isNull();
            return;
        }
        // spymemcached's text protocol refuses getAndTouch on the client side; the server's gat/gats is what a
        // text client that has it (e.g. pymemcache 4, libmemcached) sends, so send it as bytes on the wire
        assertThatThrownBy(() -> client.getAndTouch("spy:gat", 60)).isInstanceOf(UnsupportedOperationException.class);
        try (TextConnection text = new TextConnection(server)) {
            assertThat(text.send("gat 3600 spy:gat spy:gat:missing\r\n").readUntil("END\r\n"))
                    .isEqualTo("VALUE spy:gat 5 5\r\nvalue\r\nEND\r\n");
            assertThat(text.send("gats 3600 spy:gat\r\n").readUntil("END\r\n"))
                    .isEqualTo("VALUE spy:gat 5 5 " + cas + "\r\nvalue\r\nEND\r\n");
            // gat returns the item and then applies the new exptime: -1 means already expired
            assertThat(text.send("gat -1 spy:gat\r\n").readUntil("END\r\n"))
                    .isEqualTo("VALUE spy:gat 5 5\r\nvalue\r\nEND\r\n");
        }
        assertThat(client.get("spy:gat")).isNull();
    }

    @Test
    void bulkGetOf100KeysReturnsExactlyTheStoredOnes() throws Exception {
        List<String> keys = IntStream.range(0, 100).mapToObj(i -> "spy:bulk:" + i).toList();
        for (String key : keys) {
            assertThat(client.set(key, 0, "value of " + key).get(5, SECONDS)).isTrue();
        }
        List<String> asked = new ArrayList<>(keys);
        asked.addAll(List.of("spy:bulk:missing:1", "spy:bulk:missing:2"));

        Map<String, Object> found = client.getBulk(asked);

        assertThat(found).hasSize(100).doesNotContainKeys("spy:bulk:missing:1", "spy:bulk:missing:2");
        keys.forEach(key -> assertThat(found).containsEntry(key, "value of " + key));
    }

    @Test
    void itemsExpireAfterTheirExptimeWhetherSetOrTouched() throws Exception {
        client.set("spy:exp:set", 1, "short").get(5, SECONDS);
        client.set("spy:exp:touched", 0, "short").get(5, SECONDS);
        assertThat(client.touch("spy:exp:touched", 1).get(5, SECONDS)).isTrue();
        client.set("spy:exp:never", 0, "stays").get(5, SECONDS);
        client.set("spy:exp:hour", 3600, "stays").get(5, SECONDS);

        // memcached's clock ticks once a second, so exptime 1 ends within 1 to 2 seconds
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get("spy:exp:set") == null && client.get("spy:exp:touched") == null);

        assertThat(client.get("spy:exp:never")).isEqualTo("stays");
        assertThat(client.get("spy:exp:hour")).isEqualTo("stays");
    }

    @Test
    void exptimeOver30DaysIsAnAbsoluteUnixTimeAndANegativeOneExpiresAtOnce() throws Exception {
        long serverTime = Long.parseLong(stats().get("time"));

        client.set("spy:abs:future", (int) (serverTime + 3600), "stays").get(5, SECONDS);
        client.set("spy:abs:past", (int) (serverTime - 3600), "gone").get(5, SECONDS);
        client.set("spy:abs:negative", -1, "gone").get(5, SECONDS);

        assertThat(client.get("spy:abs:future")).isEqualTo("stays");
        assertThat(client.get("spy:abs:past")).isNull();
        // binary carries exptime as an unsigned 32-bit field: -1 is 4294967295, an absolute time in 2106
        assertThat(client.get("spy:abs:negative")).isEqualTo(run.protocol() == Protocol.BINARY ? "gone" : null);
    }

    @Test
    void flushRemovesEveryItemButNotThoseStoredRightAfter() throws Exception {
        client.set("spy:flush:1", 0, "a").get(5, SECONDS);
        client.set("spy:flush:2", 3600, "b").get(5, SECONDS);

        assertThat(client.flush().get(5, SECONDS)).isTrue();

        assertThat(client.get("spy:flush:1")).isNull();
        assertThat(client.get("spy:flush:2")).isNull();
        // stored right after, mostly within the same second: flush_all drops what was there, not a whole second
        client.set("spy:flush:after", 0, "c").get(5, SECONDS);
        assertThat(client.get("spy:flush:after")).isEqualTo("c");
    }

    @Test
    void statsHaveMemcachedsFieldNamesAndCountHitsAndMisses() throws Exception {
        Map<String, String> before = stats();
        assertThat(before).containsKeys(
                "pid", "uptime", "time", "version", "pointer_size", "rusage_user", "rusage_system",
                "curr_connections", "total_connections", "cmd_get", "cmd_set", "cmd_flush", "cmd_touch",
                "get_hits", "get_misses", "get_expired", "delete_hits", "delete_misses", "incr_hits", "incr_misses",
                "decr_hits", "decr_misses", "cas_hits", "cas_misses", "cas_badval", "touch_hits", "touch_misses",
                "bytes_read", "bytes_written", "limit_maxbytes", "threads", "bytes", "curr_items", "total_items",
                "evictions", "reclaimed");
        assertThat(before.get("limit_maxbytes")).isEqualTo(Long.toString(64L * 1024 * 1024));
        assertThat(before.get("version")).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(Long.parseLong(before.get("pid"))).isPositive();
        assertThat(Long.parseLong(before.get("curr_connections"))).isPositive();

        client.set("spy:stats", 0, "v").get(5, SECONDS);
        client.get("spy:stats");
        client.get("spy:stats:missing");
        Map<String, String> after = stats();

        assertThat(delta(before, after, "cmd_set")).isEqualTo(1);
        assertThat(delta(before, after, "cmd_get")).isEqualTo(2);
        assertThat(delta(before, after, "get_hits")).isEqualTo(1);
        assertThat(delta(before, after, "get_misses")).isEqualTo(1);
        assertThat(Long.parseLong(after.get("curr_items"))).isPositive();
        Map<String, String> settings = client.getStats("settings").values().iterator().next();
        assertThat(settings).containsEntry("binding_protocol", "auto-negotiate");
        assertThat(client.getVersions().values()).containsExactly("1.6.18");
    }

    @Test
    void valuesOf500KbAnd1000KbRoundTripIntact() throws Exception {
        for (int size : new int[] {500 * 1024, 1000 * 1024}) {
            FlaggedBytes value = new FlaggedBytes(size, randomBytes(size, size));
            String key = "spy:large:" + size;

            assertThat(client.set(key, 0, value, RAW).get(5, SECONDS)).as("set %d bytes", size).isTrue();

            assertThat(client.get(key, RAW)).as("get %d bytes", size).isEqualTo(value);
        }
    }

    @Test
    void aValueOverTheItemSizeLimitIsRefusedAndDropsTheOldValue() throws Exception {
        client.set("spy:toolarge", 0, "small").get(5, SECONDS);
        FlaggedBytes tooLarge = new FlaggedBytes(0, randomBytes(ITEM_SIZE_MAX + 1, 1));

        // "SERVER_ERROR object too large for cache": spymemcached fails the set and then drops its connection
        MemcachedClient own = newClient();
        try {
            assertThat(setFails(own, "spy:toolarge", tooLarge)).isTrue();
        } finally {
            own.shutdown();
        }

        // a failed set must not leave the stale value readable
        assertThat(client.get("spy:toolarge")).isNull();
        assertThat(client.set("spy:toolarge:after", 0, "ok").get(5, SECONDS)).isTrue();
        assertThat(client.get("spy:toolarge:after")).isEqualTo("ok");
    }

    @Test
    void everyByteValueRoundTripsUnchanged() throws Exception {
        // all 256 byte values, then the bytes a careless reader would take for the end of the reply
        byte[] tail = bytes("\r\nEND\r\n");
        byte[] all = new byte[256 + tail.length];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        System.arraycopy(tail, 0, all, 256, tail.length);
        FlaggedBytes value = new FlaggedBytes(0, all);

        assertThat(client.set("spy:binary", 0, value, RAW).get(5, SECONDS)).isTrue();

        assertThat(client.get("spy:binary", RAW)).isEqualTo(value);
        assertThat(client.gets("spy:binary", RAW).getValue()).isEqualTo(value);
    }

    @Test
    void flagsRoundTripThroughACustomTranscoder() throws Exception {
        // spymemcached parses flags as a signed int, so it can carry 0 .. 2^31-1 of memcached's 32 unsigned bits
        int[] flagsToTry = {0, 1, 0xFFFF, 0x10000, 0x7EADBEEF, Integer.MAX_VALUE};
        for (int flags : flagsToTry) {
            FlaggedBytes value = new FlaggedBytes(flags, bytes("flags " + flags));
            String key = "spy:flags:" + flags;

            client.set(key, 0, value, RAW).get(5, SECONDS);

            assertThat(client.get(key, RAW)).as("flags %d", flags).isEqualTo(value);
            assertThat(client.gets(key, RAW).getValue()).as("gets, flags %d", flags).isEqualTo(value);
        }
    }

    @Test
    void saslPlainAuthenticatesAndAWrongPasswordGetsNothing() throws Exception {
        assumeTrue(run.protocol() == Protocol.BINARY, "SASL is part of the binary protocol only");
        try (ServerProcess sasl = new SaslServers().start(run.kind(), "-m", "64")) {
            MemcachedClient good = new MemcachedClient(new ConnectionFactoryBuilder()
                    .setProtocol(ConnectionFactoryBuilder.Protocol.BINARY)
                    .setAuthDescriptor(new AuthDescriptor(new String[] {"PLAIN"},
                            new PlainCallbackHandler(SaslServers.USER, SaslServers.PASSWORD)))
                    .setOpTimeout(5000).setDaemon(true).build(), List.of(sasl.address()));
            try {
                assertThat(good.set("spy:sasl", 0, "secret").get(10, SECONDS)).isTrue();
                assertThat(good.get("spy:sasl")).isEqualTo("secret");
            } finally {
                good.shutdown(5, SECONDS);
            }
            MemcachedClient bad = new MemcachedClient(new ConnectionFactoryBuilder()
                    .setProtocol(ConnectionFactoryBuilder.Protocol.BINARY)
                    .setAuthDescriptor(new AuthDescriptor(new String[] {"PLAIN"},
                            new PlainCallbackHandler(SaslServers.USER, "wrong")))
                    .setOpTimeout(2000).setDaemon(true).build(), List.of(sasl.address()));
            try {
                Object value;
                try {
                    value = bad.get("spy:sasl");
                } catch (RuntimeException refused) {
                    value = null;
                }
                assertThat(value).isNull();
            } finally {
                bad.shutdown(1, SECONDS);
            }
        }
    }

    private boolean setFails(MemcachedClient c, String key, FlaggedBytes value)
            throws InterruptedException, TimeoutException {
        try {
            return !c.set(key, 0, value, RAW).get(5, SECONDS);
        } catch (ExecutionException e) {
            return true;
        }
    }

    private Map<String, String> stats() {
        Map<SocketAddress, Map<String, String>> all = client.getStats();
        assertThat(all).hasSize(1);
        return all.values().iterator().next();
    }

    private static long delta(Map<String, String> before, Map<String, String> after, String stat) {
        return Long.parseLong(after.get(stat)) - Long.parseLong(before.get(stat));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(US_ASCII);
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }
}
