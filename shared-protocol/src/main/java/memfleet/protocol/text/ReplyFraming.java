package memfleet.protocol.text;

/**
 * Finds where one reply ends in bytes read so far, so a client can pipeline several commands on one
 * connection and split the answers without a line reader per command. Each method returns the length of the
 * first complete reply starting at {@code from}, or -1 when more bytes are needed.
 */
public final class ReplyFraming {
    private ReplyFraming() {
    }

    /** The shape of reply a command gets. */
    public enum Shape {
        /** {@code STAT}/{@code ITEM} lines up to {@code END} ({@code stats ...}, {@code stats cachedump}). */
        LINES_TO_END,
        /** {@code VALUE} blocks with their data, then {@code END} ({@code get}, {@code gets}). */
        VALUES,
        /** One line ({@code STORED}, {@code DELETED}, {@code TOUCHED}, {@code OK}, ...). */
        LINE
    }

    /** The length of the first complete reply of {@code shape} in {@code buf[from, to)}, or -1. */
    public static int frame(Shape shape, byte[] buf, int from, int to) {
        return switch (shape) {
            case LINES_TO_END -> stats(buf, from, to);
            case VALUES -> values(buf, from, to);
            case LINE -> line(buf, from, to);
        };
    }

    /** Lines up to {@code END}; an error line ends the reply too. */
    public static int stats(byte[] buf, int from, int to) {
        int pos = from;
        while (true) {
            int eol = indexOfLf(buf, pos, to);
            if (eol < 0) {
                return -1;
            }
            if (isTerminal(buf, pos, eol)) {
                return eol + 1 - from;
            }
            pos = eol + 1;
        }
    }

    /** {@code VALUE <key> <flags> <bytes> [<cas>]} blocks skipped by their byte count, then {@code END}. */
    public static int values(byte[] buf, int from, int to) {
        int pos = from;
        while (true) {
            int eol = indexOfLf(buf, pos, to);
            if (eol < 0) {
                return -1;
            }
            if (startsWith(buf, pos, eol, "VALUE ")) {
                long bytes = valueBytes(buf, pos, eol);
                long next = eol + 1 + bytes + 2;
                if (next > to) {
                    return -1;
                }
                pos = (int) next;
                continue;
            }
            if (isTerminal(buf, pos, eol)) {
                return eol + 1 - from;
            }
            throw new IllegalArgumentException("unexpected line in a get reply");
        }
    }

    /** One line. */
    public static int line(byte[] buf, int from, int to) {
        int eol = indexOfLf(buf, from, to);
        return eol < 0 ? -1 : eol + 1 - from;
    }

    private static long valueBytes(byte[] buf, int from, int eol) {
        int end = eol > from && buf[eol - 1] == '\r' ? eol - 1 : eol;
        // the fourth token: VALUE key flags bytes [cas]
        int token = 0;
        int i = from;
        while (i < end) {
            while (i < end && buf[i] == ' ') {
                i++;
            }
            int s = i;
            while (i < end && buf[i] != ' ') {
                i++;
            }
            if (token == 3) {
                long v = 0;
                for (int k = s; k < i; k++) {
                    if (buf[k] < '0' || buf[k] > '9') {
                        throw new IllegalArgumentException("bad byte count in VALUE line");
                    }
                    v = v * 10 + (buf[k] - '0');
                }
                return v;
            }
            token++;
        }
        throw new IllegalArgumentException("VALUE line without a byte count");
    }

    private static boolean isTerminal(byte[] buf, int from, int eol) {
        return startsWith(buf, from, eol, "END") && (eol - from == 3 || eol - from == 4 && buf[eol - 1] == '\r')
                || startsWith(buf, from, eol, "ERROR") && (eol - from <= 6)
                || startsWith(buf, from, eol, "CLIENT_ERROR")
                || startsWith(buf, from, eol, "SERVER_ERROR");
    }

    private static boolean startsWith(byte[] buf, int from, int to, String prefix) {
        if (to - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (buf[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOfLf(byte[] buf, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
