package memfleet.node.command;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

import io.netty.buffer.ByteBuf;
import memfleet.node.os.Libc;
import memfleet.node.stats.ThreadStats;
import memfleet.node.store.Item;
import memfleet.node.store.ItemStore;
import memfleet.node.store.NativeMemory;
import memfleet.protocol.text.Decimal;
import memfleet.protocol.text.MetaBase64;
import memfleet.protocol.text.TextReplies;
import memfleet.protocol.text.TextTokenizer;

/**
 * memcached 1.6's meta commands ({@code mg ms md ma mn me}) for one connection, as {@code proto_text.c}
 * answers them: single-letter flags with optional tokens, parsed once per command into the fields below
 * (nothing is allocated per command); return flags in the order they were asked; quiet mode ({@code q})
 * suppresses only the nominal reply (EN for mg, HD for ms/md/ma); errors always come back. Works on the
 * store through the same calls as the classic commands, so meta writes replicate like any other.
 */
final class MetaCommands {
    private static final int MAX_OPT_TOKENS = 20;
    private static final int MAX_OPAQUE = 32;

    private static final byte[] HD = ascii("HD");
    private static final byte[] VA = ascii("VA ");
    private static final byte[] EN = ascii("EN");
    private static final byte[] NF = ascii("NF");
    private static final byte[] NS = ascii("NS");
    private static final byte[] EX = ascii("EX");
    private static final byte[] MN = ascii("MN\r\n");
    private static final byte[] ME = ascii("ME ");
    private static final byte[] MINUS_ONE = ascii("-1");
    private static final byte[] E_FORMAT = TextReplies.BAD_FORMAT;
    private static final byte[] E_TOO_LONG_MG = line("CLIENT_ERROR options flags are too long");
    private static final byte[] E_TOO_LONG = line("CLIENT_ERROR options flags too long");
    private static final byte[] E_DUPLICATE = line("CLIENT_ERROR duplicate flag");
    private static final byte[] E_INVALID_FLAG = line("CLIENT_ERROR invalid flag");
    private static final byte[] E_INVALID_OR_DUP = line("CLIENT_ERROR invalid or duplicate flag");
    private static final byte[] E_DECODING = line("CLIENT_ERROR error decoding key");
    private static final byte[] E_BAD_TOKEN = line("CLIENT_ERROR bad token in command line format");
    private static final byte[] E_M_LENGTH = line("CLIENT_ERROR incorrect length for M token");
    private static final byte[] E_INITIAL = line("CLIENT_ERROR invalid numeric initial value");
    private static final byte[] E_DELTA = line("CLIENT_ERROR invalid numeric delta value");
    private static final byte[] E_OPAQUE = line("CLIENT_ERROR opaque token too long");
    private static final byte[] E_MS_MODE = line("CLIENT_ERROR invalid mode for ms M token");
    private static final byte[] E_MA_MODE = line("CLIENT_ERROR invalid mode for ma M token");
    private static final byte[] E_VIVIFY_OOM = line("SERVER_ERROR Out of memory allocating new item");

    private final TextCommands text;
    private final ItemStore store;
    private final ThreadStats stats;
    private final boolean[] ok = new boolean[1];
    private final boolean[] seen = new boolean[128];
    private final byte[] digits = new byte[24];
    private final int[] result = new int[3];
    /** Base64-decoded keys need an address: a small native buffer of this connection's. */
    private long keyScratch;
    /** ms: the reply flags (O, k, c) noted before the data block arrives. */
    private final byte[] stash = new byte[1024];
    private int stashLength;
    private boolean pendingKeyBinary;

    // the current command's flags (memcached's struct _meta_flags)
    private byte[] errstr;
    private boolean hasError;
    private boolean noUpdate;
    private boolean vivify;
    private boolean value;
    private boolean setStale;
    private boolean noReply;
    private boolean hasCas;
    private boolean newTtl;
    private boolean keyBinary;
    private int mode;
    private int exptime;
    private int autovivExptime;
    private int recacheTime;
    private long clientFlags;
    private long reqCas;
    private long delta;
    private long initial;
    private long key;
    private int nkey;

    MetaCommands(TextCommands text, ItemStore store, ThreadStats stats) {
        this.text = text;
        this.store = store;
        this.stats = stats;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] line(String s) {
        return ascii(s + "\r\n");
    }

    /** Runs a two-letter command starting with 'm'; returns what the connection does next. */
    int execute(byte[] line, TextTokenizer t, int ntokens, ByteBuf out) {
        switch (line[t.start(0) + 1]) {
            case 'g':
                get(line, t, ntokens, out);
                return TextCommands.CONTINUE;
            case 's':
                return set(line, t, ntokens, out);
            case 'd':
                delete(line, t, ntokens, out);
                return TextCommands.CONTINUE;
            case 'n':
                ReplyBytes.put(out, MN);
                return TextCommands.CONTINUE;
            case 'a':
                arithmetic(line, t, ntokens, out);
                return TextCommands.CONTINUE;
            case 'e':
                debug(line, t, ntokens, out);
                return TextCommands.CONTINUE;
            default:
                ReplyBytes.put(out, TextReplies.ERROR);
                return TextCommands.CONTINUE;
        }
    }

    // ---------------------------------------------------------------- flags

    private void reset() {
        errstr = E_FORMAT;
        hasError = noUpdate = vivify = value = setStale = noReply = hasCas = newTtl = keyBinary = false;
        mode = 0;
        exptime = autovivExptime = recacheTime = 0;
        clientFlags = reqCas = initial = 0;
        delta = 1;
        java.util.Arrays.fill(seen, false);
    }

    /** memcached's {@code _meta_flag_preparse}; false on error (then {@link #errstr} says which). */
    private boolean preparse(byte[] line, TextTokenizer t, int first) {
        key = text.keyAddress(1);
        nkey = t.length(1);
        for (int i = first; i < t.count(); i++) {
            int s = t.start(i);
            int o = line[s] & 0xFF;
            if (o >= 127 || seen[o]) {
                errstr = E_DUPLICATE;
                return false;
            }
            seen[o] = true;
            switch (o) {
                case 'b' -> {
                    int n = MetaBase64.decode(line, t.start(1), t.length(1), line, t.start(1));
                    if (n == 0) {
                        errstr = E_DECODING;
                        hasError = true;
                    } else {
                        if (keyScratch == 0) {
                            keyScratch = Libc.mmapAnonymous(4096);
                        }
                        NativeMemory.copyFromArray(line, t.start(1), keyScratch, n);
                        key = keyScratch;
                    }
                    nkey = n;
                    keyBinary = true;
                }
                case 'N' -> {
                    vivify = true;
                    long v = Decimal.parseSigned32(line, s + 1, t.end(i));
                    if (v == Decimal.INVALID) {
                        errstr = E_BAD_TOKEN;
                        hasError = true;
                    } else {
                        autovivExptime = store.clock().realtime((int) v);
                    }
                }
                case 'T' -> {
                    long v = Decimal.parseSigned32(line, s + 1, t.end(i));
                    if (v == Decimal.INVALID) {
                        errstr = E_BAD_TOKEN;
                        hasError = true;
                    } else {
                        exptime = store.clock().realtime((int) v);
                        newTtl = true;
                    }
                }
                case 'R' -> {
                    long v = Decimal.parseSigned32(line, s + 1, t.end(i));
                    if (v == Decimal.INVALID) {
                        errstr = E_BAD_TOKEN;
                        hasError = true;
                    } else {
                        recacheTime = store.clock().realtime((int) v);
                    }
                }
                case 'O', 'P', 'L', 'k', 's', 't', 'c', 'f', 'l', 'h' -> { }
                case 'v' -> value = true;
                case 'u' -> noUpdate = true;
                case 'q' -> noReply = true;
                case 'F' -> {
                    long v = Decimal.parseUnsigned32(line, s + 1, t.end(i), ok);
                    if (v == Decimal.INVALID) {
                        hasError = true;
                    } else {
                        clientFlags = v;
                    }
                }
                case 'C' -> {
                    long v = Decimal.parseUnsigned64(line, s + 1, t.end(i), ok);
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
                    long v = Decimal.parseUnsigned64(line, s + 1, t.end(i), ok);
                    if (!ok[0]) {
                        errstr = E_INITIAL;
                        hasError = true;
                    } else {
                        initial = v;
                    }
                }
                case 'D' -> {
                    long v = Decimal.parseUnsigned64(line, s + 1, t.end(i), ok);
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

    /** memcached's {@code out_errstring}: an error is sent even in quiet mode. */
    private void error(ByteBuf out, byte[] e) {
        text.noreply = false;
        ReplyBytes.put(out, e);
    }

    private static void space(ByteBuf out, char c) {
        ReplyBytes.put(out, (byte) ' ');
        ReplyBytes.put(out, (byte) c);
    }

    /** " O..." as given: false (after the error) when it is too long. */
    private boolean opaque(byte[] line, TextTokenizer t, int i, ByteBuf out) {
        if (t.length(i) > MAX_OPAQUE) {
            return false;
        }
        ReplyBytes.put(out, (byte) ' ');
        out.ensureWritable(t.length(i));
        out.writeBytes(line, t.start(i), t.length(i));
        return true;
    }

    /** memcached's META_KEY: " k<key>", base64 and " b" for binary keys. */
    private void keyFlag(ByteBuf out, long k, int n, boolean binary) {
        space(out, 'k');
        if (!binary) {
            ReplyBytes.copy(out, k, n);
            return;
        }
        byte[] raw = new byte[n];
        NativeMemory.copyToArray(k, raw, 0, n);
        byte[] enc = new byte[(n + 2) / 3 * 4];
        int e = MetaBase64.encode(raw, 0, n, enc, 0);
        ReplyBytes.put(out, enc, e);
        space(out, 'b');
    }

    private static void signedOrMinusOne(ByteBuf out, int exp, int now) {
        if (exp == 0) {
            ReplyBytes.put(out, MINUS_ONE);
        } else {
            ReplyBytes.decimal(out, (exp - now) & 0xFFFF_FFFFL);
        }
    }

    // ---------------------------------------------------------------- mg

    private void get(byte[] line, TextTokenizer t, int ntokens, ByteBuf out) {
        if (ntokens < 3) {
            ReplyBytes.put(out, TextReplies.ERROR);
            return;
        }
        reset();
        if (t.length(1) > TextCommands.KEY_MAX_LENGTH) {
            error(out, E_FORMAT);
            return;
        }
        if (ntokens > MAX_OPT_TOKENS) {
            error(out, E_TOO_LONG_MG);
            return;
        }
        if (!preparse(line, t, 2)) {
            error(out, errstr);
            return;
        }
        text.noreply = noReply;
        int hv = store.hash(key, nkey);
        ReentrantLock lock = store.lock(hv);
        int mark = out.writerIndex();
        boolean ttlSet = false;
        lock.lock();
        try {
            long it = store.get(hv, key, nkey);
            if (it <= 0) {
                text.countMissPublic(it);
            }
            boolean created = false;
            if (it <= 0 && vivify) {
                long fresh = store.allocate(key, nkey, 0, 0, 0);
                if (fresh != 0) {
                    store.link(fresh, hv);
                    it = fresh;
                    created = true;
                }
            }
            if (it > 0) {
                int now = store.clock().now();
                if (value) {
                    ReplyBytes.put(out, VA);
                    ReplyBytes.decimal(out, Item.nbytes(it));
                } else {
                    ReplyBytes.put(out, HD);
                }
                boolean won = false;
                boolean touched = false;
                for (int i = 2; i < t.count(); i++) {
                    switch (line[t.start(i)]) {
                        case 'T' -> {
                            ttlSet = true;
                            Item.exptime(it, exptime);
                            touched = true;
                        }
                        case 'N' -> {
                            if (created) {
                                Item.exptime(it, autovivExptime);
                                won = true;
                            }
                        }
                        case 'R' -> {
                            int exp = Item.exptime(it);
                            if (!Item.hasMeta(it, Item.META_TOKEN_SENT) && !created && exp != 0
                                    && Integer.compareUnsigned(exp, recacheTime) < 0) {
                                won = true;
                            }
                        }
                        case 's' -> {
                            space(out, 's');
                            ReplyBytes.decimal(out, Item.nbytes(it));
                        }
                        case 't' -> {
                            space(out, 't');
                            signedOrMinusOne(out, Item.exptime(it), now);
                        }
                        case 'c' -> {
                            space(out, 'c');
                            ReplyBytes.decimal(out, Item.cas(it));
                        }
                        case 'f' -> {
                            space(out, 'f');
                            ReplyBytes.decimal(out, Item.clientFlags(it) & 0xFFFF_FFFFL);
                        }
                        case 'l' -> {
                            space(out, 'l');
                            ReplyBytes.decimal(out, (now - Item.time(it)) & 0xFFFF_FFFFL);
                        }
                        case 'h' -> {
                            space(out, 'h');
                            ReplyBytes.put(out, (byte) (Item.has(it, Item.FETCHED) ? '1' : '0'));
                        }
                        case 'O' -> {
                            if (!opaque(line, t, i, out)) {
                                out.writerIndex(mark);
                                error(out, E_OPAQUE);
                                return;
                            }
                        }
                        case 'k' -> keyFlag(out, Item.key(it), Item.nkey(it), Item.hasMeta(it, Item.META_KEY_BINARY));
                        default -> { }
                    }
                }
                if (Item.hasMeta(it, Item.META_TOKEN_SENT)) {
                    space(out, 'Z');
                }
                if (Item.hasMeta(it, Item.META_STALE)) {
                    space(out, 'X');
                    if (!Item.hasMeta(it, Item.META_TOKEN_SENT)) {
                        won = true;
                    }
                }
                if (won) {
                    space(out, 'W');
                    Item.setMeta(it, Item.META_TOKEN_SENT);
                }
                ReplyBytes.put(out, TextReplies.CRLF);
                if (value) {
                    text.writeData(it, out);
                }
                if (created) {
                    store.changed(it);
                    text.markMutated();
                } else if (touched) {
                    store.touch(it, exptime);
                    text.markMutated();
                }
                if (!noUpdate) {
                    store.bump(it, hv);
                }
                int clsid = Item.clsid(it);
                if (ttlSet) {
                    stats.touchCmds++;
                    stats.slab(clsid, ThreadStats.TOUCH_HITS);
                } else {
                    stats.slab(clsid, ThreadStats.GET_HITS);
                    stats.getCmds++;
                }
                stats.slab(clsid, ThreadStats.HITS_TO_HOT + Item.lru(it));
                return;
            }
        } finally {
            lock.unlock();
        }
        for (int i = 2; i < t.count(); i++) {
            if (line[t.start(i)] == 'T') {
                ttlSet = true;
            }
        }
        if (ttlSet) {
            stats.touchCmds++;
            stats.touchMisses++;
        } else {
            stats.getMisses++;
            stats.getCmds++;
        }
        if (noReply) {
            // quiet mode: the miss line is not sent, but a bad opaque still is an error
            for (int i = 2; i < t.count(); i++) {
                if (line[t.start(i)] == 'O' && t.length(i) > MAX_OPAQUE) {
                    error(out, E_OPAQUE);
                    return;
                }
            }
            return;
        }
        ReplyBytes.put(out, EN);
        if (!missFlags(line, t, out, mark)) {
            return;
        }
        ReplyBytes.put(out, TextReplies.CRLF);
    }

    /** The O and k flags after a miss code; false (after the error) on a bad opaque. */
    private boolean missFlags(byte[] line, TextTokenizer t, ByteBuf out, int mark) {
        for (int i = 2; i < t.count(); i++) {
            switch (line[t.start(i)]) {
                case 'O' -> {
                    if (!opaque(line, t, i, out)) {
                        out.writerIndex(mark);
                        error(out, E_OPAQUE);
                        return false;
                    }
                }
                case 'k' -> keyFlag(out, key, nkey, keyBinary);
                default -> { }
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- ms

    private int set(byte[] line, TextTokenizer t, int ntokens, ByteBuf out) {
        if (ntokens < 3) {
            ReplyBytes.put(out, TextReplies.ERROR);
            return TextCommands.CONTINUE;
        }
        reset();
        if (t.length(1) > TextCommands.KEY_MAX_LENGTH || ntokens == 3) {
            error(out, E_FORMAT);
            return TextCommands.CONTINUE;
        }
        if (ntokens > MAX_OPT_TOKENS) {
            error(out, E_TOO_LONG);
            return TextCommands.CONTINUE;
        }
        long vlen = Decimal.parseSigned32(line, t.start(2), t.end(2));
        if (vlen == Decimal.INVALID || vlen < 0 || vlen > Integer.MAX_VALUE - 2) {
            error(out, E_FORMAT);
            return TextCommands.CONTINUE;
        }
        if (!preparse(line, t, 3)) {
            return swallow(out, errstr, vlen);
        }
        text.noreply = noReply;
        stashLength = 0;
        boolean badOpaque = false;
        for (int i = 3; i < t.count(); i++) {
            byte f = line[t.start(i)];
            if (f == 'O') {
                if (t.length(i) > MAX_OPAQUE) {
                    badOpaque = true;
                    continue;
                }
                stash[stashLength++] = ' ';
                System.arraycopy(line, t.start(i), stash, stashLength, t.length(i));
                stashLength += t.length(i);
            } else if (f == 'k' || f == 'c') {
                stash[stashLength++] = ' ';
                stash[stashLength++] = f;
            }
        }
        int comm = switch (mode) {
            case 0, 'S' -> ItemStore.SET;
            case 'E' -> ItemStore.ADD;
            case 'A' -> ItemStore.APPEND;
            case 'P' -> ItemStore.PREPEND;
            case 'R' -> ItemStore.REPLACE;
            default -> -1;
        };
        if (comm < 0) {
            return swallow(out, E_MS_MODE, vlen);
        }
        if (hasCas && (comm == ItemStore.SET || comm == ItemStore.REPLACE)) {
            comm = setStale ? ItemStore.CAS_OR_STALE : ItemStore.CAS;
        }
        if (badOpaque) {
            return swallow(out, E_OPAQUE, vlen);
        }
        long it = store.tooLarge(nkey, (int) clientFlags, vlen) ? 0
                : store.allocate(key, nkey, (int) clientFlags, exptime, (int) vlen);
        if (it == 0) {
            byte[] e;
            if (store.tooLarge(nkey, (int) clientFlags, vlen)) {
                e = TextReplies.TOO_LARGE;
                stats.storeTooLarge++;
            } else {
                e = TextReplies.OUT_OF_MEMORY_STORING;
                stats.storeNoMemory++;
            }
            // memcached: stale data must not outlive a failed store
            int hv = store.hash(key, nkey);
            ReentrantLock lock = store.lock(hv);
            lock.lock();
            try {
                long old = store.get(hv, key, nkey);
                if (old > 0) {
                    store.delete(old, hv);
                    text.markMutated();
                }
            } finally {
                lock.unlock();
            }
            return swallow(out, e, vlen);
        }
        if (keyBinary) {
            Item.setMeta(it, Item.META_KEY_BINARY);
        }
        pendingKeyBinary = keyBinary;
        return text.startData(it, comm, reqCas, noReply, vlen + 2, true);
    }

    private int swallow(ByteBuf out, byte[] e, long vlen) {
        error(out, e);
        return text.startSwallow(vlen + 2);
    }

    /** The data block of an ms has been stored with result {@code ret}: the meta reply. */
    void finishSet(int ret, long cas, long it, ByteBuf out) {
        byte[] code;
        switch (ret) {
            case ItemStore.STORED -> {
                if (text.noreply) {
                    return;
                }
                code = HD;
            }
            case ItemStore.EXISTS -> code = EX;
            case ItemStore.NOT_FOUND -> code = NF;
            default -> code = NS;
        }
        ReplyBytes.put(out, code);
        for (int i = 0; i < stashLength; ) {
            // stash holds " O..." runs and " k" / " c" markers
            int end = i + 1;
            while (end < stashLength && stash[end] != ' ') {
                end++;
            }
            byte f = stash[i + 1];
            if (f == 'O') {
                out.ensureWritable(end - i);
                out.writeBytes(stash, i, end - i);
            } else if (f == 'k') {
                keyFlag(out, Item.key(it), Item.nkey(it), pendingKeyBinary);
            } else if (f == 'c') {
                space(out, 'c');
                ReplyBytes.decimal(out, cas);
            }
            i = end;
        }
        ReplyBytes.put(out, TextReplies.CRLF);
    }

    // ---------------------------------------------------------------- md

    /**
     * md and ma's common start, as memcached checks it: token count, key length, flag count, flags. False
     * when the command has been answered (with an error).
     */
    private boolean startKeyCommand(byte[] line, TextTokenizer t, int ntokens, ByteBuf out) {
        if (ntokens < 3) {
            ReplyBytes.put(out, TextReplies.ERROR);
            return false;
        }
        reset();
        if (t.length(1) > TextCommands.KEY_MAX_LENGTH) {
            ReplyBytes.put(out, E_FORMAT);
            return false;
        }
        if (ntokens > MAX_OPT_TOKENS) {
            ReplyBytes.put(out, E_TOO_LONG);
            return false;
        }
        if (!preparse(line, t, 2)) {
            error(out, E_INVALID_OR_DUP);
            return false;
        }
        text.noreply = noReply;
        return true;
    }

    private void delete(byte[] line, TextTokenizer t, int ntokens, ByteBuf out) {
        if (!startKeyCommand(line, t, ntokens, out)) {
            return;
        }
        int codeAt = out.writerIndex();
        ReplyBytes.put(out, HD); // replaced below
        if (!missFlags(line, t, out, codeAt)) {
            return;
        }
        int hv = store.hash(key, nkey);
        ReentrantLock lock = store.lock(hv);
        byte[] code;
        boolean nominal = false;
        lock.lock();
        try {
            long it = store.get(hv, key, nkey);
            if (it > 0) {
                if (hasCas && Item.cas(it) != reqCas) {
                    stats.deleteMisses++;
                    code = EX;
                } else if (setStale) {
                    if (newTtl) {
                        Item.exptime(it, exptime);
                    }
                    Item.setMeta(it, Item.META_STALE);
                    Item.clearMeta(it, Item.META_TOKEN_SENT);
                    Item.cas(it, store.nextCas());
                    store.changed(it);
                    text.markMutated();
                    code = HD;
                    nominal = true;
                } else {
                    stats.slab(Item.clsid(it), ThreadStats.DELETE_HITS);
                    store.delete(it, hv);
                    text.markMutated();
                    code = HD;
                    nominal = true;
                }
            } else {
                stats.deleteMisses++;
                code = NF;
            }
        } finally {
            lock.unlock();
        }
        if (nominal && noReply) {
            out.writerIndex(codeAt);
            return;
        }
        out.setBytes(codeAt, code);
        ReplyBytes.put(out, TextReplies.CRLF);
    }

    // ---------------------------------------------------------------- ma

    private void arithmetic(byte[] line, TextTokenizer t, int ntokens, ByteBuf out) {
        if (!startKeyCommand(line, t, ntokens, out)) {
            return;
        }
        if (mode != 0 && mode != 'I' && mode != '+' && mode != 'D' && mode != '-') {
            error(out, E_MA_MODE);
            return;
        }
        boolean incr = mode != 'D' && mode != '-';
        int hv = store.hash(key, nkey);
        ReentrantLock lock = store.lock(hv);
        int mark = out.writerIndex();
        lock.lock();
        try {
            long it = 0;
            int len = 0;
            boolean created = false;
            long found = store.get(hv, key, nkey);
            int rc;
            // memcached's do_add_delta: an empty or chunked value is non-numeric before the CAS is compared
            boolean numericCandidate = found > 0 && Item.nbytes(found) > 0 && !Item.has(found, Item.CHUNKED);
            if (numericCandidate && hasCas && reqCas != 0 && Item.cas(found) != reqCas) {
                ReplyBytes.put(out, EX);
                rc = -1;
            } else {
                rc = store.addDelta(hv, key, nkey, incr, delta, digits, result);
            }
            switch (rc) {
                case -1 -> { }
                case ItemStore.DELTA_OK -> {
                    stats.slab(result[2], incr ? ThreadStats.INCR_HITS : ThreadStats.DECR_HITS);
                    it = store.index().find(hv, key, nkey);
                    len = result[0];
                    text.markMutated();
                }
                case ItemStore.DELTA_NON_NUMERIC -> {
                    error(out, TextReplies.NON_NUMERIC);
                    return;
                }
                case ItemStore.DELTA_EOM -> {
                    error(out, TextReplies.OUT_OF_MEMORY);
                    return;
                }
                default -> {
                    if (vivify) {
                        len = writeDigits(initial);
                        long fresh = store.allocate(key, nkey, 0, 0, len);
                        if (fresh == 0) {
                            error(out, E_VIVIFY_OOM);
                            return;
                        }
                        NativeMemory.copyFromArray(digits, 0, Item.data(fresh), len);
                        if (store.store(fresh, ItemStore.ADD, hv, 0) == ItemStore.STORED) {
                            it = fresh;
                            created = true;
                            text.markMutated();
                        } else {
                            store.freeChunks(fresh);
                            ReplyBytes.put(out, NS);
                        }
                    } else {
                        if (incr) {
                            stats.incrMisses++;
                        } else {
                            stats.decrMisses++;
                        }
                        ReplyBytes.put(out, NF);
                    }
                }
            }
            if (it != 0) {
                boolean quiet = noReply && !created;
                int now = store.clock().now();
                if (value) {
                    ReplyBytes.put(out, VA);
                    ReplyBytes.decimal(out, len);
                } else {
                    ReplyBytes.put(out, HD);
                }
                boolean retimed = false;
                for (int i = 2; i < t.count(); i++) {
                    switch (line[t.start(i)]) {
                        case 'c' -> {
                            space(out, 'c');
                            ReplyBytes.decimal(out, Item.cas(it));
                        }
                        case 't' -> {
                            space(out, 't');
                            signedOrMinusOne(out, Item.exptime(it), now);
                        }
                        case 'T' -> {
                            Item.exptime(it, exptime);
                            retimed = true;
                        }
                        case 'N' -> {
                            if (created) {
                                Item.exptime(it, autovivExptime);
                                retimed = true;
                            }
                        }
                        case 'O' -> {
                            if (!opaque(line, t, i, out)) {
                                out.writerIndex(mark);
                                error(out, E_OPAQUE);
                                return;
                            }
                        }
                        case 'k' -> keyFlag(out, key, nkey, keyBinary);
                        default -> { }
                    }
                }
                if (value) {
                    ReplyBytes.put(out, TextReplies.CRLF);
                    ReplyBytes.put(out, digits, len);
                }
                ReplyBytes.put(out, TextReplies.CRLF);
                if (retimed) {
                    store.touch(it, Item.exptime(it));
                }
                if (quiet) {
                    out.writerIndex(mark);
                }
                return;
            }
        } finally {
            lock.unlock();
        }
        if (!missFlags(line, t, out, mark)) {
            return;
        }
        ReplyBytes.put(out, TextReplies.CRLF);
    }

    private int writeDigits(long v) {
        String s = Long.toUnsignedString(v);
        for (int i = 0; i < s.length(); i++) {
            digits[i] = (byte) s.charAt(i);
        }
        return s.length();
    }

    // ---------------------------------------------------------------- me

    private void debug(byte[] line, TextTokenizer t, int ntokens, ByteBuf out) {
        if (ntokens < 3 || t.length(1) > TextCommands.KEY_MAX_LENGTH) {
            ReplyBytes.put(out, E_FORMAT);
            return;
        }
        long k = text.keyAddress(1);
        int n = t.length(1);
        if (ntokens >= 4 && t.length(2) == 1 && line[t.start(2)] == 'b') {
            n = MetaBase64.decode(line, t.start(1), t.length(1), line, t.start(1));
            if (n == 0) {
                ReplyBytes.put(out, E_FORMAT);
                return;
            }
            if (keyScratch == 0) {
                keyScratch = Libc.mmapAnonymous(4096);
            }
            NativeMemory.copyFromArray(line, t.start(1), keyScratch, n);
            k = keyScratch;
        }
        int hv = store.hash(k, n);
        ReentrantLock lock = store.lock(hv);
        lock.lock();
        try {
            long it = store.get(hv, k, n);
            if (it > 0) {
                int now = store.clock().now();
                ReplyBytes.put(out, ME);
                if (Item.hasMeta(it, Item.META_KEY_BINARY)) {
                    byte[] raw = new byte[Item.nkey(it)];
                    NativeMemory.copyToArray(Item.key(it), raw, 0, raw.length);
                    byte[] enc = new byte[(raw.length + 2) / 3 * 4];
                    ReplyBytes.put(out, enc, MetaBase64.encode(raw, 0, raw.length, enc, 0));
                } else {
                    ReplyBytes.copy(out, Item.key(it), Item.nkey(it));
                }
                int exp = Item.exptime(it);
                String rest = " exp=" + (exp == 0 ? -1 : now - exp)
                        + " la=" + Integer.toUnsignedString(now - Item.time(it))
                        + " cas=" + Long.toUnsignedString(Item.cas(it))
                        + " fetch=" + (Item.has(it, Item.FETCHED) ? "yes" : "no")
                        + " cls=" + Item.clsid(it)
                        + " size=" + store.memcachedTotal(it) + "\r\n";
                ReplyBytes.put(out, rest.getBytes(StandardCharsets.US_ASCII));
            } else {
                ReplyBytes.put(out, line("EN"));
            }
        } finally {
            lock.unlock();
        }
        stats.metaCmds++;
    }
}
