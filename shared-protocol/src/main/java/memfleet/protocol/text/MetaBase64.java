package memfleet.protocol.text;

/**
 * Base64 for meta commands' binary keys ({@code b} flag), as memcached's {@code base64.c} reads and
 * writes it: the standard alphabet with padding; decoding skips characters outside the alphabet and
 * fails when the rest is not whole groups of four.
 */
public final class MetaBase64 {
    private static final byte[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] DECODE = new byte[256];

    static {
        java.util.Arrays.fill(DECODE, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            DECODE[ALPHABET[i]] = (byte) i;
        }
        DECODE['='] = 0;
    }

    private MetaBase64() {}

    /**
     * Decodes {@code src[off, off + len)} into {@code dst} (which may be {@code src} itself at {@code off}:
     * output never overtakes input). Returns the decoded length, or 0 when the input is not base64.
     */
    public static int decode(byte[] src, int off, int len, byte[] dst, int dstOff) {
        int count = 0;
        for (int i = 0; i < len; i++) {
            if (DECODE[src[off + i] & 0xFF] >= 0) {
                count++;
            }
        }
        if (count == 0 || count % 4 != 0) {
            return 0;
        }
        int out = dstOff;
        int pad = 0;
        int acc = 0;
        int n = 0;
        for (int i = 0; i < len; i++) {
            int c = src[off + i] & 0xFF;
            byte d = DECODE[c];
            if (d < 0) {
                continue;
            }
            if (c == '=') {
                pad++;
            }
            acc = (acc << 6) | d;
            if (++n == 4) {
                dst[out++] = (byte) (acc >> 16);
                dst[out++] = (byte) (acc >> 8);
                dst[out++] = (byte) acc;
                n = 0;
                acc = 0;
                if (pad > 0) {
                    if (pad > 2) {
                        return 0;
                    }
                    out -= pad;
                    break;
                }
            }
        }
        return out - dstOff;
    }

    /** Encodes {@code src[off, off + len)} into {@code dst} at {@code dstOff}; returns the bytes written. */
    public static int encode(byte[] src, int off, int len, byte[] dst, int dstOff) {
        int o = dstOff;
        int i = 0;
        for (; i + 3 <= len; i += 3) {
            int v = ((src[off + i] & 0xFF) << 16) | ((src[off + i + 1] & 0xFF) << 8) | (src[off + i + 2] & 0xFF);
            dst[o++] = ALPHABET[(v >> 18) & 63];
            dst[o++] = ALPHABET[(v >> 12) & 63];
            dst[o++] = ALPHABET[(v >> 6) & 63];
            dst[o++] = ALPHABET[v & 63];
        }
        int rest = len - i;
        if (rest > 0) {
            int v = (src[off + i] & 0xFF) << 16;
            if (rest == 2) {
                v |= (src[off + i + 1] & 0xFF) << 8;
            }
            dst[o++] = ALPHABET[(v >> 18) & 63];
            dst[o++] = ALPHABET[(v >> 12) & 63];
            dst[o++] = rest == 2 ? ALPHABET[(v >> 6) & 63] : (byte) '=';
            dst[o++] = '=';
        }
        return o - dstOff;
    }
}
