package memfleet.protocol.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetaBase64Test {
    @Test
    void roundTripsAgreeWithTheJdk() {
        Random r = new Random(7);
        for (int n = 0; n < 200; n++) {
            byte[] raw = new byte[r.nextInt(60)];
            r.nextBytes(raw);
            byte[] enc = new byte[raw.length * 2 + 4];
            int e = MetaBase64.encode(raw, 0, raw.length, enc, 0);
            assertThat(new String(enc, 0, e, StandardCharsets.US_ASCII)).isEqualTo(Base64.getEncoder().encodeToString(raw));
            if (raw.length > 0) {
                byte[] dec = new byte[raw.length + 3];
                int d = MetaBase64.decode(enc, 0, e, dec, 0);
                assertThat(java.util.Arrays.copyOf(dec, d)).isEqualTo(raw);
            }
        }
    }

    @Test
    void refusesWhatIsNotWholeGroups() {
        byte[] b = "abc".getBytes(StandardCharsets.US_ASCII);
        assertThat(MetaBase64.decode(b, 0, b.length, new byte[8], 0)).isZero();
        byte[] empty = "!!!!".getBytes(StandardCharsets.US_ASCII);
        assertThat(MetaBase64.decode(empty, 0, empty.length, new byte[8], 0)).isZero();
    }

    @Test
    void decodesInPlace() {
        byte[] b = "Zm9vYmFy".getBytes(StandardCharsets.US_ASCII);
        int n = MetaBase64.decode(b, 0, b.length, b, 0);
        assertThat(new String(b, 0, n, StandardCharsets.US_ASCII)).isEqualTo("foobar");
    }
}
