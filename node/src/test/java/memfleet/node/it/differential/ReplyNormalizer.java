package memfleet.node.it.differential;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one server's replies to one command stream into comparable, printable lines. Everything is compared byte
 * for byte except these values, which differ between two correct servers by nature:
 *
 * <ul>
 *   <li><b>CAS unique values</b> in {@code VALUE} lines of {@code gets}/{@code gats}: renamed {@code c1, c2, ...} in
 *       the order each distinct value first appears, per server and stream. The absolute numbers come from a
 *       server-wide counter that earlier streams and implementation details advance; the renaming keeps which
 *       replies share a CAS and which do not, so wrong CAS semantics (a CAS not changing on a store, or changing on
 *       a touch) still shows.</li>
 *   <li><b>The version string</b> of {@code VERSION} lines: the node reports its own.</li>
 *   <li><b>Every value of every {@code STAT} line</b> ({@code stats}, {@code stats settings}, {@code stats items},
 *       {@code stats slabs}, {@code stats sizes}): only the names and their order are compared. The values are
 *       <ul>
 *         <li>process and build facts: {@code pid}, {@code uptime}, {@code time}, {@code version},
 *             {@code libevent}, {@code pointer_size}, {@code rusage_user}, {@code rusage_system};</li>
 *         <li>connection bookkeeping, which the harness's start-up probe connections and each server's threads and
 *             file descriptors shape: {@code max_connections}, {@code curr_connections}, {@code total_connections},
 *             {@code rejected_connections}, {@code connection_structures}, {@code reserved_fds},
 *             {@code response_obj_*}, {@code read_buf_*}, {@code accepting_conns}, {@code listen_disabled_num},
 *             {@code time_in_listen_disabled_us}, {@code threads}, {@code conn_yields};</li>
 *         <li>traffic counters, which count the runner's sentinel {@code version} commands and depend on how a
 *             server splits work ({@code bytes_read}, {@code bytes_written} count bytes, so they differ with
 *             the version string's length): {@code cmd_*}, {@code get_*}, {@code delete_*}, {@code incr_*},
 *             {@code decr_*}, {@code cas_*}, {@code touch_*}, {@code store_*}, {@code auth_*};</li>
 *         <li>memory layout and background work (LRU maintainer, LRU crawler, slab page mover run on their own
 *             clocks): {@code limit_maxbytes}, {@code hash_*}, {@code slab_*}, {@code slabs_moved},
 *             {@code lru_maintainer_juggles}, {@code malloc_fails}, {@code log_*}, {@code unexpected_napi_ids},
 *             {@code round_robin_fallback}, {@code bytes}, {@code curr_items}, {@code total_items},
 *             {@code expired_unfetched}, {@code evicted_*}, {@code evictions}, {@code reclaimed},
 *             {@code crawler_*}, {@code lrutail_reflocked}, {@code moves_*}, {@code direct_reclaims},
 *             {@code lru_bumps_dropped};</li>
 *         <li>{@code stats settings} values, which echo each process's own port and runtime-tuned settings;</li>
 *         <li>{@code stats items} and {@code stats slabs} values, and the slab class numbers inside their names
 *             ({@code items:3:number}, {@code 3:chunk_size}): written as {@code #}, with repeated names dropped,
 *             because which classes hold items depends on the allocator's size classes and the page mover.</li>
 *       </ul></li>
 *   <li><b>Space padding after an incr/decr</b>, in random streams only ({@code foldNumericPadding}): memcached
 *       writes a shorter incr/decr result into the old value, padded with spaces ({@code "100"} decremented by
 *       91 reads {@code "9  "}), but only if nothing else holds a reference to the item; a fetch can leave an
 *       asynchronous LRU bump pending that holds one, and then it stores the unpadded number as a new item. So a
 *       value of digits and spaces compares as its digits, and its length as their number. The
 *       hand-written scenarios check the padding exactly, where no such race exists.</li>
 *   <li><b>Meta replies</b> ({@code HD VA EN NF NS EX ME}): a {@code c<cas>} flag is renamed like a CAS in a
 *       {@code VALUE} line; the remaining TTL ({@code t}) and seconds since last access ({@code l}) tick with the
 *       clock, so they compare as {@code t<ttl>}/{@code l<la>} ({@code t-1}, no expiry, is kept); {@code me}'s
 *       {@code exp=}, {@code la=}, {@code cas=}, {@code cls=} and {@code size=} (slab class and item size follow each allocator) are masked.</li>
 *   <li><b>Close versus reset</b>: a server that closes with client bytes unread sends a reset instead of a FIN;
 *       which one a client sees depends on timing, so both read as {@code <closed>}.</li>
 * </ul>
 *
 * Data blocks longer than {@value #SHOWN_DATA_BYTES} bytes print as length, SHA-256 prefix and first bytes; the
 * digest covers the whole block, so a single wrong byte still differs.
 */
public final class ReplyNormalizer {
    static final int SHOWN_DATA_BYTES = 80;
    private static final Pattern CLASS_ID = Pattern.compile("(^|:)\\d+:");

    private static final Pattern PADDED_NUMBER = Pattern.compile("(\\d+) *\r\n");

    private final Map<String, String> casNames = new HashMap<>();
    private final boolean foldNumericPadding;

    /** A normalizer that compares incr/decr space padding exactly. */
    public ReplyNormalizer() {
        this(false);
    }

    public ReplyNormalizer(boolean foldNumericPadding) {
        this.foldNumericPadding = foldNumericPadding;
    }

    /** Normalizes one transcript; CAS names carry over to the next transcript of the same stream. */
    public List<String> normalize(Transcript transcript) {
        List<String> lines = new ArrayList<>();
        Set<String> statNames = new LinkedHashSet<>();
        List<Transcript.Unit> units = transcript.units();
        for (int i = 0; i < units.size(); i++) {
            Transcript.Unit unit = units.get(i);
            if (unit.data()) {
                lines.add(data(unit.bytes()));
                continue;
            }
            String text = unit.text();
            if (foldNumericPadding && text.startsWith("VALUE ") && i + 1 < units.size() && units.get(i + 1).data()) {
                Matcher padded = PADDED_NUMBER.matcher(units.get(i + 1).text());
                if (padded.matches()) {
                    String[] tokens = text.stripTrailing().split(" ");
                    tokens[3] = padded.group(1).length() + "-digits-padding-folded";
                    text = String.join(" ", tokens) + lineEnd(text);
                    units = new ArrayList<>(units);
                    units.set(i + 1, new Transcript.Unit((padded.group(1) + "\r\n").getBytes(ISO_8859_1), true));
                }
            }
            if (text.startsWith("STAT ")) {
                statNames.add(statName(text));
                continue;
            }
            if (!statNames.isEmpty()) {
                statNames.forEach(name -> lines.add("STAT " + name + " <value>"));
                statNames.clear();
            }
            if (isMetaReply(text)) {
                lines.add(printable(meta(text)));
            } else if (text.startsWith("VERSION ")) {
                lines.add("VERSION <version>" + printable(lineEnd(text)));
            } else if (text.startsWith("VALUE ") && Transcript.casOf(text) != null) {
                String cas = Transcript.casOf(text);
                String name = casNames.computeIfAbsent(cas, c -> "c" + (casNames.size() + 1));
                String stripped = text.stripTrailing();
                lines.add(printable(stripped.substring(0, stripped.length() - cas.length()) + name + lineEnd(text)));
            } else {
                lines.add(printable(text));
            }
        }
        statNames.forEach(name -> lines.add("STAT " + name + " <value>"));
        switch (transcript.end()) {
            case CLOSED -> lines.add("<closed>");
            case TIMEOUT -> lines.add("<no reply within the read timeout>");
            case COMPLETE -> {}
        }
        return lines;
    }

    private static boolean isMetaReply(String text) {
        return text.length() >= 2 && (text.startsWith("HD") || text.startsWith("VA ") || text.startsWith("EN")
                || text.startsWith("NF") || text.startsWith("NS") || text.startsWith("EX") || text.startsWith("ME "))
                && (text.length() == 2 || text.charAt(2) == ' ' || text.charAt(2) == '\r' || text.charAt(2) == '\n');
    }

    private String meta(String text) {
        String end = lineEnd(text);
        String body = text.stripTrailing();
        if (body.startsWith("ME ")) {
            return body.replaceAll(" (exp|la|cas|cls|size)=-?\\d+", " $1=<masked>") + end;
        }
        String[] tokens = body.split(" ", -1);
        for (int i = 1; i < tokens.length; i++) {
            String t = tokens[i];
            if (t.length() > 1 && t.charAt(0) == 'c' && t.substring(1).chars().allMatch(Character::isDigit)) {
                String cas = t.substring(1);
                tokens[i] = casNames.computeIfAbsent(cas, c -> "c" + (casNames.size() + 1));
            } else if (t.length() > 1 && t.charAt(0) == 't' && t.substring(1).chars().allMatch(Character::isDigit)) {
                tokens[i] = "t<ttl>";
            } else if (t.length() > 1 && t.charAt(0) == 'l' && t.substring(1).chars().allMatch(Character::isDigit)) {
                tokens[i] = "l<la>";
            }
        }
        return String.join(" ", tokens) + end;
    }

    private static String statName(String statLine) {
        String rest = statLine.substring(5);
        int space = rest.indexOf(' ');
        String name = space < 0 ? rest.stripTrailing() : rest.substring(0, space);
        return CLASS_ID.matcher(name).replaceAll("$1#:");
    }

    private static String lineEnd(String line) {
        return line.substring(line.stripTrailing().length());
    }

    private static String data(byte[] bytes) {
        if (bytes.length <= SHOWN_DATA_BYTES) {
            return printable(new String(bytes, ISO_8859_1));
        }
        return "<" + bytes.length + " bytes sha256:" + sha256(bytes) + " starting "
                + printable(new String(bytes, 0, 40, ISO_8859_1)) + "...>";
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bytes as readable text: printable ASCII as is, {@code \r \n \t \\} escaped, anything else as {@code \xNN}. */
    public static String printable(String latin1) {
        StringBuilder out = new StringBuilder(latin1.length() + 8);
        for (int i = 0; i < latin1.length(); i++) {
            char c = latin1.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        out.append(c);
                    } else {
                        out.append(String.format("\\x%02x", (int) c));
                    }
                }
            }
        }
        return out.toString();
    }
}
