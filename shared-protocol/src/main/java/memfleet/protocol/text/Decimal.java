package memfleet.protocol.text;

/**
 * Numbers as memcached reads them. Parsing follows {@code safe_strtoul}, {@code safe_strtol}
 * and {@code safe_strtoull} on a NUL-terminated token: leading whitespace and a sign are accepted as
 * {@code strtoul} accepts them, the number must be followed by the end of the token or whitespace, and
 * overflow is an error. Results are returned as a primitive with {@link #INVALID} for failure.
 */
public final class Decimal {
    /** Returned by the 32-bit parsers when the text is not a valid number (outside any 32-bit range). */
    public static final long INVALID = Long.MIN_VALUE;

    private Decimal() {}

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
    }

    /**
     * Parses like C's {@code strtoull(str, &end, 10)} followed by memcached's checks; returns the value
     * as an unsigned 64-bit number in a long. {@code ok[0]} tells success, since every long is a valid
     * unsigned value.
     */
    public static long parseUnsigned64(byte[] buf, int from, int to, boolean[] ok) {
        ok[0] = false;
        int i = from;
        while (i < to && isSpace(buf[i])) {
            i++;
        }
        boolean negative = false;
        if (i < to && (buf[i] == '-' || buf[i] == '+')) {
            negative = buf[i] == '-';
            i++;
        }
        int digits = i;
        long value = 0;
        boolean overflow = false;
        while (i < to) {
            int c = buf[i];
            if (c < '0' || c > '9') {
                break;
            }
            int d = c - '0';
            if (Long.compareUnsigned(value, Long.divideUnsigned(-1L - d, 10)) > 0) {
                overflow = true;
            }
            value = value * 10 + d;
            i++;
        }
        if (i == digits || overflow) {
            return 0; // no digits (str == endptr) or ERANGE
        }
        if (i < to && !isSpace(buf[i])) {
            return 0;
        }
        if (negative) {
            value = -value;
            // strtoull negates; memcached rejects a '-' only when the result looks negative as signed
            if (value < 0) {
                return 0;
            }
        }
        ok[0] = true;
        return value;
    }

    /**
     * memcached's {@code safe_strtoul}: {@code strtoul} then a store into a {@code uint32_t}, so larger
     * values are silently truncated exactly as memcached 1.6.18 truncates them. Returns the value in
     * [0, 2^32) or {@link #INVALID}.
     */
    public static long parseUnsigned32(byte[] buf, int from, int to, boolean[] ok) {
        long v = parseUnsigned64(buf, from, to, ok);
        return ok[0] ? v & 0xFFFF_FFFFL : INVALID;
    }

    /**
     * memcached's {@code safe_strtol}: {@code strtol} (64-bit, overflow is an error) then a store into an
     * {@code int32_t}, truncating. Returns the value or {@link #INVALID}.
     */
    public static long parseSigned32(byte[] buf, int from, int to) {
        int i = from;
        while (i < to && isSpace(buf[i])) {
            i++;
        }
        boolean negative = false;
        if (i < to && (buf[i] == '-' || buf[i] == '+')) {
            negative = buf[i] == '-';
            i++;
        }
        int digits = i;
        long value = 0;
        boolean overflow = false;
        while (i < to) {
            int c = buf[i];
            if (c < '0' || c > '9') {
                break;
            }
            if (!overflow) {
                long next = value * 10 + (c - '0');
                if (value > 922337203685477580L || next < 0) {
                    overflow = true; // strtol's ERANGE
                } else {
                    value = next;
                }
            }
            i++;
        }
        if (i == digits || overflow) {
            return INVALID;
        }
        if (i < to && !isSpace(buf[i])) {
            return INVALID;
        }
        return (int) (negative ? -value : value);
    }
}
