package memfleet.node.sasl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import memfleet.protocol.binary.SaslPlain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** memcached's {@code sasl_server_userdb_checkpass} rules, line by line. */
class SaslPasswordFileTest {
    @TempDir
    Path dir;

    private boolean check(String file, String user, String password) throws IOException {
        Path f = dir.resolve("pwdb");
        Files.writeString(f, file);
        byte[] msg = ("\0" + user + "\0" + password).getBytes(UTF_8);
        return new SaslPasswordFile(f).accepts(SaslPlain.parse(msg, 0, msg.length));
    }

    @Test
    void acceptsTheUsersPasswordWhateverEndsTheLine() throws IOException {
        assertThat(check("alice:pw\n", "alice", "pw")).isTrue();
        assertThat(check("alice:pw", "alice", "pw")).isTrue();
        assertThat(check("alice:pw\r\n", "alice", "pw")).isTrue();
        assertThat(check("alice:pw:extra:fields\n", "alice", "pw")).isTrue();
        assertThat(check("bob:x\nalice:pw\n", "alice", "pw")).isTrue();
    }

    @Test
    void refusesWrongPrefixAndLongerPasswordsUnknownUsersAndAMissingFile() throws IOException {
        assertThat(check("alice:pw\n", "alice", "p")).isFalse();
        assertThat(check("alice:pw\n", "alice", "pw2")).isFalse();
        assertThat(check("alice:pw\n", "alic", "pw")).isFalse();
        assertThat(check("alice:pw\n", "bob", "pw")).isFalse();
        // the first line naming the user decides
        assertThat(check("alice:old\nalice:pw\n", "alice", "pw")).isFalse();
        byte[] msg = "\0alice\0pw".getBytes(UTF_8);
        assertThat(new SaslPasswordFile(dir.resolve("absent")).accepts(SaslPlain.parse(msg, 0, msg.length))).isFalse();
    }

    @Test
    void refusesAnotherAuthorizationIdAndEntriesPastMemcachedsLineBuffer() throws IOException {
        Path f = dir.resolve("pwdb");
        Files.writeString(f, "alice:pw\n");
        byte[] proxy = "bob\0alice\0pw".getBytes(UTF_8);
        byte[] self = "alice\0alice\0pw".getBytes(UTF_8);
        assertThat(new SaslPasswordFile(f).accepts(SaslPlain.parse(proxy, 0, proxy.length))).isFalse();
        assertThat(new SaslPasswordFile(f).accepts(SaslPlain.parse(self, 0, self.length))).isTrue();
        String longPw = "p".repeat(260);
        assertThat(check("alice:" + longPw + "\n", "alice", longPw)).isFalse();
    }
}
