package memfleet.protocol.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class TextTokenizerTest {
    private final TextTokenizer t = new TextTokenizer();

    private static byte[] buf(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private String token(byte[] b, int i) {
        return new String(b, t.start(i), t.length(i), StandardCharsets.US_ASCII);
    }

    @Test
    void splitsOnSpacesOnlyAndCountsTheTerminalToken() {
        byte[] b = buf("  set  k\t1 0 5  ");
        assertThat(t.tokenize(b, 0, b.length)).isEqualTo(5);
        assertThat(token(b, 0)).isEqualTo("set");
        assertThat(token(b, 1)).isEqualTo("k\t1");
        assertThat(t.hasRest()).isFalse();
    }

    @Test
    void cutsAtTwentyThreeTokensAndKeepsTheRest() {
        StringBuilder sb = new StringBuilder("get");
        for (int i = 0; i < 40; i++) {
            sb.append(" k").append(i);
        }
        byte[] b = buf(sb.toString());
        assertThat(t.tokenize(b, 0, b.length)).isEqualTo(TextTokenizer.MAX_TOKENS);
        assertThat(t.count()).isEqualTo(23);
        assertThat(token(b, 22)).isEqualTo("k21");
        assertThat(t.hasRest()).isTrue();
        t.tokenize(b, t.restStart(), t.lineEnd());
        assertThat(token(b, 0)).isEqualTo("k22");
        assertThat(t.count()).isEqualTo(18);
        assertThat(t.hasRest()).isFalse();
    }

    @Test
    void emptyLineHasOnlyTheTerminalToken() {
        byte[] b = buf("");
        assertThat(t.tokenize(b, 0, 0)).isEqualTo(1);
        assertThat(t.is(b, 0, "get".getBytes(StandardCharsets.US_ASCII))).isFalse();
    }
}
