package memfleet.protocol.text;

/**
 * Splits one command line into space-separated tokens the way memcached's {@code tokenize_command} does:
 * only {@code ' '} separates, at most {@link #MAX_TOKENS} - 1 tokens are cut and whatever follows is
 * left as the terminal token's remainder (used to page through long multi-gets). One instance per
 * connection; positions are offsets into the line array, nothing is copied.
 */
public final class TextTokenizer {
    /** memcached's MAX_TOKENS: the real tokens plus the terminal one. */
    public static final int MAX_TOKENS = 24;

    private final int[] start = new int[MAX_TOKENS];
    private final int[] length = new int[MAX_TOKENS];
    private int count;
    /** Offset of the unprocessed rest of the line, or -1 when the whole line was tokenized. */
    private int rest;
    private int end;

    /**
     * Tokenizes {@code line[from, to)} and returns memcached's {@code ntokens}: the number of tokens plus
     * one for the terminal token.
     */
    public int tokenize(byte[] line, int from, int to) {
        int n = 0;
        int s = from;
        int e = from;
        rest = -1;
        end = to;
        for (; e < to; e++) {
            if (line[e] == ' ') {
                if (s != e) {
                    start[n] = s;
                    length[n] = e - s;
                    n++;
                    if (n == MAX_TOKENS - 1) {
                        e++;
                        s = e;
                        break;
                    }
                }
                s = e + 1;
            }
        }
        if (s != e) {
            start[n] = s;
            length[n] = e - s;
            n++;
        }
        rest = e < to ? e : -1;
        count = n;
        return n + 1;
    }

    /** Number of real tokens (memcached's ntokens - 1). */
    public int count() {
        return count;
    }

    public int start(int i) {
        return start[i];
    }

    public int length(int i) {
        return length[i];
    }

    public int end(int i) {
        return start[i] + length[i];
    }

    /** True when the line had more tokens than fit: {@link #restStart()} is where they begin. */
    public boolean hasRest() {
        return rest >= 0;
    }

    public int restStart() {
        return rest;
    }

    public int lineEnd() {
        return end;
    }

    /** True when token {@code i} equals the ASCII word {@code word}. */
    public boolean is(byte[] line, int i, byte[] word) {
        if (i >= count || length[i] != word.length) {
            return false;
        }
        return java.util.Arrays.equals(line, start[i], start[i] + word.length, word, 0, word.length);
    }
}
