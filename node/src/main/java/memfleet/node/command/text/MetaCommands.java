package memfleet.node.command.text;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import memfleet.node.command.ItemOps;
import memfleet.node.command.ReplyBytes;
import memfleet.node.command.ReplyMarks;
import memfleet.node.command.Step;
import memfleet.node.store.Item;
import memfleet.node.store.ItemStore;
import memfleet.node.store.NativeMemory;
import memfleet.protocol.text.Decimal;
import memfleet.protocol.text.ItemKey;
import memfleet.protocol.text.MetaBase64;
import memfleet.protocol.text.TextReplies;

/**
 * memcached 1.6's meta commands ({@code mg ms md ma mn me}) for one connection, as {@code proto_text.c}
 * answers them: flags parsed by {@link MetaFlags}, the work done by {@link ItemOps}, return flags in the
 * order they were asked; quiet mode ({@code q}) suppresses only the nominal reply (EN for mg, HD for
 * ms/md/ma); errors always come back.
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
    private static final byte[] EN_LINE = ascii("EN\r\n");
    private static final byte[] MINUS_ONE = ascii("-1");
    private static final byte[] E_FORMAT = MetaFlags.E_FORMAT;
    private static final byte[] E_TOO_LONG_MG = line("CLIENT_ERROR options flags are too long");
    private static final byte[] E_TOO_LONG = line("CLIENT_ERROR options flags too long");
    private static final byte[] E_INVALID_OR_DUP = line("CLIENT_ERROR invalid or duplicate flag");
    private static final byte[] E_OPAQUE = line("CLIENT_ERROR opaque token too long");
    private static final byte[] E_MS_MODE = line("CLIENT_ERROR invalid mode for ms M token");
    private static final byte[] E_MA_MODE = line("CLIENT_ERROR invalid mode for ma M token");
    private static final byte[] E_VIVIFY_OOM = line("SERVER_ERROR Out of memory allocating new item");

    private final ItemOps ops;
    private final ItemStore store;
    private final TextLine t;
    private final ReplyMarks marks;
    private final MetaFlags f;
    /** ms: the reply flags (O, k, c) noted before the data block arrives. */
    private final byte[] stash = new byte[1024];
    private int stashLength;
    private boolean pendingKeyBinary;

    MetaCommands(ItemOps ops, TextLine line, ReplyMarks marks) {
        this.ops = ops;
        this.store = ops.store();
        this.t = line;
        this.marks = marks;
        this.f = new MetaFlags(store.clock());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] line(String s) {
        return ascii(s + "\r\n");
    }

    /** Runs a two-letter command starting with 'm'. */
    Step execute(ByteBuf out) {
        switch (t.bytes[t.start(0) + 1]) {
            case 'g' -> get(out);
            case 's' -> {
                set(out);
                if (t.dataItem != 0) {
                    return Step.COMMAND; // the reply comes with the data block
                }
            }
            case 'd' -> delete(out);
            case 'n' -> {
                ReplyBytes.put(out, MN);
                marks.reply(out);
                marks.transmit();
                return Step.COMMAND;
            }
            case 'a' -> arithmetic(out);
            case 'e' -> debug(out);
            default -> ReplyBytes.put(out, TextReplies.ERROR);
        }
        marks.reply(out);
        return Step.COMMAND;
    }

    /** memcached's {@code out_errstring}: an error is sent even in quiet mode. */
    private void error(ByteBuf out, byte[] e) {
        t.noreply = false;
        ReplyBytes.put(out, e);
    }

    private static void space(ByteBuf out, char c) {
        ReplyBytes.put(out, (byte) ' ');
        ReplyBytes.put(out, (byte) c);
    }

    /** " O..." as given: false when it is too long. */
    private boolean opaque(int i, ByteBuf out) {
        if (t.length(i) > MAX_OPAQUE) {
            return false;
        }
        ReplyBytes.put(out, (byte) ' ');
        out.ensureWritable(t.length(i));
        out.writeBytes(t.bytes, t.start(i), t.length(i));
        return true;
    }

    /** memcached's META_KEY: " k<key>", base64 and " b" for binary keys. */
    private static void keyFlag(ByteBuf out, long k, int n, boolean binary) {
        space(out, 'k');
        if (!binary) {
            ReplyBytes.copy(out, k, n);
            return;
        }
        base64(out, k, n);
        space(out, 'b');
    }

    private static void base64(ByteBuf out, long k, int n) {
        byte[] raw = new byte[n];
        NativeMemory.copyToArray(k, raw, 0, n);
        byte[] enc = new byte[(n + 2) / 3 * 4];
        ReplyBytes.put(out, enc, MetaBase64.encode(raw, 0, n, enc, 0));
    }

    private static void signedOrMinusOne(ByteBuf out, int exp, int now) {
        if (exp == 0) {
            ReplyBytes.put(out, MINUS_ONE);
        } else {
            ReplyBytes.decimal(out, (exp - now) & 0xFFFF_FFFFL);
        }
    }

    private byte flag(int i) {
        return t.bytes[t.start(i)];
    }

    // ---------------------------------------------------------------- mg

    private void get(ByteBuf out) {
        int ntokens = t.ntokens;
        if (ntokens < 3) {
            ReplyBytes.put(out, TextReplies.ERROR);
            return;
        }
        if (t.length(1) > ItemKey.MAX_LENGTH) {
            error(out, E_FORMAT);
            return;
        }
        if (ntokens > MAX_OPT_TOKENS) {
            error(out, E_TOO_LONG_MG);
            return;
        }
        if (!f.parse(t, 2)) {
            error(out, f.errstr);
            return;
        }
        t.noreply = f.noReply;
        int mark = out.writerIndex();
        int count = t.tokens.count();
        int how = (f.newTtl ? ItemOps.TOUCH : ItemOps.GET) | (f.noUpdate ? ItemOps.NO_BUMP : 0);
        long it = ops.lookup(f.key, f.nkey);
        try {
            boolean created = false;
            if (it <= 0 && f.vivify) {
                long fresh = ops.vivify();
                if (fresh != 0) {
                    it = fresh;
                    created = true;
                }
            }
            if (it > 0) {
                int now = store.clock().now();
                if (f.value) {
                    ReplyBytes.put(out, VA);
                    ReplyBytes.decimal(out, Item.nbytes(it));
                } else {
                    ReplyBytes.put(out, HD);
                }
                boolean won = false;
                for (int i = 2; i < count; i++) {
                    switch (flag(i)) {
                        case 'T' -> ops.retime(it, f.exptime);
                        case 'N' -> {
                            if (created) {
                                Item.exptime(it, f.autovivExptime);
                                won = true;
                            }
                        }
                        case 'R' -> {
                            int exp = Item.exptime(it);
                            if (!Item.hasMeta(it, Item.META_TOKEN_SENT) && !created && exp != 0
                                    && Integer.compareUnsigned(exp, f.recacheTime) < 0) {
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
                            if (!opaque(i, out)) {
                                out.writerIndex(mark);
                                error(out, E_OPAQUE);
                                how = ItemOps.FAILED;
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
                if (f.value) {
                    TextCommands.writeData(store, it, out);
                }
                return;
            }
        } finally {
            // memcached's mg counts a hit with T as a touch, but any miss as a get miss (cmd_get, get_misses)
            ops.endFetch(it, it > 0 ? how : how & ~ItemOps.TOUCH);
        }
        if (f.noReply) {
            // quiet mode: the miss line is not sent, but a bad opaque still is an error
            for (int i = 2; i < count; i++) {
                if (flag(i) == 'O' && t.length(i) > MAX_OPAQUE) {
                    error(out, E_OPAQUE);
                    return;
                }
            }
            return;
        }
        ReplyBytes.put(out, EN);
        if (missFlags(out, mark)) {
            ReplyBytes.put(out, TextReplies.CRLF);
        }
    }

    /** The O and k flags after a miss code; false (after the error) on a bad opaque. */
    private boolean missFlags(ByteBuf out, int mark) {
        int count = t.tokens.count();
        for (int i = 2; i < count; i++) {
            switch (flag(i)) {
                case 'O' -> {
                    if (!opaque(i, out)) {
                        out.writerIndex(mark);
                        error(out, E_OPAQUE);
                        return false;
                    }
                }
                case 'k' -> keyFlag(out, f.key, f.nkey, f.keyBinary);
                default -> { }
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- ms

    private void set(ByteBuf out) {
        int ntokens = t.ntokens;
        if (ntokens < 3) {
            ReplyBytes.put(out, TextReplies.ERROR);
            return;
        }
        if (t.length(1) > ItemKey.MAX_LENGTH || ntokens == 3) {
            error(out, E_FORMAT);
            return;
        }
        if (ntokens > MAX_OPT_TOKENS) {
            error(out, E_TOO_LONG);
            return;
        }
        long vlen = Decimal.parseSigned32(t.bytes, t.start(2), t.end(2));
        if (vlen == Decimal.INVALID || vlen < 0 || vlen > Integer.MAX_VALUE - 2) {
            error(out, E_FORMAT);
            return;
        }
        if (!f.parse(t, 3)) {
            swallow(out, f.errstr, vlen);
            return;
        }
        t.noreply = f.noReply;
        stashLength = 0;
        boolean badOpaque = false;
        int count = t.tokens.count();
        for (int i = 3; i < count; i++) {
            byte c = flag(i);
            if (c == 'O') {
                if (t.length(i) > MAX_OPAQUE) {
                    badOpaque = true;
                    continue;
                }
                stash[stashLength++] = ' ';
                System.arraycopy(t.bytes, t.start(i), stash, stashLength, t.length(i));
                stashLength += t.length(i);
            } else if (c == 'k' || c == 'c') {
                stash[stashLength++] = ' ';
                stash[stashLength++] = c;
            }
        }
        int comm = switch (f.mode) {
            case 0, 'S' -> ItemStore.SET;
            case 'E' -> ItemStore.ADD;
            case 'A' -> ItemStore.APPEND;
            case 'P' -> ItemStore.PREPEND;
            case 'R' -> ItemStore.REPLACE;
            default -> -1;
        };
        if (comm < 0) {
            swallow(out, E_MS_MODE, vlen);
            return;
        }
        if (f.hasCas && (comm == ItemStore.SET || comm == ItemStore.REPLACE)) {
            comm = f.setStale ? ItemStore.CAS_OR_STALE : ItemStore.CAS;
        }
        if (badOpaque) {
            swallow(out, E_OPAQUE, vlen);
            return;
        }
        // memcached: stale data must not outlive a failed store, whatever the mode
        long it = ops.allocate(f.key, f.nkey, (int) f.clientFlags, f.exptime, vlen, ItemOps.UNLINK_ON_FAILURE);
        if (it == 0) {
            swallow(out, ops.refusal() == ItemStore.TOO_LARGE ? TextReplies.TOO_LARGE : TextReplies.OUT_OF_MEMORY_STORING,
                    vlen);
            return;
        }
        if (f.keyBinary) {
            ops.markBinaryKey(it);
        }
        pendingKeyBinary = f.keyBinary;
        t.readData(it, comm, f.reqCas, vlen + 2, true);
    }

    private void swallow(ByteBuf out, byte[] e, long vlen) {
        error(out, e);
        t.swallow(vlen + 2);
    }

    /** The data block of an ms has been stored with result {@code ret}: the meta reply. */
    void finishSet(int ret, ByteBuf out) {
        byte[] code;
        switch (ret) {
            case ItemOps.BAD_DATA_CHUNK -> {
                error(out, TextReplies.BAD_DATA_CHUNK);
                return;
            }
            case ItemStore.STORED -> {
                if (t.noreply) {
                    return;
                }
                code = HD;
            }
            case ItemStore.EXISTS -> code = EX;
            case ItemStore.NOT_FOUND -> code = NF;
            default -> code = NS;
        }
        long it = ops.current();
        long cas = ret == ItemStore.STORED ? Item.cas(it) : 0;
        ReplyBytes.put(out, code);
        for (int i = 0; i < stashLength; ) {
            // stash holds " O..." runs and " k" / " c" markers
            int end = i + 1;
            while (end < stashLength && stash[end] != ' ') {
                end++;
            }
            byte c = stash[i + 1];
            if (c == 'O') {
                out.ensureWritable(end - i);
                out.writeBytes(stash, i, end - i);
            } else if (c == 'k') {
                keyFlag(out, Item.key(it), Item.nkey(it), pendingKeyBinary);
            } else if (c == 'c') {
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
    private boolean startKeyCommand(ByteBuf out) {
        int ntokens = t.ntokens;
        if (ntokens < 3) {
            ReplyBytes.put(out, TextReplies.ERROR);
            return false;
        }
        if (t.length(1) > ItemKey.MAX_LENGTH) {
            ReplyBytes.put(out, E_FORMAT);
            return false;
        }
        if (ntokens > MAX_OPT_TOKENS) {
            ReplyBytes.put(out, E_TOO_LONG);
            return false;
        }
        if (!f.parse(t, 2)) {
            error(out, E_INVALID_OR_DUP);
            return false;
        }
        t.noreply = f.noReply;
        return true;
    }

    private void delete(ByteBuf out) {
        if (!startKeyCommand(out)) {
            return;
        }
        int codeAt = out.writerIndex();
        ReplyBytes.put(out, HD); // replaced below
        if (!missFlags(out, codeAt)) {
            return;
        }
        int how = (f.hasCas ? ItemOps.CHECK_CAS | ItemOps.MISMATCH_IS_MISS : 0)
                | (f.setStale ? ItemOps.INVALIDATE | (f.newTtl ? ItemOps.NEW_EXPTIME : 0) : 0);
        int rc = ops.delete(f.key, f.nkey, f.reqCas, f.exptime, how);
        if (rc == ItemOps.DELETED && f.noReply) {
            out.writerIndex(codeAt);
            return;
        }
        out.setBytes(codeAt, switch (rc) {
            case ItemOps.DELETED -> HD;
            case ItemOps.DELETE_EXISTS -> EX;
            default -> NF;
        });
        ReplyBytes.put(out, TextReplies.CRLF);
    }

    // ---------------------------------------------------------------- ma

    private void arithmetic(ByteBuf out) {
        if (!startKeyCommand(out)) {
            return;
        }
        int mode = f.mode;
        if (mode != 0 && mode != 'I' && mode != '+' && mode != 'D' && mode != '-') {
            error(out, E_MA_MODE);
            return;
        }
        boolean incr = mode != 'D' && mode != '-';
        int mark = out.writerIndex();
        try {
            int rc = ops.arithmetic(f.key, f.nkey, incr, f.delta, f.hasCas ? f.reqCas : 0, f.vivify, f.initial,
                    f.vivify ? f.autovivExptime : 0);
            boolean created = rc == ItemOps.DELTA_CREATED;
            switch (rc) {
                case ItemStore.DELTA_OK, ItemOps.DELTA_CREATED -> { }
                case ItemStore.DELTA_CAS_MISMATCH -> ReplyBytes.put(out, EX);
                case ItemStore.DELTA_NON_NUMERIC -> {
                    error(out, TextReplies.NON_NUMERIC);
                    return;
                }
                case ItemStore.DELTA_EOM -> {
                    error(out, TextReplies.OUT_OF_MEMORY);
                    return;
                }
                case ItemOps.DELTA_CREATE_NO_MEMORY -> {
                    error(out, E_VIVIFY_OOM);
                    return;
                }
                case ItemOps.DELTA_CREATE_NOT_STORED -> ReplyBytes.put(out, NS);
                default -> ReplyBytes.put(out, NF);
            }
            long it = rc == ItemStore.DELTA_OK || created ? ops.current() : 0;
            if (it != 0) {
                int len = ops.digitsLength();
                int now = store.clock().now();
                if (f.value) {
                    ReplyBytes.put(out, VA);
                    ReplyBytes.decimal(out, len);
                } else {
                    ReplyBytes.put(out, HD);
                }
                int count = t.tokens.count();
                for (int i = 2; i < count; i++) {
                    switch (flag(i)) {
                        case 'c' -> {
                            space(out, 'c');
                            ReplyBytes.decimal(out, Item.cas(it));
                        }
                        case 't' -> {
                            space(out, 't');
                            signedOrMinusOne(out, Item.exptime(it), now);
                        }
                        case 'T' -> ops.retime(it, f.exptime);
                        case 'N' -> {
                            if (created) {
                                ops.retime(it, f.autovivExptime);
                            }
                        }
                        case 'O' -> {
                            if (!opaque(i, out)) {
                                out.writerIndex(mark);
                                error(out, E_OPAQUE);
                                return;
                            }
                        }
                        case 'k' -> keyFlag(out, f.key, f.nkey, f.keyBinary);
                        default -> { }
                    }
                }
                if (f.value) {
                    ReplyBytes.put(out, TextReplies.CRLF);
                    ReplyBytes.put(out, ops.digits(), len);
                }
                ReplyBytes.put(out, TextReplies.CRLF);
                if (f.noReply && !created) {
                    out.writerIndex(mark);
                }
                return;
            }
        } finally {
            ops.done();
        }
        if (missFlags(out, mark)) {
            ReplyBytes.put(out, TextReplies.CRLF);
        }
    }

    // ---------------------------------------------------------------- me

    private void debug(ByteBuf out) {
        int ntokens = t.ntokens;
        if (ntokens < 3 || t.length(1) > ItemKey.MAX_LENGTH) {
            ReplyBytes.put(out, E_FORMAT);
            return;
        }
        f.key = t.address(1);
        f.nkey = t.length(1);
        if (ntokens >= 4 && t.length(2) == 1 && flag(2) == 'b') {
            f.base64Key(t);
            if (f.nkey == 0) {
                ReplyBytes.put(out, E_FORMAT);
                return;
            }
        }
        long it = ops.lookup(f.key, f.nkey);
        try {
            if (it > 0) {
                int now = store.clock().now();
                ReplyBytes.put(out, ME);
                if (Item.hasMeta(it, Item.META_KEY_BINARY)) {
                    base64(out, Item.key(it), Item.nkey(it));
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
                ReplyBytes.put(out, EN_LINE);
            }
        } finally {
            ops.endFetch(it, ItemOps.FAILED); // memcached's me counts only meta_cmds
        }
        ops.stats().metaCmds++;
    }
}
