package memfleet.node.sasl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import memfleet.protocol.binary.SaslPlain;

/**
 * memcached's built-in SASL password database ({@code sasl_defs.c}, {@code ENABLE_SASL_PWDB}): a file named by
 * {@code MEMCACHED_SASL_PWDB} with one {@code user:password} line per user (more {@code :}-separated fields may
 * follow). Like memcached it reads the file at every attempt, so edits apply at once; the first line naming
 * the user decides; an entry longer than memcached's 256-byte line buffer never matches.
 */
public final class SaslPasswordFile {
    private static final int MAX_ENTRY_LEN = 256;

    private final Path path;

    public SaslPasswordFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /**
     * Checks a PLAIN message. An authorization id other than the user's own is refused, as Cyrus SASL refuses
     * it for a user without proxy rights.
     */
    public boolean accepts(SaslPlain plain) {
        if (plain == null || !(plain.authzid().isEmpty() || plain.authzid().equals(plain.authcid()))) {
            return false;
        }
        byte[] user = plain.authcid().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] pass = plain.password();
        if (user.length + pass.length > MAX_ENTRY_LEN - 4) {
            return false;
        }
        byte[] file;
        try {
            file = Files.readAllBytes(path);
        } catch (IOException e) {
            return false;
        }
        int lineStart = 0;
        while (lineStart < file.length) {
            int lineEnd = lineStart;
            while (lineEnd < file.length && file[lineEnd] != '\n') {
                lineEnd++;
            }
            int end = Math.min(lineEnd, lineStart + MAX_ENTRY_LEN - 1);
            if (end - lineStart > user.length && Arrays.equals(file, lineStart, lineStart + user.length, user, 0, user.length)
                    && file[lineStart + user.length] == ':') {
                int p = lineStart + user.length + 1;
                if (p + pass.length > end || !Arrays.equals(file, p, p + pass.length, pass, 0, pass.length)) {
                    return false;
                }
                int after = p + pass.length;
                return after == end || file[after] == ':' || file[after] == '\r' || file[after] == 0;
            }
            lineStart = lineEnd + 1;
        }
        return false;
    }
}
