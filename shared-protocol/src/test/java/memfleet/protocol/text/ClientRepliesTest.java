package memfleet.protocol.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client-side replies the console parses: framing, stats, cachedump, get/gets, replication, the key rule. */
class ClientRepliesTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void framesPipelinedRepliesOneByOne() {
        byte[] buf = b("STAT pid 1\r\nSTAT uptime 5\r\nEND\r\nERROR\r\nVALUE k 0 7 9\r\nEND\r\nab\r\nEND\r\nDELETED\r\n");
        int first = ReplyFraming.stats(buf, 0, buf.length);
        assertThat(new String(buf, 0, first, StandardCharsets.ISO_8859_1)).endsWith("END\r\n").startsWith("STAT pid");
        int second = ReplyFraming.stats(buf, first, buf.length);
        assertThat(second).isEqualTo("ERROR\r\n".length());
        // the data block contains "END\r\n" and must be skipped by its length, not by scanning
        int third = ReplyFraming.values(buf, first + second, buf.length);
        assertThat(third).isEqualTo("VALUE k 0 7 9\r\nEND\r\nab\r\nEND\r\n".length());
        assertThat(ReplyFraming.line(buf, first + second + third, buf.length)).isEqualTo("DELETED\r\n".length());
    }

    @Test
    void incompleteRepliesNeedMoreBytes() {
        byte[] buf = b("STAT pid 1\r\nSTAT upt");
        assertThat(ReplyFraming.stats(buf, 0, buf.length)).isEqualTo(-1);
        byte[] value = b("VALUE k 0 10\r\n0123");
        assertThat(ReplyFraming.values(value, 0, value.length)).isEqualTo(-1);
        // "ENDING" is a stat line's start, not the terminator
        byte[] tricky = b("STAT x 1\r\nENDING\r\n");
        assertThat(ReplyFraming.stats(tricky, 0, tricky.length)).isEqualTo(-1);
    }

    @Test
    void statsKeepOrderAndValuesWithSpaces() {
        StatsReply r = StatsReply.parse("STAT pid 42\r\nSTAT version 1.6.18\r\nSTAT peer0:last_error connect: refused by peer\r\nEND\r\n");
        assertThat(r.stats().keySet()).containsExactly("pid", "version", "peer0:last_error");
        assertThat(r.getLong("pid", -1)).isEqualTo(42);
        assertThat(r.get("peer0:last_error")).isEqualTo("connect: refused by peer");
        assertThat(r.getLong("version", -1)).isEqualTo(-1);
        assertThat(r.isError()).isFalse();
    }

    @Test
    void errorRepliesParseAsErrors() {
        assertThat(StatsReply.parse("ERROR\r\n").error()).isEqualTo("ERROR");
        assertThat(StatsReply.parse("CLIENT_ERROR bad command line format\r\n").isError()).isTrue();
        assertThatThrownBy(() -> StatsReply.parse("VALUE x 0 1\r\n")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void groupsSlabsAndItemsByClass() {
        StatsReply slabs = StatsReply.parse("STAT 1:chunk_size 96\r\nSTAT 1:used_chunks 2\r\nSTAT 12:chunk_size 944\r\n"
                + "STAT active_slabs 2\r\nSTAT total_malloced 2097152\r\nEND\r\n");
        assertThat(slabs.byClass("")).containsOnlyKeys(1, 12);
        assertThat(slabs.byClass("").get(1)).containsEntry("chunk_size", "96").containsEntry("used_chunks", "2");
        StatsReply items = StatsReply.parse("STAT items:3:number 5\r\nSTAT items:3:age 10\r\nEND\r\n");
        assertThat(items.byClass("items:").get(3)).containsEntry("number", "5").containsEntry("age", "10");
    }

    @Test
    void cachedumpLines() {
        List<CachedumpReply.Entry> e = CachedumpReply.parse(b("ITEM foo [3 b; 0 s]\r\nITEM a[1] [10 b; 1795653914 s]\r\nEND\r\n"));
        assertThat(e).containsExactly(new CachedumpReply.Entry("foo", 3, 0),
                new CachedumpReply.Entry("a[1]", 10, 1795653914L));
        assertThatThrownBy(() -> CachedumpReply.parse(b("SERVER_ERROR dumping disabled\r\n")))
                .hasMessageContaining("dumping disabled");
    }

    @Test
    void getsRepliesKeepBinaryDataAndCas() {
        byte[] reply = b("VALUE k 5 4 99\r\n\u0000\r\n\u00ff\r\nEND\r\n");
        List<ValueReply.Value> v = ValueReply.parse(reply);
        assertThat(v).hasSize(1);
        assertThat(v.get(0).flags()).isEqualTo(5);
        assertThat(v.get(0).cas()).isEqualTo(99);
        assertThat(v.get(0).data()).containsExactly(0, '\r', '\n', 0xff);
        assertThat(ValueReply.parse(b("END\r\n"))).isEmpty();
        assertThat(ValueReply.parse(b("VALUE k 0 1\r\nx\r\nEND\r\n")).get(0).cas()).isEqualTo(-1);
    }

    @Test
    void replicationFieldsAndPeers() {
        StatsReply r = StatsReply.parse(String.join("\r\n", "STAT enabled 1", "STAT node_id 3", "STAT state in_sync",
                "STAT replication_id 9f3c0a12b4d5e6f7", "STAT offset 123456", "STAT ops 789", "STAT backlog_size 33554432",
                "STAT backlog_first_offset 1000", "STAT min_acks 0", "STAT anti_entropy_runs 5",
                "STAT anti_entropy_keys_repaired 7", "STAT peers 2", "STAT peer0:address 127.0.0.1:11212", "STAT peer0:node_id 7", "STAT peer0:link up",
                "STAT peer0:sent_offset 123456", "STAT peer0:acked_offset 123400", "STAT peer0:lag_ops 2",
                "STAT peer0:lag_bytes 56", "STAT peer0:lag_ms 3", "STAT peer0:full_resyncs 1",
                "STAT peer0:partial_resyncs 0", "STAT peer0:applied_ops 42", "STAT peer0:last_error -",
                "STAT peer0:copy sending", "STAT peer0:copy_items 250", "STAT peer0:copy_total_items 1000",
                "STAT peer0:copy_bytes 25000", "STAT peer0:copy_total_bytes 120000", "STAT peer0:copy_ms 40",
                "STAT peer0:copy_rate_bytes 625000", "STAT peer0:copy_eta_ms 120", "STAT peer0:ae done",
                "STAT peer0:ae_runs 4", "STAT peer0:ae_ranges_differed 3", "STAT peer0:ae_items_exchanged 9",
                "STAT peer0:ae_keys_repaired 2", "STAT peer0:ae_ms 15", "STAT peer1:address 10.0.0.9:11211",
                "STAT peer1:node_id -1", "STAT peer1:link connecting", "STAT peer1:last_error connection refused by host",
                "END", ""));
        ReplicationStats s = ReplicationStats.of(r);
        assertThat(s.enabled()).isTrue();
        assertThat(s.nodeId()).isEqualTo(3);
        assertThat(s.state()).isEqualTo("in_sync");
        assertThat(s.replicationId()).isEqualTo("9f3c0a12b4d5e6f7");
        assertThat(s.offset()).isEqualTo(123456);
        assertThat(s.ops()).isEqualTo(789);
        assertThat(s.backlogSize()).isEqualTo(33554432);
        assertThat(s.backlogFirstOffset()).isEqualTo(1000);
        assertThat(s.peers()).hasSize(2);
        ReplicationStats.Peer p0 = s.peers().get(0);
        assertThat(p0).isEqualTo(new ReplicationStats.Peer("127.0.0.1:11212", 7, "up", 123456, 123400, 2, 56, 3, 1, 0, 42, null,
                new ReplicationStats.Copy("sending", 250, 1000, 25000, 120000, 40, 625000, 120),
                new ReplicationStats.Round("done", 4, 3, 9, 2, 15)));
        assertThat(p0.copy().running()).isTrue();
        assertThat(p0.copy().percent()).isEqualTo(25.0);
        assertThat(s.antiEntropyRuns()).isEqualTo(5);
        assertThat(s.antiEntropyKeysRepaired()).isEqualTo(7);
        assertThat(s.peers().get(1).copy()).isEqualTo(ReplicationStats.Copy.NONE);
        assertThat(s.peers().get(1).antiEntropy()).isEqualTo(ReplicationStats.Round.NONE);
        assertThat(s.peers().get(1).nodeId()).isEqualTo(-1);
        assertThat(s.peers().get(1).link()).isEqualTo("connecting");
        assertThat(s.peers().get(1).lastError()).isEqualTo("connection refused by host");
    }

    @Test
    void noReplicationFromErrorOrAloneForm() {
        assertThat(ReplicationStats.of(StatsReply.parse("ERROR\r\n"))).isEqualTo(ReplicationStats.NONE);
        ReplicationStats alone = ReplicationStats.of(StatsReply.parse(
                "STAT enabled 0\r\nSTAT node_id 0\r\nSTAT state alone\r\nSTAT peers 0\r\nEND\r\n"));
        assertThat(alone.enabled()).isFalse();
        assertThat(alone.state()).isEqualTo("alone");
        assertThat(alone.peers()).isEmpty();
        assertThat(ReplicationStats.of(StatsReply.parse("STAT enabled 1\r\nSTAT state degraded\r\nEND\r\n")).state())
                .isEqualTo("degraded");
    }

    @Test
    void keysThatAreNotUtf8AreListedEscapedAndNamedByTheirBytes() {
        byte[] reply = concat("ITEM caf\u00e9 [2 b; 0 s]\r\nITEM bin".getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xff, (byte) 0xfe, '\\', 'k'}, " [3 b; 0 s]\r\nEND\r\n".getBytes(StandardCharsets.UTF_8));
        List<CachedumpReply.Entry> e = CachedumpReply.parse(reply);
        assertThat(e.get(0)).isEqualTo(new CachedumpReply.Entry("caf\u00e9", 2, 0));
        assertThat(e.get(1)).isEqualTo(new CachedumpReply.Entry("bin\\xff\\xfe\\\\k", 3, 0, "62696efffe5c6b"));
        ItemKey k = e.get(1).itemKey();
        assertThat(k.isUtf8()).isFalse();
        assertThat(k.bytes()).containsExactly('b', 'i', 'n', 0xff, 0xfe, '\\', 'k');
        assertThat(k.value()).isEqualTo("bin\\xff\\xfe\\\\k");
        assertThat(e.get(0).itemKey()).isEqualTo(new ItemKey("caf\u00e9"));
        assertThat(ItemKey.ofBytes("caf\u00e9".getBytes(StandardCharsets.UTF_8)).isUtf8()).isTrue();
        // the wire rule holds for raw keys too
        assertThatThrownBy(() -> ItemKey.ofHex("ff20ff")).hasMessageContaining("whitespace or a control character");
        assertThatThrownBy(() -> ItemKey.ofHex("ff0aff")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ItemKey.ofHex("zz")).hasMessageContaining("hex");
        assertThatThrownBy(() -> ItemKey.ofBytes(new byte[251])).hasMessageContaining("251 bytes");
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void keyRuleRefusesWhatWouldBreakTheCommandLine() {
        assertThat(ItemKey.problem("user:42")).isNull();
        assertThat(ItemKey.problem("<script>alert(1)</script>")).isNull();
        assertThat(ItemKey.problem("k\u00e9y")).isNull();
        assertThat(ItemKey.problem("a".repeat(250))).isNull();
        assertThat(ItemKey.problem("a".repeat(251))).contains("251 bytes");
        // 125 two-byte characters are 250 bytes; one more is over
        assertThat(ItemKey.problem("\u00e9".repeat(125))).isNull();
        assertThat(ItemKey.problem("\u00e9".repeat(126))).contains("252 bytes");
        for (String bad : List.of("a b", "a\r\nflush_all", "a\tb", "a\u0000", "a\u007f", "a\u00a0b", "a\u2028b", "")) {
            assertThat(ItemKey.problem(bad)).as(bad).isNotNull();
            assertThatThrownBy(() -> new ItemKey(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void hotKeysAndTheirMergeOverNodes() {
        HotKeysReply a = HotKeysReply.of(StatsReply.parse(String.join("\r\n", "STAT sample_rate 16",
                "STAT half_life_seconds 10", "STAT hot_1 user%3A42 3200 16", "STAT hot_2 cart 1600 0", "END", "")));
        assertThat(a.supported()).isTrue();
        assertThat(a.sampleRate()).isEqualTo(16);
        assertThat(a.keys()).containsExactly(new HotKeysReply.Entry("user%3A42", 3200, 16), new HotKeysReply.Entry("cart", 1600, 0));
        HotKeysReply b = HotKeysReply.of(StatsReply.parse("STAT sample_rate 16\r\nSTAT hot_1 cart 2000 32\r\nEND\r\n"));
        assertThat(HotKeysReply.merge(List.of(a, b), 20)).containsExactly(new HotKeysReply.Entry("cart", 3600, 32),
                new HotKeysReply.Entry("user%3A42", 3200, 16));
        assertThat(HotKeysReply.merge(List.of(a, b), 1)).hasSize(1);
        assertThat(HotKeysReply.of(StatsReply.parse("ERROR\r\n"))).isEqualTo(HotKeysReply.NONE);
    }
}
