package memfleet.protocol.binary;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SaslPlainTest {
    private static SaslPlain parse(String s) {
        byte[] b = s.getBytes(UTF_8);
        return SaslPlain.parse(b, 0, b.length);
    }

    @Test
    void splitsAuthorizationIdUserAndPassword() {
        SaslPlain p = parse("admin\0alice\0pw");
        assertThat(p.authzid()).isEqualTo("admin");
        assertThat(p.authcid()).isEqualTo("alice");
        assertThat(p.password()).isEqualTo("pw".getBytes(UTF_8));
        assertThat(parse("\0alice\0").password()).isEmpty();
    }

    @Test
    void refusesMessagesThatAreNotThreeFieldsWithAUser() {
        assertThat(parse("alice")).isNull();
        assertThat(parse("\0alice")).isNull();
        assertThat(parse("\0\0pw")).isNull();
        assertThat(parse("\0alice\0pw\0more")).isNull();
    }

    @Test
    void headerFieldsRoundTripBigEndian() {
        byte[] b = new byte[BinaryHeader.SIZE];
        BinaryHeader.write(b, 0, BinaryHeader.RESPONSE_MAGIC, BinaryHeader.GETK, 300, 4, BinaryHeader.KEY_ENOENT,
                70_000, -2, 0x0102_0304_0506_0708L);
        assertThat(b[0]).isEqualTo((byte) 0x81);
        assertThat(BinaryHeader.getShort(b, BinaryHeader.KEY_LENGTH)).isEqualTo(300);
        assertThat(BinaryHeader.getShort(b, BinaryHeader.STATUS)).isEqualTo(1);
        assertThat(BinaryHeader.getInt(b, BinaryHeader.BODY_LENGTH)).isEqualTo(70_000);
        assertThat(BinaryHeader.getInt(b, BinaryHeader.OPAQUE)).isEqualTo(-2);
        assertThat(BinaryHeader.getLong(b, BinaryHeader.CAS)).isEqualTo(0x0102_0304_0506_0708L);
        assertThat(BinaryHeader.loud(BinaryHeader.GATKQ)).isEqualTo(BinaryHeader.GATK);
        assertThat(BinaryHeader.quiet(BinaryHeader.GET)).isFalse();
        assertThat(new String(BinaryHeader.errorText(BinaryHeader.AUTH_ERROR), UTF_8)).isEqualTo("Auth failure.");
    }
}
