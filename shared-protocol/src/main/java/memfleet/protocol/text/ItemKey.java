package memfleet.protocol.text;

import java.nio.charset.StandardCharsets;

/**
 * A key that may be put on the wire: 1 to 250 bytes (UTF-8), no space, no control character (memcached's
 * own rule, {@code KEY_MAX_LENGTH}). A key that breaks the rule would split or end a command line, which
 * is how key browsers get command injection; it is refused here, before any byte reaches a node.
 */
public record ItemKey(String value) {
    /** memcached's KEY_MAX_LENGTH. */
    public static final int MAX_LENGTH = 250;

    public ItemKey {
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Why {@code key} cannot be sent, or null when it can. */
    public static String problem(String key) {
        if (key == null || key.isEmpty()) {
            return "key is empty";
        }
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_LENGTH) {
            return "key is " + bytes.length + " bytes, longer than " + MAX_LENGTH;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c <= ' ' || c == 0x7f || Character.isWhitespace(c) || Character.isISOControl(c)
                    || Character.isSpaceChar(c)) {
                return "key contains whitespace or a control character at position " + i;
            }
        }
        return null;
    }

    /** The key's bytes as sent. */
    public byte[] bytes() {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return value;
    }
}
