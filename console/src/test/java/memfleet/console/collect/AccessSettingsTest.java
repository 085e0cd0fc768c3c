package memfleet.console.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code memfleet.collect.tls}/{@code auth}: per-group overrides, validation, and the password kept out of text. */
class AccessSettingsTest {
    static final CollectProperties.Tls TLS = new CollectProperties.Tls(true, Path.of("/ca.pem"), null, null, true);
    static final CollectProperties.Auth AUTH = new CollectProperties.Auth("console", "pw-1");

    @Test
    void aGroupsEntryReplacesTlsOrAuthAsAWhole() {
        CollectProperties.Auth other = new CollectProperties.Auth("eu", "pw-2");
        CollectProperties p = new CollectProperties(Duration.ofSeconds(2), Duration.ofSeconds(1), 4, TLS, AUTH,
                Map.of("eu", new CollectProperties.Access(null, other), "plain", new CollectProperties.Access(CollectProperties.Tls.OFF, null)));
        assertThat(p.tlsFor("default")).isEqualTo(TLS);
        assertThat(p.authFor("default")).isEqualTo(AUTH);
        assertThat(p.tlsFor("eu")).isEqualTo(TLS);
        assertThat(p.authFor("eu")).isEqualTo(other);
        assertThat(p.tlsFor("plain").enabled()).isFalse();
        assertThat(p.authFor("plain")).isEqualTo(AUTH);
    }

    @Test
    void credentialsMustBeOneTokenEachAndComeInPairs() {
        assertThatThrownBy(() -> new CollectProperties.Auth("console", "two words")).hasMessageNotContaining("two words");
        assertThatThrownBy(() -> new CollectProperties.Auth("console", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CollectProperties.Auth(null, "pw")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CollectProperties.Tls(true, null, Path.of("/c.pem"), null, true))
                .hasMessageContaining("client-cert and client-key go together");
        assertThat(new CollectProperties.Auth("", null).enabled()).isFalse();
    }

    @Test
    void thePasswordIsSentButNeverPrinted() {
        assertThat(AUTH.toString()).contains("console").doesNotContain("pw-1");
        TextRequest r = TextRequest.auth("console", "pw-1");
        assertThat(new String(r.bytes(), StandardCharsets.US_ASCII))
                .isEqualTo("set memfleet-console-auth 0 -1 12\r\nconsole pw-1\r\n");
        assertThat(r.toString()).doesNotContain("pw-1");
        assertThat(r.isAuth()).isTrue();
    }
}
