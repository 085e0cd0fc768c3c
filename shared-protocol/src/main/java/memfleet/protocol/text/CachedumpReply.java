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
    /** One listed item: its key, value size in bytes and absolute expiry (0 = never). */
    public record Entry(String key, long bytes, long exptime) {
    }

    private CachedumpReply() {
    }

    /** Parses a complete reply; an error line (dumping disabled, bad class) throws with the server's words. */
    public static List<Entry> parse(byte[] reply) {
        String text = new String(reply, StandardCharsets.UTF_8);
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
            String key = line.substring(5, bracket);
            String[] parts = line.substring(bracket + 2, line.length() - 1).split(" ");
            // parts: "<bytes>", "b;", "<exptime>", "s"
            if (parts.length != 4 || !parts[1].equals("b;") || !parts[3].equals("s")) {
                throw new IllegalArgumentException("bad ITEM line: " + StatsReply.printable(line));
            }
            entries.add(new Entry(key, Long.parseLong(parts[0]), Long.parseLong(parts[2])));
        }
        return entries;
    }
}
