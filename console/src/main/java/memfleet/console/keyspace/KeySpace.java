package memfleet.console.keyspace;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.TreeMap;
import memfleet.protocol.text.MetadumpLine;

/**
 * What a node's (or a group's) items are, built one {@code lru_crawler metadump} line at a time in bounded memory:
 * the {@link PrefixTree}; per slab class the items, bytes, never-read and never-expiring counts and three
 * histograms (time to live left, time since last access, item size); the {@link #TOP} biggest items and the
 * {@link #TOP} biggest that never expire. Nothing here grows with the number of items. Not thread-safe: one
 * analysis fills it, then pages only read it.
 */
public final class KeySpace {
    public static final int TOP = 100;

    /** Upper bounds (exclusive, seconds) of the time-to-live buckets; then "longer", then "never". */
    static final long[] TTL_BOUNDS = {60, 600, 3600, 6 * 3600, 86400, 7 * 86400};
    public static final List<String> TTL_LABELS = List.of("< 1 min", "< 10 min", "< 1 h", "< 6 h", "< 1 d", "< 7 d",
            "≥ 7 d", "never");
    /** Upper bounds (exclusive, seconds) of the idle buckets; then "longer". */
    static final long[] IDLE_BOUNDS = {60, 600, 3600, 6 * 3600, 86400};
    public static final List<String> IDLE_LABELS = List.of("< 1 min", "< 10 min", "< 1 h", "< 6 h", "< 1 d", "≥ 1 d");
    /** Item sizes by powers of two: up to 64 B, 128 B, ... 1 MiB, then larger. */
    static final int SIZE_BUCKETS = 16;
    public static final List<String> SIZE_LABELS = sizeLabels();

    /** One slab class's share. */
    public static final class SlabClass {
        private final int id;
        long items;
        long bytes;
        long neverFetched;
        long neverExpire;
        final long[] ttl = new long[TTL_LABELS.size()];
        final long[] idle = new long[IDLE_LABELS.size()];
        final long[] size = new long[SIZE_BUCKETS];

        SlabClass(int id) {
            this.id = id;
        }

        public int id() {
            return id;
        }

        public long items() {
            return items;
        }

        public long bytes() {
            return bytes;
        }

        public long neverFetched() {
            return neverFetched;
        }

        public long neverExpire() {
            return neverExpire;
        }

        public long[] ttl() {
            return ttl.clone();
        }

        public long[] idle() {
            return idle.clone();
        }

        public long[] size() {
            return size.clone();
        }

        void add(SlabClass o) {
            items += o.items;
            bytes += o.bytes;
            neverFetched += o.neverFetched;
            neverExpire += o.neverExpire;
            for (int i = 0; i < ttl.length; i++) {
                ttl[i] += o.ttl[i];
            }
            for (int i = 0; i < idle.length; i++) {
                idle[i] += o.idle[i];
            }
            for (int i = 0; i < size.length; i++) {
                size[i] += o.size[i];
            }
        }
    }

    /** One listed item: its key as the node stores it (one char per byte), size, class and expiry (unix, -1 never). */
    public record Item(String key, long size, int slabClass, long exp, long lastAccess, String node) {
    }

    private final PrefixTree prefixes;
    private final long now;
    private final TreeMap<Integer, SlabClass> classes = new TreeMap<>();
    private final PriorityQueue<Item> biggest = new PriorityQueue<>(Comparator.comparingLong(Item::size));
    private final PriorityQueue<Item> biggestNeverExpiring = new PriorityQueue<>(Comparator.comparingLong(Item::size));
    private final String node;

    /** {@code now}: unix seconds the times are measured against; {@code node}: named in the listed items. */
    public KeySpace(char separator, long now, String node) {
        this.prefixes = new PrefixTree(separator);
        this.now = now;
        this.node = node;
    }

    /** Counts one parsed metadump line. */
    public void add(MetadumpLine line) {
        long size = line.size();
        long exp = line.exp();
        boolean never = exp == MetadumpLine.NEVER || exp == 0;
        prefixes.add(line.key(), line.keyLength(), size, never);
        SlabClass c = classes.get(line.slabClass());
        if (c == null) {
            c = new SlabClass(line.slabClass());
            classes.put(line.slabClass(), c);
        }
        c.items++;
        c.bytes += size;
        if (!line.fetched()) {
            c.neverFetched++;
        }
        int ttl;
        if (never) {
            c.neverExpire++;
            ttl = TTL_LABELS.size() - 1;
        } else {
            ttl = bucket(TTL_BOUNDS, exp - now);
        }
        c.ttl[ttl]++;
        c.idle[bucket(IDLE_BOUNDS, now - line.lastAccess())]++;
        c.size[sizeBucket(size)]++;
        offer(biggest, line, size, exp);
        if (never) {
            offer(biggestNeverExpiring, line, size, exp);
        }
    }

    private void offer(PriorityQueue<Item> top, MetadumpLine line, long size, long exp) {
        if (top.size() < TOP || size > top.peek().size()) {
            top.add(new Item(line.keyText(), size, line.slabClass(), exp, line.lastAccess(), node));
            if (top.size() > TOP) {
                top.poll();
            }
        }
    }

    private static int bucket(long[] bounds, long seconds) {
        for (int i = 0; i < bounds.length; i++) {
            if (seconds < bounds[i]) {
                return i;
            }
        }
        return bounds.length;
    }

    static int sizeBucket(long size) {
        int b = 0;
        long limit = 64;
        while (size > limit && b < SIZE_BUCKETS - 1) {
            limit <<= 1;
            b++;
        }
        return b;
    }

    private static List<String> sizeLabels() {
        List<String> labels = new ArrayList<>();
        long limit = 64;
        for (int i = 0; i < SIZE_BUCKETS - 1; i++) {
            labels.add("≤ " + (limit < 1024 ? limit + " B" : limit < 1024 * 1024 ? limit / 1024 + " KiB" : limit / (1024 * 1024) + " MiB"));
            limit <<= 1;
        }
        labels.add("> " + (limit / 2 / (1024 * 1024)) + " MiB");
        return List.copyOf(labels);
    }

    /** Adds another node's analysis (same separator) into this one. */
    public void merge(KeySpace other) {
        prefixes.merge(other.prefixes);
        for (SlabClass c : other.classes.values()) {
            classes.computeIfAbsent(c.id, SlabClass::new).add(c);
        }
        for (Item i : other.biggest) {
            mergeTop(biggest, i);
        }
        for (Item i : other.biggestNeverExpiring) {
            mergeTop(biggestNeverExpiring, i);
        }
    }

    private static void mergeTop(PriorityQueue<Item> top, Item i) {
        top.add(i);
        if (top.size() > TOP) {
            top.poll();
        }
    }

    public PrefixTree prefixes() {
        return prefixes;
    }

    public long now() {
        return now;
    }

    /** Slab classes that hold items, by id. */
    public List<SlabClass> classes() {
        return List.copyOf(classes.values());
    }

    /** Every class summed. */
    public SlabClass total() {
        SlabClass t = new SlabClass(0);
        classes.values().forEach(t::add);
        return t;
    }

    /** The {@link #TOP} biggest items, biggest first. */
    public List<Item> biggest() {
        return sorted(biggest);
    }

    /** The {@link #TOP} biggest items that never expire, biggest first. */
    public List<Item> biggestNeverExpiring() {
        return sorted(biggestNeverExpiring);
    }

    private static List<Item> sorted(PriorityQueue<Item> q) {
        List<Item> l = new ArrayList<>(q);
        l.sort(Comparator.comparingLong(Item::size).reversed().thenComparing(Item::key));
        return l;
    }
}
