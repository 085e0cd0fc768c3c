package memfleet.protocol.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed {@code stats cachedump <class> <limit>} reply: {@code ITEM <key> [<bytes> b; <exptime> s]} lines
 * up to {@code END}. {@code exptime} is a unix time, 0 for an item that never expires (memcached prints
 * {@code exptime + process_started}).
 */
public final class CachedumpReply {
    /**
     * One listed item: its key as text ({@link ItemKey#value()}: escaped when not valid UTF-8), value size in
     * bytes, absolute expiry (0 = never), and the key's hex when it is not valid UTF-8 (null otherwise), which names
     * it losslessly.
     */
    public record Entry(String key, long bytes, long exptime, String keyHex) {
        public Entry(String key, long bytes, long exptime) {
            this(key, bytes, exptime, null);
        }

        /** The key as it is sent back to the node. */
        public ItemKey itemKey() {
            return keyHex != null ? ItemKey.ofHex(keyHex) : new ItemKey(key);
        }
    }

    private CachedumpReply() {
    }

    /**
     * Parses a complete reply; an error line (dumping disabled, bad class) throws with the server's words. Lines are
     * cut as bytes (keys are bytes; ISO-8859-1 maps each to one char), and each key is then read as UTF-8 if it is.
     */
    public static List<Entry> parse(byte[] reply) {
        String text = new String(reply, StandardCharsets.ISO_8859_1);
        List<Entry> entries = new ArrayList<>();
        int pos = 0;
        while (pos < text.length()) {
            int eol = text.indexOf('\n', pos);
            int end = eol < 0 ? text.length() : eol;
            String line = text.substring(pos, end > pos && text.charAt(end - 1) == '\r' ? end - 1 : end);
            pos = end + 1;
            if (line.equals("END")) {
                break;
            }
            if (!line.startsWith("ITEM ")) {
                throw new IllegalArgumentException("cachedump refused: " + StatsReply.printable(line));
            }
            int bracket = line.lastIndexOf(" [");
            if (bracket < 5 || !line.endsWith(" s]")) {
                throw new IllegalArgumentException("bad ITEM line: " + StatsReply.printable(line));
            }
            byte[] raw = line.substring(5, bracket).getBytes(StandardCharsets.ISO_8859_1);
            String[] parts = line.substring(bracket + 2, line.length() - 1).split(" ");
            // parts: "<bytes>", "b;", "<exptime>", "s"
            if (parts.length != 4 || !parts[1].equals("b;") || !parts[3].equals("s")) {
                throw new IllegalArgumentException("bad ITEM line: " + StatsReply.printable(line));
            }
            String key = ItemKey.utf8(raw);
            entries.add(new Entry(key != null ? key : ItemKey.escaped(raw), Long.parseLong(parts[0]),
                    Long.parseLong(parts[2]), key != null ? null : java.util.HexFormat.of().formatHex(raw)));
        }
        return entries;
    }
}
