package memfleet.console.keyspace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import memfleet.protocol.text.MetadumpLine;
import org.junit.jupiter.api.Test;

class KeySpaceTest {
    static final long NOW = 1_800_000_000L;

    private static MetadumpLine line(String key, long exp, long la, boolean fetched, int cls, long size) {
        String s = "key=" + key + " exp=" + exp + " la=" + la + " cas=1 fetch=" + (fetched ? "yes" : "no") + " cls=" + cls
                + " size=" + size;
        MetadumpLine l = new MetadumpLine();
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        assertThat(l.parse(b, 0, b.length)).isTrue();
        return l;
    }

    @Test
    void prefixesCountItemsBytesAndNeverExpiringAtEveryLevel() {
        KeySpace ks = new KeySpace(':', NOW, "n");
        ks.add(line("user%3A1%3Acart", -1, NOW, true, 1, 100));
        ks.add(line("user%3A1%3Aname", NOW + 30, NOW, true, 1, 50));
        ks.add(line("user%3A2", NOW + 30, NOW, false, 2, 200));
        ks.add(line("plain", -1, NOW - 7200, false, 3, 1000));
        PrefixTree t = ks.prefixes();
        assertThat(t.root().items()).isEqualTo(4);
        assertThat(t.root().bytes()).isEqualTo(1350);
        assertThat(t.root().ownItems()).as("plain has no separator").isEqualTo(1);
        PrefixTree.Prefix user = t.find("user:");
        assertThat(user.items()).isEqualTo(3);
        assertThat(user.bytes()).isEqualTo(350);
        assertThat(user.neverExpire()).isEqualTo(1);
        assertThat(user.ownItems()).as("user:2 ends here").isEqualTo(1);
        assertThat(t.find("user:1:").items()).isEqualTo(2);
        assertThat(t.find("user:1:cart")).as("a key's last part is not a prefix").isNull();
        assertThat(t.path(t.find("user:1:"))).extracting(PrefixTree.Prefix::prefix).containsExactly("user:", "user:1:");
        assertThat(user.children()).extracting(PrefixTree.Prefix::prefix).containsExactly("user:1:");
    }

    @Test
    void histogramsPerClassAndTheBiggestItems() {
        KeySpace ks = new KeySpace(':', NOW, "n");
        ks.add(line("a", NOW + 30, NOW - 10, true, 1, 64));
        ks.add(line("b", NOW + 4000, NOW - 4000, false, 1, 65));
        ks.add(line("c", -1, NOW - 200_000, false, 2, 2_000_000));
        ks.add(line("d", NOW - 5, NOW, true, 2, 300));
        KeySpace.SlabClass one = ks.classes().get(0);
        assertThat(one.id()).isEqualTo(1);
        assertThat(one.items()).isEqualTo(2);
        assertThat(one.neverFetched()).isEqualTo(1);
        assertThat(one.ttl()).containsExactly(1, 0, 0, 1, 0, 0, 0, 0);
        assertThat(one.idle()).containsExactly(1, 0, 0, 1, 0, 0);
        assertThat(one.size()[0]).as("64 B").isEqualTo(1);
        assertThat(one.size()[1]).as("65 B").isEqualTo(1);
        KeySpace.SlabClass all = ks.total();
        assertThat(all.ttl()).as("d has expired: the first bucket; c never").containsExactly(2, 0, 0, 1, 0, 0, 0, 1);
        assertThat(all.size()[KeySpace.SIZE_BUCKETS - 1]).as("over 1 MiB").isEqualTo(1);
        assertThat(ks.biggest()).extracting(KeySpace.Item::key).containsExactly("c", "d", "b", "a");
        assertThat(ks.biggestNeverExpiring()).extracting(KeySpace.Item::key).containsExactly("c");
    }

    @Test
    void keepsOnlyTheHundredBiggest() {
        KeySpace ks = new KeySpace(':', NOW, "n");
        for (int i = 1; i <= 1000; i++) {
            ks.add(line("k" + i, -1, NOW, true, 1, i));
        }
        assertThat(ks.biggest()).hasSize(KeySpace.TOP);
        assertThat(ks.biggest().get(0).size()).isEqualTo(1000);
        assertThat(ks.biggest().get(KeySpace.TOP - 1).size()).isEqualTo(901);
    }

    @Test
    void boundedWhateverTheKeysAndExactTotals() {
        KeySpace ks = new KeySpace(':', NOW, "n");
        for (int i = 0; i < 50_000; i++) {
            ks.add(line("t%3A" + i + "%3Ax", -1, NOW, true, 1, 10));
        }
        PrefixTree t = ks.prefixes();
        PrefixTree.Prefix top = t.find("t:");
        assertThat(top.children()).hasSize(PrefixTree.MAX_CHILDREN + 1);
        PrefixTree.Prefix other = t.find("t:" + PrefixTree.OTHER);
        assertThat(other).isNotNull();
        assertThat(other.items()).isEqualTo(50_000 - PrefixTree.MAX_CHILDREN);
        assertThat(top.items()).isEqualTo(50_000);
        assertThat(t.size()).isLessThanOrEqualTo(PrefixTree.MAX_PREFIXES);
    }

    @Test
    void aGroupSumsItsNodes() {
        KeySpace a = new KeySpace(':', NOW, "a");
        a.add(line("x%3A1", -1, NOW, true, 1, 10));
        a.add(line("x%3A2", -1, NOW, true, 1, 500));
        KeySpace b = new KeySpace(':', NOW, "b");
        b.add(line("x%3A3", NOW + 10, NOW, true, 2, 20));
        b.add(line("y%3A1", NOW + 10, NOW, true, 2, 1000));
        KeySpace g = new KeySpace(':', NOW, null);
        g.merge(a);
        g.merge(b);
        assertThat(g.prefixes().root().items()).isEqualTo(4);
        assertThat(g.prefixes().find("x:").items()).isEqualTo(3);
        assertThat(g.prefixes().find("x:").neverExpire()).isEqualTo(2);
        assertThat(g.classes()).extracting(KeySpace.SlabClass::items).containsExactly(2L, 2L);
        assertThat(g.biggest()).extracting(KeySpace.Item::node).containsExactly("b", "a", "b", "a");
    }
}
