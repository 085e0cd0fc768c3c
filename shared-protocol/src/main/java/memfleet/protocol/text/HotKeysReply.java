package memfleet.protocol.text;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's {@code stats hotkeys} read: the sample rate and, best first, each key (URL-encoded as the node
 * sends it) with its estimated hits and error bound ({@code STAT hot_<rank> <key> <hits> <error>}). A server
 * without the group (memcached answers {@code ERROR}) reads as {@link #NONE}.
 */
public record HotKeysReply(boolean supported, int sampleRate, List<Entry> keys) {
    public static final HotKeysReply NONE = new HotKeysReply(false, 0, List.of());

    /** One hot key: its hits are the sampled count times the rate, at most {@code error} too many. */
    public record Entry(String key, long hits, long error) {
    }

    public static HotKeysReply of(StatsReply reply) {
        if (reply.isError() || !reply.stats().containsKey("sample_rate")) {
            return NONE;
        }
        List<Entry> keys = new ArrayList<>();
        for (int i = 1; ; i++) {
            String line = reply.get("hot_" + i);
            if (line == null) {
                break;
            }
            String[] f = line.split(" ");
            if (f.length == 3) {
                try {
                    keys.add(new Entry(f[0], Long.parseLong(f[1]), Long.parseLong(f[2])));
                } catch (NumberFormatException e) {
                    // a line this version cannot read: skip it
                }
            }
        }
        return new HotKeysReply(true, (int) reply.getLong("sample_rate", 0), List.copyOf(keys));
    }

    /** The {@code limit} keys with the most hits over several nodes (a key hit on two nodes adds up). */
    public static List<Entry> merge(List<HotKeysReply> replies, int limit) {
        Map<String, long[]> sum = new LinkedHashMap<>();
        for (HotKeysReply r : replies) {
            for (Entry e : r.keys()) {
                long[] s = sum.computeIfAbsent(e.key(), k -> new long[2]);
                s[0] += e.hits();
                s[1] += e.error();
            }
        }
        List<Entry> all = new ArrayList<>();
        sum.forEach((k, s) -> all.add(new Entry(k, s[0], s[1])));
        all.sort((a, b) -> Long.compare(b.hits(), a.hits()));
        return all.size() > limit ? List.copyOf(all.subList(0, limit)) : List.copyOf(all);
    }
}
