package memfleet.console.keyspace;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keys grouped by prefix: a key {@code user:42:cart} with separator {@code :} counts in {@code user:} and
 * {@code user:42:} (the part after the last separator names one key, not a group). Each prefix holds the items,
 * bytes and never-expiring items under it. Bounded whatever the key space looks like: at most {@link #MAX_DEPTH}
 * levels, {@link #MAX_CHILDREN} children per prefix and {@link #MAX_PREFIXES} in all; what does not fit is counted
 * in its parent's {@link #OTHER} child, so the totals stay exact.
 */
public final class PrefixTree {
    public static final int MAX_DEPTH = 4;
    public static final int MAX_CHILDREN = 200;
    public static final int MAX_PREFIXES = 20_000;
    /** The child that counts prefixes beyond the bounds. */
    public static final String OTHER = "(other prefixes)";

    /** One prefix: its full text ({@code user:42:}), what it holds, and its children by their full text. */
    public static final class Prefix {
        private final String prefix;
        private long items;
        private long bytes;
        private long neverExpire;
        private Map<String, Prefix> children;

        Prefix(String prefix) {
            this.prefix = prefix;
        }

        public String prefix() {
            return prefix;
        }

        public long items() {
            return items;
        }

        public long bytes() {
            return bytes;
        }

        public long neverExpire() {
            return neverExpire;
        }

        public boolean isOther() {
            return prefix.endsWith(OTHER);
        }

        /** Children, most bytes first. */
        public List<Prefix> children() {
            if (children == null) {
                return List.of();
            }
            List<Prefix> list = new ArrayList<>(children.values());
            list.sort(Comparator.comparingLong(Prefix::bytes).reversed().thenComparing(Prefix::prefix));
            return list;
        }

        /** Items directly here: keys that end after this prefix's last separator. */
        public long ownItems() {
            long n = items;
            if (children != null) {
                for (Prefix c : children.values()) {
                    n -= c.items;
                }
            }
            return n;
        }
    }

    private final char separator;
    private final Prefix root = new Prefix("");
    private int prefixes;

    public PrefixTree(char separator) {
        this.separator = separator;
    }

    public char separator() {
        return separator;
    }

    public Prefix root() {
        return root;
    }

    /** How many prefixes the tree holds (at most {@link #MAX_PREFIXES}, plus the {@link #OTHER} ones). */
    public int size() {
        return prefixes;
    }

    /** Counts one item ({@code key[0, nkey)}, one char per byte). */
    public void add(byte[] key, int nkey, long size, boolean neverExpires) {
        count(root, 1, size, neverExpires ? 1 : 0);
        Prefix at = root;
        int depth = 0;
        for (int i = 0; i < nkey && depth < MAX_DEPTH; i++) {
            if (key[i] != separator) {
                continue;
            }
            // a prefix string per level per item: the price of a readable tree, bounded by MAX_DEPTH
            at = child(at, new String(key, 0, i + 1, java.nio.charset.StandardCharsets.ISO_8859_1));
            count(at, 1, size, neverExpires ? 1 : 0);
            if (at.isOther()) {
                return;
            }
            depth++;
        }
    }

    private static void count(Prefix p, long items, long bytes, long never) {
        p.items += items;
        p.bytes += bytes;
        p.neverExpire += never;
    }

    private Prefix child(Prefix parent, String prefix) {
        if (parent.children == null) {
            parent.children = new HashMap<>();
        }
        Prefix c = parent.children.get(prefix);
        if (c != null) {
            return c;
        }
        boolean full = prefixes >= MAX_PREFIXES || parent.children.size() >= MAX_CHILDREN;
        String name = full ? parent.prefix + OTHER : prefix;
        c = parent.children.get(name);
        if (c == null) {
            c = new Prefix(name);
            parent.children.put(name, c);
            if (!full) {
                prefixes++;
            }
        }
        return c;
    }

    /** Adds {@code other}'s counts into this tree (a group's tree is the sum of its nodes'). */
    public void merge(PrefixTree other) {
        merge(root, other.root);
    }

    private void merge(Prefix into, Prefix from) {
        count(into, from.items, from.bytes, from.neverExpire);
        if (from.children == null || into.isOther()) {
            return; // an OTHER prefix counts everything under it and has no children
        }
        for (Prefix c : from.children.values()) {
            merge(child(into, c.isOther() ? into.prefix + OTHER : c.prefix), c);
        }
    }

    /** The prefix with exactly this text, or null (the root for ""). */
    public Prefix find(String prefix) {
        if (prefix.isEmpty()) {
            return root;
        }
        Prefix at = root;
        for (int i = 0; i < prefix.length(); i++) {
            if (prefix.charAt(i) == separator || i == prefix.length() - 1) {
                if (at.children == null) {
                    return null;
                }
                Prefix next = at.children.get(prefix.substring(0, i + 1));
                if (next == null) {
                    return null;
                }
                at = next;
            }
        }
        return at.prefix.equals(prefix) ? at : null;
    }

    /** The prefixes from the root's child down to {@code p} (for a breadcrumb). */
    public List<Prefix> path(Prefix p) {
        List<Prefix> path = new ArrayList<>();
        if (p == null || p == root) {
            return path;
        }
        String s = p.prefix;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == separator) {
                Prefix step = find(s.substring(0, i + 1));
                if (step != null) {
                    path.add(step);
                }
            }
        }
        if (path.isEmpty() || path.get(path.size() - 1) != p) {
            path.add(p);
        }
        return path;
    }
}
