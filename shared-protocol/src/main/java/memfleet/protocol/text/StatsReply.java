package memfleet.protocol.text;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A parsed {@code stats [group]} reply: the {@code STAT name value} lines up to {@code END}, in the order
 * the server sent them. A value is everything after the first space following the name, so free text with
 * spaces (a replication peer's {@code last_error}) survives. A server that does not know the group answers
 * {@code ERROR} (or a {@code CLIENT_ERROR}/{@code SERVER_ERROR} line); that reply parses as {@link #error()}
 * with no stats.
 */
public final class StatsReply {
    private final Map<String, String> stats;
    private final String error;

    private StatsReply(Map<String, String> stats, String error) {
        this.stats = Collections.unmodifiableMap(stats);
        this.error = error;
    }

    /** Parses one complete reply (as framed by {@link ReplyFraming#stats}); ISO-8859-1 keeps bytes as chars. */
    public static StatsReply parse(byte[] reply) {
        return parse(new String(reply, StandardCharsets.ISO_8859_1));
    }

    /** Parses one complete reply given as text. */
    public static StatsReply parse(String reply) {
        Map<String, String> stats = new LinkedHashMap<>();
        int pos = 0;
        while (pos < reply.length()) {
            int eol = reply.indexOf('\n', pos);
            int end = eol < 0 ? reply.length() : eol;
            String line = reply.substring(pos, end > pos && reply.charAt(end - 1) == '\r' ? end - 1 : end);
            pos = end + 1;
            if (line.equals("END")) {
                break;
            }
            if (line.equals("ERROR") || line.startsWith("CLIENT_ERROR") || line.startsWith("SERVER_ERROR")) {
                return new StatsReply(Map.of(), line);
            }
            if (!line.startsWith("STAT ")) {
                throw new IllegalArgumentException("not a STAT line: " + printable(line));
            }
            int nameEnd = line.indexOf(' ', 5);
            if (nameEnd < 0) {
                stats.put(line.substring(5), "");
            } else {
                stats.put(line.substring(5, nameEnd), line.substring(nameEnd + 1));
            }
        }
        return new StatsReply(stats, null);
    }

    /** Every stat, in the server's order. */
    public Map<String, String> stats() {
        return stats;
    }

    /** The error line the server answered instead of stats, or null. */
    public String error() {
        return error;
    }

    public boolean isError() {
        return error != null;
    }

    public String get(String name) {
        return stats.get(name);
    }

    /** The stat as a long, or {@code fallback} when it is missing or not an integer. */
    public long getLong(String name, long fallback) {
        String v = stats.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** The stat as a double ({@code rusage_user} is {@code seconds.micros}), or {@code fallback}. */
    public double getDouble(String name, double fallback) {
        String v = stats.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /**
     * Groups {@code <prefix><class>:<field>} stats by slab class: {@code ""} for {@code stats slabs}
     * ({@code 1:chunk_size}), {@code "items:"} for {@code stats items} ({@code items:1:number}). Stats
     * without a class ({@code active_slabs}) are left out; classes are in ascending order.
     */
    public Map<Integer, Map<String, String>> byClass(String prefix) {
        Map<Integer, Map<String, String>> classes = new TreeMap<>();
        for (Map.Entry<String, String> e : stats.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(prefix)) {
                continue;
            }
            int colon = name.indexOf(':', prefix.length());
            if (colon <= prefix.length()) {
                continue;
            }
            int clsid;
            try {
                clsid = Integer.parseInt(name.substring(prefix.length(), colon));
            } catch (NumberFormatException notAClass) {
                continue;
            }
            classes.computeIfAbsent(clsid, k -> new LinkedHashMap<>()).put(name.substring(colon + 1), e.getValue());
        }
        return classes;
    }

    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c > 0x7e ? '?' : c);
        }
        return sb.toString();
    }
}
