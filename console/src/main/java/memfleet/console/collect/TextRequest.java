package memfleet.console.collect;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import memfleet.protocol.text.ItemKey;
import memfleet.protocol.text.ReplyFraming.Shape;

/**
 * One text-protocol command as bytes and the shape of its reply. Keys come in as {@link ItemKey}, which has
 * already refused whitespace, control characters and over-long keys, so no request can carry a second line.
 */
public record TextRequest(String name, byte[] bytes, Shape shape) {
    static final String STORED = "STORED\r\n";
    private static final String AUTH = "auth";

    /**
     * memcached's ASCII authentication: {@code set <key> <flags> <exptime> <bytes>} with {@code user password} as the
     * data. The key and flags are ignored by a node with {@code -Y}; the exptime is -1 so that a node without
     * {@code -Y}, which takes this as an ordinary write, keeps nothing of it.
     */
    static TextRequest auth(String username, String password) {
        byte[] data = (username + " " + password).getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("set memfleet-console-auth 0 -1 " + data.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return new TextRequest(AUTH, out.toByteArray(), Shape.LINE);
    }

    boolean isAuth() {
        return AUTH.equals(name);
    }

    /** Names the command only: the bytes may hold a password. */
    @Override
    public String toString() {
        return "TextRequest[" + name + "]";
    }

    public static TextRequest stats(String group) {
        String line = group.isEmpty() ? "stats" : "stats " + group;
        if (!group.matches("[a-z_ 0-9]*")) {
            throw new IllegalArgumentException("bad stats group: " + group);
        }
        return new TextRequest(line, (line + "\r\n").getBytes(StandardCharsets.US_ASCII), Shape.LINES_TO_END);
    }

    public static TextRequest cachedump(int slabClass) {
        return stats("cachedump " + slabClass + " 0");
    }

    /** {@code lru_crawler metadump all}: one line per live item, streamed (see {@link NodeClient#lines}). */
    public static TextRequest metadumpAll() {
        return new TextRequest("lru_crawler metadump", "lru_crawler metadump all\r\n".getBytes(StandardCharsets.US_ASCII),
                Shape.LINES_TO_END);
    }

    public static TextRequest gets(ItemKey key) {
        return keyed("gets", key, "", Shape.VALUES);
    }

    public static TextRequest delete(ItemKey key) {
        return keyed("delete", key, "", Shape.LINE);
    }

    public static TextRequest touch(ItemKey key, long exptime) {
        return keyed("touch", key, " " + exptime, Shape.LINE);
    }

    /** {@code set <key> <flags> <exptime> <bytes>} and the data block. */
    public static TextRequest set(ItemKey key, long flags, long exptime, byte[] data) {
        if (flags < 0 || flags > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("flags must be a 32-bit unsigned number");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("set ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(key.bytes());
        out.writeBytes((" " + flags + " " + exptime + " " + data.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return new TextRequest("set", out.toByteArray(), Shape.LINE);
    }

    public static TextRequest flushAll() {
        return new TextRequest("flush_all", "flush_all\r\n".getBytes(StandardCharsets.US_ASCII), Shape.LINE);
    }

    /** memfleet's {@code replication check}: an anti-entropy round with every peer, in the background. */
    public static TextRequest replicationCheck() {
        return new TextRequest("replication check", "replication check\r\n".getBytes(StandardCharsets.US_ASCII), Shape.LINE);
    }

    private static TextRequest keyed(String command, ItemKey key, String tail, Shape shape) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((command + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(key.bytes());
        out.writeBytes((tail + "\r\n").getBytes(StandardCharsets.US_ASCII));
        return new TextRequest(command, out.toByteArray(), shape);
    }
}
