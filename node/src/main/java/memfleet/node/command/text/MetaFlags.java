package memfleet.node.command.text;

import java.nio.charset.StandardCharsets;

import memfleet.node.os.Libc;
import memfleet.node.store.ItemClock;
import memfleet.node.store.NativeMemory;
import memfleet.protocol.text.Decimal;
import memfleet.protocol.text.MetaBase64;
import memfleet.protocol.text.TextReplies;

/**
 * A meta command's flags, parsed once per command as memcached's {@code _meta_flag_preparse} does into its
 * {@code struct _meta_flags}: single letters, some with a token ({@code T30}, {@code C123}), each at most
 * once. A base64 key ({@code b}) is decoded into a small native buffer of the connection's, so the key has
 * an address like any other. Nothing is allocated per command.
 */
final class MetaFlags {
    static final byte[] E_FORMAT = TextReplies.BAD_FORMAT;
    static final byte[] E_DUPLICATE = line("CLIENT_ERROR duplicate flag");
    static final byte[] E_INVALID_FLAG = line("CLIENT_ERROR invalid flag");
    static final byte[] E_DECODING = line("CLIENT_ERROR error decoding key");
    static final byte[] E_BAD_TOKEN = line("CLIENT_ERROR bad token in command line format");
    static final byte[] E_M_LENGTH = line("CLIENT_ERROR incorrect length for M token");
    static final byte[] E_INITIAL = line("CLIENT_ERROR invalid numeric initial value");
    static final byte[] E_DELTA = line("CLIENT_ERROR invalid numeric delta value");

    private final ItemClock clock;
    private final boolean[] ok = new boolean[1];
    private final boolean[] seen = new boolean[128];
    /** Base64-decoded keys need an address: a small native buffer of this connection's. */
    private long keyScratch;

    /** The error to answer when {@link #parse} fails. */
    byte[] errstr;
    boolean noUpdate;
    boolean vivify;
    boolean value;
    boolean setStale;
    boolean noReply;
    boolean hasCas;
    boolean newTtl;
    boolean keyBinary;
    int mode;
    int exptime;
    int autovivExptime;
    int recacheTime;
    long clientFlags;
    long reqCas;
    long delta;
    long initial;
    /** The key (decoded when binary) and its length. */
    long key;
    int nkey;

    MetaFlags(ItemClock clock) {
        this.clock = clock;
    }

    private static byte[] line(String s) {
        return (s + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The key of token 1, decoded from base64 in place into {@link #key} (0 length when it does not decode). */
    void base64Key(TextLine t) {
        byte[] b = t.bytes;
        int n = MetaBase64.decode(b, t.start(1), t.length(1), b, t.start(1));
        if (n > 0) {
            if (keyScratch == 0) {
                keyScratch = Libc.mmapAnonymous(4096);
            }
            NativeMemory.copyFromArray(b, t.start(1), keyScratch, n);
            key = keyScratch;
        }
        nkey = n;
    }

    /** memcached's {@code _meta_flag_preparse} over tokens {@code first..}; false on error ({@link #errstr}). */
    boolean parse(TextLine t, int first) {
        errstr = E_FORMAT;
        noUpdate = vivify = value = setStale = noReply = hasCas = newTtl = keyBinary = false;
        mode = 0;
        exptime = autovivExptime = recacheTime = 0;
        clientFlags = reqCas = initial = 0;
        delta = 1;
        java.util.Arrays.fill(seen, false);
        key = t.address(1);
        nkey = t.length(1);
        boolean hasError = false;
        byte[] line = t.bytes;
        int count = t.tokens.count();
        for (int i = first; i < count; i++) {
            int s = t.start(i);
            int end = t.end(i);
            int o = line[s] & 0xFF;
            if (o >= 127 || seen[o]) {
                errstr = E_DUPLICATE;
                return false;
            }
            seen[o] = true;
            switch (o) {
                case 'b' -> {
                    base64Key(t);
                    if (nkey == 0) {
                        errstr = E_DECODING;
                        hasError = true;
                    }
                    keyBinary = true;
                }
                case 'N' -> {
                    vivify = true;
                    long v = Decimal.parseSigned32(line, s + 1, end);
                    if (v == Decimal.INVALID) {
                        errstr = E_BAD_TOKEN;
                        hasError = true;
                    } else {
                        autovivExptime = clock.realtime((int) v);
                    }
                }
                case 'T' -> {
                    long v = Decimal.parseSigned32(line, s + 1, end);
                    if (v == Decimal.INVALID) {
                        errstr = E_BAD_TOKEN;
                        hasError = true;
                    } else {
                        exptime = clock.realtime((int) v);
                        newTtl = true;
                    }
                }
                case 'R' -> {
                    long v = Decimal.parseSigned32(line, s + 1, end);
                    if (v == Decimal.INVALID) {
                        errstr = E_BAD_TOKEN;
                        hasError = true;
                    } else {
                        recacheTime = clock.realtime((int) v);
                    }
                }
                case 'O', 'P', 'L', 'k', 's', 't', 'c', 'f', 'l', 'h' -> { }
                case 'v' -> value = true;
                case 'u' -> noUpdate = true;
                case 'q' -> noReply = true;
                case 'F' -> {
                    long v = Decimal.parseUnsigned32(line, s + 1, end, ok);
                    if (v == Decimal.INVALID) {
                        hasError = true;
                    } else {
                        clientFlags = v;
                    }
                }
                case 'C' -> {
                    long v = Decimal.parseUnsigned64(line, s + 1, end, ok);
                    if (!ok[0]) {
                        errstr = E_BAD_TOKEN;
                        hasError = true;
                    } else {
                        reqCas = v;
                        hasCas = true;
                    }
                }
                case 'M' -> {
                    if (t.length(i) != 2) {
                        errstr = E_M_LENGTH;
                        hasError = true;
                    } else {
                        mode = line[s + 1];
                    }
                }
                case 'J' -> {
                    long v = Decimal.parseUnsigned64(line, s + 1, end, ok);
                    if (!ok[0]) {
                        errstr = E_INITIAL;
                        hasError = true;
                    } else {
                        initial = v;
                    }
                }
                case 'D' -> {
                    long v = Decimal.parseUnsigned64(line, s + 1, end, ok);
                    if (!ok[0]) {
                        errstr = E_DELTA;
                        hasError = true;
                    } else {
                        delta = v;
                    }
                }
                case 'I' -> setStale = true;
                default -> {
                    errstr = E_INVALID_FLAG;
                    return false;
                }
            }
        }
        return !hasError;
    }
}
