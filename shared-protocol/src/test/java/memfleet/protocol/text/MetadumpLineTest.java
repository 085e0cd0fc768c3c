package memfleet.protocol.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MetadumpLineTest {
    private final MetadumpLine line = new MetadumpLine();

    private boolean parse(String s) {
        byte[] b = ("xx" + s + "yy").getBytes(StandardCharsets.ISO_8859_1);
        return line.parse(b, 2, b.length - 2);
    }

    @Test
    void readsMemcachedsFieldsAndDecodesTheKey() {
        assertThat(parse("key=user%3A1%25~x exp=1796661281 la=1796661181 cas=7 fetch=yes cls=3 size=70")).isTrue();
        assertThat(line.keyText()).isEqualTo("user:1%~x");
        assertThat(line.keyLength()).isEqualTo(9);
        assertThat(line.exp()).isEqualTo(1796661281L);
        assertThat(line.lastAccess()).isEqualTo(1796661181L);
        assertThat(line.cas()).isEqualTo(7);
        assertThat(line.fetched()).isTrue();
        assertThat(line.slabClass()).isEqualTo(3);
        assertThat(line.size()).isEqualTo(70);
    }

    @Test
    void neverExpiringUnknownFieldsAndReuse() {
        assertThat(parse("key=a exp=-1 la=5 cas=1 fetch=no cls=1 size=48 new=field")).isTrue();
        assertThat(line.exp()).isEqualTo(MetadumpLine.NEVER);
        assertThat(line.fetched()).isFalse();
        assertThat(parse("key=%3Cscript%3E exp=-1 la=5 cas=2 fetch=no cls=2 size=60")).isTrue();
        assertThat(line.keyText()).isEqualTo("<script>");
        assertThat(line.slabClass()).isEqualTo(2);
    }

    @Test
    void controlBytesAndTruncatedEscapesStayBytes() {
        assertThat(parse("key=a%0Db%2 exp=-1 la=1 cas=1 fetch=no cls=1 size=1")).isTrue();
        assertThat(line.keyText()).isEqualTo("a\rb%2");
    }

    @Test
    void endAndErrorsAreNotItems() {
        assertThat(parse("END")).isFalse();
        assertThat(parse("BUSY currently processing crawler request")).isFalse();
        assertThat(parse("ERROR metadump not allowed")).isFalse();
        assertThat(parse("key= exp=-1")).isFalse();
    }
}
