package memfleet.node.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * memcached's {@code -Y} file: one {@code user:password} per line (the password runs to the line's end and
 * may hold colons and spaces). Read once at start-up; memcached's messages for a file it cannot read or a
 * malformed entry (a line without a colon, an empty line, a carriage return).
 */
public final class AuthFile {
    private final List<byte[][]> entries;

    private AuthFile(List<byte[][]> entries) {
        this.entries = entries;
    }

    /** Thrown with memcached's message; the node exits 1. */
    public static final class LoadException extends Exception {
        public LoadException(String message) {
            super(message);
        }
    }

    public static AuthFile load(String path) throws LoadException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(path));
        } catch (IOException e) {
            String reason = e instanceof java.nio.file.NoSuchFileException ? "No such file or directory"
                    : e instanceof java.nio.file.AccessDeniedException ? "Permission denied" : String.valueOf(e.getMessage());
            throw new LoadException("Could not open authfile [" + path + "] for reading, error " + reason + ": " + reason);
        }
        List<byte[][]> entries = new ArrayList<>();
        int start = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            int colon = -1;
            boolean cr = false;
            for (int i = start; i < end; i++) {
                if (bytes[i] == ':' && colon < 0) {
                    colon = i;
                }
                cr |= bytes[i] == '\r';
            }
            if (colon < 0 || cr) {
                throw new LoadException("Authfile [" + path + "] has a malformed entry. Should be 'user:password'");
            }
            entries.add(new byte[][] {java.util.Arrays.copyOfRange(bytes, start, colon),
                java.util.Arrays.copyOfRange(bytes, colon + 1, end)});
            start = end + 1;
        }
        return new AuthFile(entries);
    }

    /** True when the pair is in the file; the password is compared in constant time. */
    public boolean check(byte[] user, byte[] password) {
        boolean ok = false;
        for (byte[][] e : entries) {
            boolean userMatches = MessageDigest.isEqual(e[0], user);
            boolean passwordMatches = MessageDigest.isEqual(e[1], password);
            ok |= userMatches && passwordMatches;
        }
        return ok;
    }

    /** For tests and messages: how many users the file lists. */
    public int size() {
        return entries.size();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
