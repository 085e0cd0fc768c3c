package memfleet.protocol.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DecimalTest {
    private static byte[] buf(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Expectations measured on memcached 1.6.18 (flags are parsed with safe_strtoul). */
    @ParameterizedTest
    @CsvSource({"0,0", "4294967295,4294967295", "4294967296,0", "4294967297,1", "-0,0", "007,7"})
    void unsigned32TruncatesLikeMemcached(String text, long expected) {
        byte[] b = buf(text);
        assertThat(Decimal.parseUnsigned32(b, 0, b.length, new boolean[1])).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"-1", "abc", "12abc", "''", "18446744073709551616", "-5"})
    void unsigned32Refuses(String text) {
        byte[] b = buf(text);
        assertThat(Decimal.parseUnsigned32(b, 0, b.length, new boolean[1])).isEqualTo(Decimal.INVALID);
    }

    @ParameterizedTest
    @CsvSource({"0,0", "-1,-1", "2147483647,2147483647", "2147483648,-2147483648", "-2147483649,2147483647",
        "4294967296,0"})
    void signed32TruncatesLikeMemcached(String text, long expected) {
        byte[] b = buf(text);
        assertThat(Decimal.parseSigned32(b, 0, b.length)).isEqualTo(expected);
    }

    @Test
    void signed32RefusesOverflowAndJunk() {
        for (String s : new String[] {"9223372036854775808", "1x", "", "-", "+"}) {
            byte[] b = buf(s);
            assertThat(Decimal.parseSigned32(b, 0, b.length)).as(s).isEqualTo(Decimal.INVALID);
        }
    }

    @Test
    void unsigned64AcceptsTheFullRangeAndRefusesNegatives() {
        boolean[] ok = new boolean[1];
        byte[] max = buf("18446744073709551615");
        assertThat(Decimal.parseUnsigned64(max, 0, max.length, ok)).isEqualTo(-1L);
        assertThat(ok[0]).isTrue();
        for (String s : new String[] {"18446744073709551616", "-1", "abc", ""}) {
            byte[] b = buf(s);
            Decimal.parseUnsigned64(b, 0, b.length, ok);
            assertThat(ok[0]).as(s).isFalse();
        }
    }
}
