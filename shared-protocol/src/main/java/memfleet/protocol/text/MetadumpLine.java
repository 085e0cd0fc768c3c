package memfleet.protocol.text;

import java.nio.charset.StandardCharsets;

/**
 * One line of {@code lru_crawler metadump}, parsed in place: {@code key=<uriencoded> exp=<unix|-1> la=<unix>
 * cas=<n> fetch=<yes|no> cls=<class> size=<bytes>}. One instance is reused for every line of a dump, so a reader
 * of millions of lines allocates nothing per line: the key is decoded into {@link #key()}'s buffer, which the
 * next {@link #parse} overwrites. Fields a server does not send keep their defaults (a later memcached adds
 * some: unknown fields are skipped).
 */
public final class MetadumpLine {
    /** {@code exp} of an item that never expires. */
    public static final long NEVER = -1;

    private final byte[] key = new byte[250];
    private int nkey;
    private long exp;
    private long lastAccess;
    private long cas;
    private boolean fetched;
    private int slabClass;
    private long size;

    /**
     * Parses {@code line[from, to)} (no line end). Returns false for a line that is not an item line ({@code END},
     * an error): the fields are then undefined.
     */
    public boolean parse(byte[] line, int from, int to) {
        if (to - from < 4 || line[from] != 'k' || line[from + 1] != 'e' || line[from + 2] != 'y' || line[from + 3] != '=') {
            return false;
        }
        nkey = 0;
        exp = NEVER;
        lastAccess = 0;
        cas = 0;
        fetched = false;
        slabClass = 0;
        size = 0;
        int i = from;
        while (i < to) {
            int eq = i;
            while (eq < to && line[eq] != '=' && line[eq] != ' ') {
                eq++;
            }
            int end = eq;
            while (end < to && line[end] != ' ') {
                end++;
            }
            if (eq < end) {
                field(line, i, eq, eq + 1, end);
            }
            i = end + 1;
        }
        return nkey > 0;
    }

    private void field(byte[] b, int name, int nameEnd, int v, int vEnd) {
        int n = nameEnd - name;
        if (n == 3 && b[name] == 'k') {
            decodeKey(b, v, vEnd);
        } else if (n == 3 && b[name] == 'e') {
            exp = number(b, v, vEnd);
        } else if (n == 2 && b[name] == 'l') {
            lastAccess = number(b, v, vEnd);
        } else if (n == 3 && b[name] == 'c' && b[name + 1] == 'a') {
            cas = number(b, v, vEnd);
        } else if (n == 5 && b[name] == 'f') {
            fetched = vEnd - v == 3 && b[v] == 'y';
        } else if (n == 3 && b[name] == 'c' && b[name + 1] == 'l') {
            slabClass = (int) number(b, v, vEnd);
        } else if (n == 4 && b[name] == 's') {
            size = number(b, v, vEnd);
        }
    }

    private void decodeKey(byte[] b, int v, int vEnd) {
        int k = 0;
        for (int i = v; i < vEnd && k < key.length; i++) {
            int c = b[i];
            if (c == '%' && i + 2 < vEnd) {
                int hi = Character.digit(b[i + 1], 16);
                int lo = Character.digit(b[i + 2], 16);
                if (hi >= 0 && lo >= 0) {
                    key[k++] = (byte) (hi << 4 | lo);
                    i += 2;
                    continue;
                }
            }
            key[k++] = (byte) c;
        }
        nkey = k;
    }

    /** A signed decimal; anything else reads as 0. */
    private static long number(byte[] b, int v, int vEnd) {
        boolean negative = v < vEnd && b[v] == '-';
        long n = 0;
        for (int i = negative ? v + 1 : v; i < vEnd; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return 0;
            }
            n = n * 10 + d;
        }
        return negative ? -n : n;
    }

    /** The decoded key's bytes: valid up to {@link #keyLength()}, overwritten by the next line. */
    public byte[] key() {
        return key;
    }

    public int keyLength() {
        return nkey;
    }

    /** The key as text, one char per byte (ISO-8859-1), so prefixes cut on bytes. */
    public String keyText() {
        return new String(key, 0, nkey, StandardCharsets.ISO_8859_1);
    }

    /** Absolute expiry (unix seconds), or {@link #NEVER}. */
    public long exp() {
        return exp;
    }

    /** Last access (unix seconds). */
    public long lastAccess() {
        return lastAccess;
    }

    public long cas() {
        return cas;
    }

    /** Whether the item was fetched since it was stored. */
    public boolean fetched() {
        return fetched;
    }

    public int slabClass() {
        return slabClass;
    }

    /** The item's total size in memory as the server counts it (header, key, value). */
    public long size() {
        return size;
    }
}
