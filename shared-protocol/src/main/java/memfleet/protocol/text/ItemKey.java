package memfleet.protocol.text;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A key that may be put on the wire: 1 to 250 bytes, no space, no control character (memcached's own rule,
 * {@code KEY_MAX_LENGTH}). A key that breaks the rule would split or end a command line, which is how key
 * browsers get command injection; it is refused here, before any byte reaches a node. memcached keys are
 * bytes, not text: a key that is not valid UTF-8 (written by a client in Latin-1, or binary) is kept as its
 * bytes, shown with {@code \xNN} escapes ({@link #value()}) and named in URLs by its {@link #hex()}.
 */
public final class ItemKey {
    /** memcached's KEY_MAX_LENGTH. */
    public static final int MAX_LENGTH = 250;

    private final byte[] bytes;
    private final String value;
    private final boolean utf8;

    /** A key typed as text, sent as UTF-8. */
    public ItemKey(String value) {
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        this.bytes = value.getBytes(StandardCharsets.UTF_8);
        this.value = value;
        this.utf8 = true;
    }

    private ItemKey(byte[] bytes, String value, boolean utf8) {
        this.bytes = bytes;
        this.value = value;
        this.utf8 = utf8;
    }

    /** A key as the node holds it, whatever its encoding. */
    public static ItemKey ofBytes(byte[] bytes) {
        String problem = problem(bytes);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        String text = utf8(bytes);
        return text != null ? new ItemKey(text) : new ItemKey(bytes.clone(), escaped(bytes), false);
    }

    /** A key named by {@link #hex()}. */
    public static ItemKey ofHex(String hex) {
        byte[] b;
        try {
            b = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key is not valid hex");
        }
        return ofBytes(b);
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

    /** Why the raw {@code key} cannot be sent, or null when it can: the wire rule only (bytes over 0x7f pass). */
    public static String problem(byte[] key) {
        if (key == null || key.length == 0) {
            return "key is empty";
        }
        if (key.length > MAX_LENGTH) {
            return "key is " + key.length + " bytes, longer than " + MAX_LENGTH;
        }
        for (int i = 0; i < key.length; i++) {
            if ((key[i] & 0xff) <= ' ' || key[i] == 0x7f) {
                return "key contains whitespace or a control character at byte " + i;
            }
        }
        String text = utf8(key);
        return text == null ? null : problem(text);
    }

    /** The key as text: itself when valid UTF-8, else with each byte that is not printable ASCII as {@code \xNN}. */
    public String value() {
        return value;
    }

    /** Whether the key is valid UTF-8 (then {@link #value()} is exactly the key). */
    public boolean isUtf8() {
        return utf8;
    }

    /** The key's bytes in lower-case hex. */
    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    /** The key's bytes as sent. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The bytes as text, or null when they are not valid UTF-8. */
    static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Printable ASCII as itself (a backslash doubled), every other byte as {@code \xNN}. */
    static String escaped(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            if (c == '\\') {
                sb.append("\\\\");
            } else if (c > ' ' && c < 0x7f) {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ItemKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return value;
    }
}
