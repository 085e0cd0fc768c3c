package memfleet.node.command;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

import io.netty.buffer.ByteBuf;
import memfleet.node.Node;
import memfleet.node.stats.ThreadStats;
import memfleet.node.store.Item;
import memfleet.node.store.ItemStore;
import memfleet.protocol.text.Decimal;
import memfleet.protocol.text.TextReplies;
import memfleet.protocol.text.TextTokenizer;

/**
 * Runs memcached's text commands for one connection, as {@code proto_text.c} does: tokenizes a line in
 * the input buffer, dispatches on the command word, works on the store under the key's stripe lock and
 * writes the reply. Storage commands allocate their item here and ask the connection to stream the data
 * block into it ({@link #READ_DATA}); {@link #completeData} finishes them. Nothing is allocated per
 * command.
 */
public final class TextCommands {
    /** What the connection does after {@link #execute}. */
    public static final int CONTINUE = 0;
    public static final int READ_DATA = 1;
    public static final int SWALLOW = 2;
    public static final int CLOSE = 3;
    public static final int CLOSE_AFTER_WRITE = 4;
    /** Stream {@link #takeMetadump()} to the client off the event loop, then carry on. */
    public static final int STREAM = 5;

    public static final int KEY_MAX_LENGTH = 250;
    private static final int MAX_VERBOSITY_LEVEL = 2;
    private static final byte[] VERSION = ("VERSION " + Node.VERSION + "\r\n").getBytes(StandardCharsets.US_ASCII);

    private static final byte[] W_GET = ascii("get");
    private static final byte[] W_GETS = ascii("gets");
    private static final byte[] W_GAT = ascii("gat");
    private static final byte[] W_GATS = ascii("gats");
    private static final byte[] W_SET = ascii("set");
    private static final byte[] W_STATS = ascii("stats");
    private static final byte[] W_SHUTDOWN = ascii("shutdown");
    private static final byte[] W_SLABS = ascii("slabs");
    private static final byte[] W_ADD = ascii("add");
    private static final byte[] W_APPEND = ascii("append");
    private static final byte[] W_CAS = ascii("cas");
    private static final byte[] W_CACHE_MEMLIMIT = ascii("cache_memlimit");
    private static final byte[] W_INCR = ascii("incr");
    private static final byte[] W_DECR = ascii("decr");
    private static final byte[] W_DELETE = ascii("delete");
    private static final byte[] W_TOUCH = ascii("touch");
    private static final byte[] W_REPLACE = ascii("replace");
    private static final byte[] W_BGET = ascii("bget");
    private static final byte[] W_PREPEND = ascii("prepend");
    private static final byte[] W_FLUSH_ALL = ascii("flush_all");
    private static final byte[] W_VERSION = ascii("version");
    private static final byte[] W_QUIT = ascii("quit");
    private static final byte[] W_LRU_CRAWLER = ascii("lru_crawler");
    private static final byte[] W_VERBOSITY = ascii("verbosity");
    private static final byte[] W_LRU = ascii("lru");
    private static final byte[] W_REFRESH_CERTS = ascii("refresh_certs");
    private static final byte[] TLS_NOT_ENABLED = ascii("Error TLS not enabled\r\n");
    private static final byte[] W_NOREPLY = ascii("noreply");
    private static final byte[] W_ZERO = ascii("0");
    private static final byte[] W_GRACEFUL = ascii("graceful");

    private final Node node;
    private final ItemStore store;
    private final ThreadStats stats;
    private final TextTokenizer tokens = new TextTokenizer();
    private final AdminCommands admin;
    private final MetaCommands meta;
    private final boolean[] ok = new boolean[1];
    private final byte[] digits = new byte[24];
    private final int[] result = new int[3];

    boolean noreply;
    /** The last command changed the store (for --min-acks: its reply waits for peers). */
    private boolean mutated;
    /** Where memcached would have sent up to: the end of the last get reply in the output buffer. */
    private int sentMark;
    /** The current command line, copied out of the input once; keys are still read in place at base. */
    private byte[] line = new byte[2048];
    private long base;

    // a storage command waiting for its data block
    private long pendingItem;
    private int pendingComm;
    private long pendingCas;
    private boolean pendingNoreply;
    private long pendingLength;
    private boolean pendingMeta;
    private long swallowLength;

    public TextCommands(Node node, ThreadStats stats) {
        this.node = node;
        this.store = node.store();
        this.stats = stats;
        this.admin = new AdminCommands(node);
        this.meta = new MetaCommands(this, store, stats);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The item waiting for data (0 when none). */
    public long pendingItem() {
        return pendingItem;
    }

    /** Bytes of the data block including its CRLF, for {@link #READ_DATA}. */
    public long pendingLength() {
        return pendingLength;
    }

    /** The metadump to stream, for {@link #STREAM}. */
    public Metadump takeMetadump() {
        return admin.takeMetadump();
    }

    /** Bytes to discard, for {@link #SWALLOW}. */
    public long swallowLength() {
        return swallowLength;
    }

    /**
     * Runs the command line {@code in[start, end)} (without its line ending). {@code in} must be a direct
     * buffer with a memory address: keys are hashed and compared in place.
     */
    public int execute(ByteBuf in, int start, int end, ByteBuf out) {
        noreply = false;
        mutated = false;
        int len = end - start;
        // memcached tokenizes a C string: a NUL byte ends the line
        int nul = memfleet.node.store.NativeMemory.indexOf(in.memoryAddress() + start, len, (byte) 0);
        if (nul >= 0) {
            len = nul;
        }
        if (line.length > 65536 && len <= 2048) {
            line = new byte[2048]; // a long multi-get has passed: give its buffer back
        }
        if (line.length < len) {
            line = new byte[Math.max(len, line.length * 2)];
        }
        in.getBytes(start, line, 0, len);
        base = in.memoryAddress() + start;
        int ntokens = tokens.tokenize(line, 0, len);
        if (ntokens < 2 || tokens.length(0) < 2) {
            ReplyBytes.put(out, TextReplies.ERROR);
            return CONTINUE;
        }
        byte first = line[tokens.start(0)];
        if (first == 'm' && tokens.length(0) == 2) {
            return meta.execute(line, tokens, ntokens, out);
        }
        switch (first) {
            case 'g':
                if (ntokens < 3) {
                    ReplyBytes.put(out, TextReplies.ERROR);
                } else if (tokens.is(line, 0, W_GET)) {
                    get(out, false, false);
                } else if (tokens.is(line, 0, W_GETS)) {
                    get(out, true, false);
                } else if (tokens.is(line, 0, W_GAT)) {
                    get(out, false, true);
                } else if (tokens.is(line, 0, W_GATS)) {
                    get(out, true, true);
                } else {
                    ReplyBytes.put(out, TextReplies.ERROR);
                }
                return CONTINUE;
            case 's':
                if (tokens.is(line, 0, W_SET)) {
                    return update(out, ntokens, ItemStore.SET, 6, 7);
                } else if (tokens.is(line, 0, W_STATS)) {
                    admin.stats(line, tokens, ntokens, out);
                } else if (tokens.is(line, 0, W_SHUTDOWN)) {
                    return shutdown(ntokens, out);
                } else if (tokens.is(line, 0, W_SLABS)) {
                    noreply = admin.slabs(line, tokens, ntokens, out, noreplyToken(ntokens));
                } else {
                    ReplyBytes.put(out, TextReplies.ERROR);
                }
                return CONTINUE;
            case 'a':
                if (tokens.is(line, 0, W_ADD)) {
                    return update(out, ntokens, ItemStore.ADD, 6, 7);
                } else if (tokens.is(line, 0, W_APPEND)) {
                    return update(out, ntokens, ItemStore.APPEND, 6, 7);
                }
                ReplyBytes.put(out, TextReplies.ERROR);
                return CONTINUE;
            case 'c':
                if (tokens.is(line, 0, W_CAS)) {
                    return update(out, ntokens, ItemStore.CAS, 7, 8);
                } else if (tokens.is(line, 0, W_CACHE_MEMLIMIT)) {
                    if (ntokens != 3 && ntokens != 4) {
                        ReplyBytes.put(out, TextReplies.ERROR);
                    } else {
                        noreply = noreplyToken(ntokens);
                        reply(out, admin.memlimit(line, tokens));
                    }
                    return CONTINUE;
                }
                ReplyBytes.put(out, TextReplies.ERROR);
                return CONTINUE;
            case 'i':
                if (tokens.is(line, 0, W_INCR)) {
                    arithmetic(out, ntokens, true);
                } else {
                    ReplyBytes.put(out, TextReplies.ERROR);
                }
                return CONTINUE;
            case 'd':
                if (tokens.is(line, 0, W_DELETE)) {
                    if (ntokens < 3 || ntokens > 5) {
                        ReplyBytes.put(out, TextReplies.ERROR);
                    } else {
                        delete(out, ntokens);
                    }
                } else if (tokens.is(line, 0, W_DECR)) {
                    arithmetic(out, ntokens, false);
                } else {
                    ReplyBytes.put(out, TextReplies.ERROR);
                }
                return CONTINUE;
            case 't':
                if (tokens.is(line, 0, W_TOUCH)) {
                    touch(out, ntokens);
                } else {
                    ReplyBytes.put(out, TextReplies.ERROR);
                }
                return CONTINUE;
            default:
                break;
        }
        if (tokens.is(line, 0, W_BGET)) {
            if (ntokens < 3) {
                ReplyBytes.put(out, TextReplies.ERROR);
            } else {
                get(out, false, false);
            }
        } else if (tokens.is(line, 0, W_REPLACE)) {
            return update(out, ntokens, ItemStore.REPLACE, 6, 7);
        } else if (tokens.is(line, 0, W_PREPEND)) {
            return update(out, ntokens, ItemStore.PREPEND, 6, 7);
        } else if (tokens.is(line, 0, W_FLUSH_ALL)) {
            if (ntokens < 2 || ntokens > 4) {
                ReplyBytes.put(out, TextReplies.ERROR);
            } else {
                flushAll(out, ntokens);
            }
        } else if (tokens.is(line, 0, W_VERSION)) {
            ReplyBytes.put(out, VERSION);
        } else if (tokens.is(line, 0, W_QUIT)) {
            return CLOSE_AFTER_WRITE;
        } else if (tokens.is(line, 0, W_LRU_CRAWLER)) {
            return admin.lruCrawler(line, tokens, ntokens, out);
        } else if (tokens.is(line, 0, W_VERBOSITY)) {
            if (ntokens != 3 && ntokens != 4) {
                ReplyBytes.put(out, TextReplies.ERROR);
            } else {
                verbosity(out, ntokens);
            }
        } else if (tokens.is(line, 0, W_LRU)) {
            if (ntokens < 3) {
                ReplyBytes.put(out, TextReplies.ERROR);
            } else {
                noreply = noreplyToken(ntokens);
                reply(out, admin.lru(line, tokens, ntokens));
            }
        } else if (tokens.is(line, 0, W_REFRESH_CERTS)) {
            refreshCerts(out, ntokens);
        } else if (endsWithHttp(ntokens)) {
            return CLOSE;
        } else {
            ReplyBytes.put(out, TextReplies.ERROR);
        }
        return CONTINUE;
    }

    private boolean endsWithHttp(int ntokens) {
        int i = ntokens - 2;
        if (tokens.length(i) < 5) {
            return false;
        }
        int s = tokens.start(i);
        return line[s] == 'H' && line[s + 1] == 'T' && line[s + 2] == 'T' && line[s + 3] == 'P' && line[s + 4] == '/';
    }

    /** memcached's {@code set_noreply_maybe}: the last real token is "noreply". */
    private boolean noreplyToken(int ntokens) {
        return tokens.is(line, ntokens - 2, W_NOREPLY);
    }

    /** memcached's {@code out_string}: a reply, unless the command said noreply. */
    private void reply(ByteBuf out, byte[] line) {
        if (!noreply && line != null) {
            ReplyBytes.put(out, line);
        }
    }

    // ---------------------------------------------------------------- retrieval

    private void get(ByteBuf out, boolean withCas, boolean touch) {
        int key = 1;
        int exptime = 0;
        if (touch) {
            long e = Decimal.parseSigned32(line, tokens.start(1), tokens.end(1));
            if (e == Decimal.INVALID) {
                ReplyBytes.put(out, TextReplies.INVALID_EXPTIME);
                return;
            }
            exptime = store.clock().realtime((int) e);
            key = 2;
        }
                while (true) {
            for (; key < tokens.count(); key++) {
                int nkey = tokens.length(key);
                if (nkey > KEY_MAX_LENGTH) {
                    // memcached drops every reply not yet sent (it sends after each get), then reports
                    out.writerIndex(Math.min(sentMark, out.writerIndex()));
                    ReplyBytes.put(out, TextReplies.BAD_FORMAT);
                    return;
                }
                getOne(base + tokens.start(key), nkey, out, withCas, touch, exptime);
            }
            if (!tokens.hasRest()) {
                break;
            }
            tokens.tokenize(line, tokens.restStart(), tokens.lineEnd());
            key = 0;
        }
        ReplyBytes.put(out, TextReplies.END);
        sentMark = out.writerIndex();
    }

    /** True when the last command (or data block) changed the store. */
    public boolean mutated() {
        return mutated;
    }

    /** The connection wrote its output buffer out: nothing in it is pending any more. */
    public void outputFlushed() {
        sentMark = 0;
    }

    private void getOne(long key, int nkey, ByteBuf out, boolean withCas, boolean touch, int exptime) {
        int hv = store.hash(key, nkey);
        ReentrantLock lock = store.lock(hv);
        lock.lock();
        try {
            long it = store.get(hv, key, nkey);
            if (it > 0) {
                if (touch) {
                    store.touch(it, exptime);
                    mutated = true;
                }
                int seg = store.bump(it, hv);
                int clsid = Item.clsid(it);
                stats.slab(clsid, ThreadStats.HITS_TO_HOT + seg);
                if (touch) {
                    stats.touchCmds++;
                    stats.slab(clsid, ThreadStats.TOUCH_HITS);
                } else {
                    stats.getCmds++;
                    stats.slab(clsid, ThreadStats.GET_HITS);
                }
                writeValue(it, out, withCas);
            } else {
                countMiss(it);
                if (touch) {
                    stats.touchCmds++;
                    stats.touchMisses++;
                } else {
                    stats.getMisses++;
                    stats.getCmds++;
                }
            }
        } finally {
            lock.unlock();
        }
        if (node.settings().detailEnabled) {
            node.prefixStats().recordGet(key, nkey, stats, false);
        }
    }

    private void countMiss(long code) {
        if (code == ItemStore.MISS_EXPIRED) {
            stats.getExpired++;
        } else if (code == ItemStore.MISS_FLUSHED) {
            stats.getFlushed++;
        }
    }

    /** The item's value and CRLF, copied out under the item's lock. */
    void writeData(long it, ByteBuf out) {
        int nbytes = Item.nbytes(it);
        out.ensureWritable(nbytes + 2);
        long off = 0;
        while (off < nbytes) {
            long run = store.contiguousFrom(it, off);
            ReplyBytes.copy(out, store.valueAddress(it, off), (int) run);
            off += run;
        }
        ReplyBytes.put(out, TextReplies.CRLF);
    }

    /** "VALUE key flags bytes [cas]\r\n" + data + "\r\n", copied out under the item's lock. */
    private void writeValue(long it, ByteBuf out, boolean withCas) {
        int nkey = Item.nkey(it);
        int nbytes = Item.nbytes(it);
        out.ensureWritable(6 + nkey + 48 + nbytes + 2);
        ReplyBytes.put(out, TextReplies.VALUE);
        ReplyBytes.copy(out, Item.key(it), nkey);
        ReplyBytes.put(out, (byte) ' ');
        ReplyBytes.decimal(out, Item.clientFlags(it) & 0xFFFF_FFFFL);
        ReplyBytes.put(out, (byte) ' ');
        ReplyBytes.decimal(out, nbytes);
        if (withCas) {
            ReplyBytes.put(out, (byte) ' ');
            ReplyBytes.decimal(out, Item.cas(it));
        }
        ReplyBytes.put(out, TextReplies.CRLF);
        long off = 0;
        while (off < nbytes) {
            long run = store.contiguousFrom(it, off);
            ReplyBytes.copy(out, store.valueAddress(it, off), (int) run);
            off += run;
        }
        ReplyBytes.put(out, TextReplies.CRLF);
    }


    // ---------------------------------------------------------------- storage

    private int update(ByteBuf out, int ntokens, int comm, int want1, int want2) {
        if (ntokens != want1 && ntokens != want2) {
            ReplyBytes.put(out, TextReplies.ERROR);
            return CONTINUE;
        }
        noreply = noreplyToken(ntokens);
        int nkey = tokens.length(1);
        if (nkey > KEY_MAX_LENGTH) {
            reply(out, TextReplies.BAD_FORMAT);
            return CONTINUE;
        }
        long flags = Decimal.parseUnsigned32(line, tokens.start(2), tokens.end(2), ok);
        long exptimeRaw = flags == Decimal.INVALID ? Decimal.INVALID : Decimal.parseSigned32(line, tokens.start(3), tokens.end(3));
        long vlen = exptimeRaw == Decimal.INVALID ? Decimal.INVALID : Decimal.parseSigned32(line, tokens.start(4), tokens.end(4));
        if (vlen == Decimal.INVALID) {
            reply(out, TextReplies.BAD_FORMAT);
            return CONTINUE;
        }
        int exptime = store.clock().realtime((int) exptimeRaw);
        long cas = 0;
        if (comm == ItemStore.CAS) {
            cas = Decimal.parseUnsigned64(line, tokens.start(5), tokens.end(5), ok);
            if (!ok[0]) {
                reply(out, TextReplies.BAD_FORMAT);
                return CONTINUE;
            }
        }
        if (vlen < 0 || vlen > Integer.MAX_VALUE - 2) {
            reply(out, TextReplies.BAD_FORMAT);
            return CONTINUE;
        }
        long key = base + tokens.start(1);
        if (node.settings().detailEnabled) {
            node.prefixStats().recordSet(key, nkey);
        }
        long it = store.tooLarge(nkey, (int) flags, vlen) ? 0
                : store.allocate(key, nkey, (int) flags, exptime, (int) vlen);
        if (it == 0) {
            if (store.tooLarge(nkey, (int) flags, vlen)) {
                reply(out, TextReplies.TOO_LARGE);
                stats.storeTooLarge++;
            } else {
                reply(out, TextReplies.OUT_OF_MEMORY_STORING);
                stats.storeNoMemory++;
            }
            if (comm == ItemStore.SET) {
                // memcached: stale data must not outlive a failed set
                int hv = store.hash(key, nkey);
                ReentrantLock lock = store.lock(hv);
                lock.lock();
                try {
                    long old = store.get(hv, key, nkey);
                    if (old > 0) {
                        store.delete(old, hv);
                        mutated = true;
                    }
                } finally {
                    lock.unlock();
                }
            }
            swallowLength = vlen + 2;
            return SWALLOW;
        }
        return startData(it, comm, cas, noreply, vlen + 2, false);
    }

    /** Asks the connection to read {@code length} bytes (data and CRLF) into {@code it}, then store it. */
    int startData(long it, int comm, long cas, boolean quiet, long length, boolean metaReply) {
        pendingItem = it;
        pendingComm = comm;
        pendingCas = cas;
        pendingNoreply = quiet;
        pendingLength = length;
        pendingMeta = metaReply;
        return READ_DATA;
    }

    /** Asks the connection to discard {@code length} bytes (a refused data block and its CRLF). */
    int startSwallow(long length) {
        swallowLength = length;
        return SWALLOW;
    }

    /** The native address of token {@code i} of the current line (keys are read in place). */
    long keyAddress(int i) {
        return base + tokens.start(i);
    }

    void markMutated() {
        mutated = true;
    }

    void countMissPublic(long code) {
        countMiss(code);
    }

    /**
     * The data block of the pending storage command has arrived in the item; {@code crlfOk} tells whether
     * it ended in CRLF. Stores it and writes the reply.
     */
    public void completeData(boolean crlfOk, ByteBuf out) {
        mutated = false;
        long it = pendingItem;
        pendingItem = 0;
        noreply = pendingNoreply;
        int clsid = Item.clsid(it);
        stats.slab(clsid, ThreadStats.SET_CMDS);
        boolean metaReply = pendingMeta;
        pendingMeta = false;
        if (!crlfOk) {
            store.freeChunks(it);
            if (metaReply) {
                noreply = false; // meta: errors are always sent
            }
            reply(out, TextReplies.BAD_DATA_CHUNK);
            return;
        }
        int comm = pendingComm;
        long key = Item.key(it);
        int nkey = Item.nkey(it);
        int hv = store.hash(key, nkey);
        int ret;
        long storedCas = 0;
        long current = it;
        ReentrantLock lock = store.lock(hv);
        lock.lock();
        try {
            ret = store.store(it, comm, hv, pendingCas);
            if (metaReply && ret == ItemStore.STORED) {
                current = store.index().find(hv, key, nkey);
                storedCas = current != 0 ? Item.cas(current) : 0;
                if (current == 0) {
                    current = it;
                }
            }
        } finally {
            lock.unlock();
        }
        if (metaReply) {
            meta.finishSet(ret, storedCas, current, out);
        }
        if (ret != ItemStore.STORED || comm == ItemStore.APPEND || comm == ItemStore.PREPEND) {
            store.freeChunks(it);
        }
        mutated = ret == ItemStore.STORED;
        if (comm == ItemStore.CAS || comm == ItemStore.CAS_OR_STALE) {
            if (ret == ItemStore.STORED) {
                stats.slab(clsid, ThreadStats.CAS_HITS);
            } else if (ret == ItemStore.EXISTS) {
                stats.slab(clsid, ThreadStats.CAS_BADVAL);
            } else if (ret == ItemStore.NOT_FOUND) {
                stats.casMisses++;
            }
        }
        if (metaReply) {
            return;
        }
        reply(out, switch (ret) {
            case ItemStore.STORED -> TextReplies.STORED;
            case ItemStore.EXISTS -> TextReplies.EXISTS;
            case ItemStore.NOT_FOUND -> TextReplies.NOT_FOUND;
            default -> TextReplies.NOT_STORED;
        });
    }

    /** The connection went away with a storage command half read: its item is freed. */
    public void abandon() {
        if (pendingItem != 0) {
            store.freeChunks(pendingItem);
            pendingItem = 0;
        }
    }

    // ---------------------------------------------------------------- the rest

    private void delete(ByteBuf out, int ntokens) {
        if (ntokens > 3) {
            boolean holdIsZero = tokens.is(line, 2, W_ZERO);
            boolean setsNoreply = noreplyToken(ntokens);
            noreply = setsNoreply;
            boolean valid = (ntokens == 4 && (holdIsZero || setsNoreply)) || (ntokens == 5 && holdIsZero && setsNoreply);
            if (!valid) {
                reply(out, TextReplies.DELETE_USAGE);
                return;
            }
        }
        int nkey = tokens.length(1);
        if (nkey > KEY_MAX_LENGTH) {
            reply(out, TextReplies.BAD_FORMAT);
            return;
        }
        long key = base + tokens.start(1);
        if (node.settings().detailEnabled) {
            node.prefixStats().recordDelete(key, nkey);
        }
        int hv = store.hash(key, nkey);
        ReentrantLock lock = store.lock(hv);
        byte[] answer;
        lock.lock();
        try {
            long it = store.get(hv, key, nkey);
            if (it > 0) {
                stats.slab(Item.clsid(it), ThreadStats.DELETE_HITS);
                store.delete(it, hv);
                mutated = true;
                answer = TextReplies.DELETED;
            } else {
                countMiss(it);
                stats.deleteMisses++;
                answer = TextReplies.NOT_FOUND;
            }
        } finally {
            lock.unlock();
        }
        reply(out, answer);
    }

    private void arithmetic(ByteBuf out, int ntokens, boolean incr) {
        if (ntokens != 4 && ntokens != 5) {
            ReplyBytes.put(out, TextReplies.ERROR);
            return;
        }
        noreply = noreplyToken(ntokens);
        int nkey = tokens.length(1);
        if (nkey > KEY_MAX_LENGTH) {
            reply(out, TextReplies.BAD_FORMAT);
            return;
        }
        long delta = Decimal.parseUnsigned64(line, tokens.start(2), tokens.end(2), ok);
        if (!ok[0]) {
            reply(out, TextReplies.INVALID_DELTA);
            return;
        }
        long key = base + tokens.start(1);
        int hv = store.hash(key, nkey);
        ReentrantLock lock = store.lock(hv);
        int rc;
        lock.lock();
        try {
            rc = store.addDelta(hv, key, nkey, incr, delta, digits, result);
        } finally {
            lock.unlock();
        }
        switch (rc) {
            case ItemStore.DELTA_OK:
                mutated = true;
                stats.slab(result[2], incr ? ThreadStats.INCR_HITS : ThreadStats.DECR_HITS);
                if (!noreply) {
                    ReplyBytes.put(out, digits, result[0]);
                    ReplyBytes.put(out, TextReplies.CRLF);
                }
                break;
            case ItemStore.DELTA_NON_NUMERIC:
                reply(out, TextReplies.NON_NUMERIC);
                break;
            case ItemStore.DELTA_EOM:
                reply(out, TextReplies.OUT_OF_MEMORY);
                break;
            default:
                if (incr) {
                    stats.incrMisses++;
                } else {
                    stats.decrMisses++;
                }
                reply(out, TextReplies.NOT_FOUND);
                break;
        }
    }

    private void touch(ByteBuf out, int ntokens) {
        if (ntokens != 4 && ntokens != 5) {
            ReplyBytes.put(out, TextReplies.ERROR);
            return;
        }
        noreply = noreplyToken(ntokens);
        int nkey = tokens.length(1);
        if (nkey > KEY_MAX_LENGTH) {
            reply(out, TextReplies.BAD_FORMAT);
            return;
        }
        long e = Decimal.parseSigned32(line, tokens.start(2), tokens.end(2));
        if (e == Decimal.INVALID) {
            reply(out, TextReplies.INVALID_EXPTIME);
            return;
        }
        int exptime = store.clock().realtime((int) e);
        long key = base + tokens.start(1);
        int hv = store.hash(key, nkey);
        ReentrantLock lock = store.lock(hv);
        byte[] answer;
        lock.lock();
        try {
            long it = store.get(hv, key, nkey);
            stats.touchCmds++;
            if (it > 0) {
                store.touch(it, exptime);
                store.bump(it, hv);
                mutated = true;
                stats.slab(Item.clsid(it), ThreadStats.TOUCH_HITS);
                answer = TextReplies.TOUCHED;
            } else {
                countMiss(it);
                stats.touchMisses++;
                answer = TextReplies.NOT_FOUND;
            }
        } finally {
            lock.unlock();
        }
        reply(out, answer);
    }

    private void flushAll(ByteBuf out, int ntokens) {
        noreply = noreplyToken(ntokens);
        stats.flushCmds++;
        if (!node.settings().flushEnabled) {
            reply(out, TextReplies.FLUSH_NOT_ALLOWED);
            return;
        }
        long exptime = 0;
        if (ntokens != (noreply ? 3 : 2)) {
            exptime = Decimal.parseSigned32(line, tokens.start(1), tokens.end(1));
            if (exptime == Decimal.INVALID) {
                reply(out, TextReplies.INVALID_EXPTIME);
                return;
            }
        }
        store.flushAll((int) exptime);
        mutated = true;
        reply(out, TextReplies.OK);
    }

    /** memcached's {@code refresh_certs}: re-reads the certificate and key; errors are sent even with noreply. */
    private void refreshCerts(ByteBuf out, int ntokens) {
        noreply = noreplyToken(ntokens);
        var tls = node.tls();
        if (tls == null) {
            ReplyBytes.put(out, TLS_NOT_ENABLED);
            return;
        }
        String error = tls.refresh(store.clock().now());
        if (error == null) {
            reply(out, TextReplies.OK);
        } else {
            ReplyBytes.put(out, (error + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    private void verbosity(ByteBuf out, int ntokens) {
        noreply = noreplyToken(ntokens);
        long level = Decimal.parseUnsigned32(line, tokens.start(1), tokens.end(1), ok);
        if (level == Decimal.INVALID) {
            reply(out, TextReplies.BAD_FORMAT);
            return;
        }
        node.settings().verbose = (int) Math.min(level, MAX_VERBOSITY_LEVEL);
        reply(out, TextReplies.OK);
    }

    private int shutdown(int ntokens, ByteBuf out) {
        if (!node.settings().shutdownEnabled) {
            ReplyBytes.put(out, TextReplies.SHUTDOWN_NOT_ENABLED);
            return CONTINUE;
        }
        if (ntokens == 2 || (ntokens == 3 && tokens.is(line, 1, W_GRACEFUL))) {
            node.requestShutdown();
            return CLOSE;
        }
        ReplyBytes.put(out, TextReplies.INVALID_SHUTDOWN_MODE);
        return CONTINUE;
    }
}
