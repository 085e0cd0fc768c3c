package memfleet.protocol.binary;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A SASL PLAIN message (RFC 4616): {@code [authzid] NUL authcid NUL passwd}. {@link #parse} returns null for
 * anything else, so a malformed message is refused like a wrong password.
 */
public record SaslPlain(String authzid, String authcid, byte[] password) {
    /** The one mechanism memfleet offers, as {@code SASL_LIST_MECHS} answers. */
    public static final String MECHANISM = "PLAIN";

    public static SaslPlain parse(byte[] b, int off, int len) {
        int end = off + len;
        int first = indexOf(b, off, end);
        if (first < 0) {
            return null;
        }
        int second = indexOf(b, first + 1, end);
        if (second < 0 || indexOf(b, second + 1, end) >= 0 || second == first + 1) {
            return null;
        }
        return new SaslPlain(new String(b, off, first - off, StandardCharsets.UTF_8),
                new String(b, first + 1, second - first - 1, StandardCharsets.UTF_8),
                Arrays.copyOfRange(b, second + 1, end));
    }

    private static int indexOf(byte[] b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
