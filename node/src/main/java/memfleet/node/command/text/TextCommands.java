package memfleet.node.command.text;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import memfleet.node.Node;
import memfleet.node.config.Version;
import memfleet.node.command.ItemOps;
import memfleet.node.command.Metadump;
import memfleet.node.command.ReplyBytes;
import memfleet.node.command.ReplyMarks;
import memfleet.node.command.Step;
import memfleet.node.stats.StatsWriter;
import memfleet.node.store.Item;
import memfleet.node.store.ItemStore;
import memfleet.node.watch.WatchLog;
import memfleet.protocol.text.Decimal;
import memfleet.protocol.text.ItemKey;
import memfleet.protocol.text.TextReplies;

/**
 * memcached's text commands for one connection, as {@code proto_text.c} dispatches them: the command word
 * picks the command, which parses its tokens, runs through {@link ItemOps} and encodes the result. Two-letter
 * {@code m?} words go to {@link MetaCommands}, administration to {@link AdminCommands}. Storage commands
 * leave the data block to read in the {@link TextLine}; {@link #completeData} finishes them. Nothing is
 * allocated per command.
 */
final class TextCommands {
    private static final int MAX_VERBOSITY_LEVEL = 2;
    private static final byte[] VERSION = ("VERSION " + Version.MEMCACHED + "\r\n").getBytes(StandardCharsets.US_ASCII);

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
    private static final byte[] W_WATCH = ascii("watch");
    private static final byte[] W_VERBOSITY = ascii("verbosity");
    private static final byte[] W_LRU = ascii("lru");
    private static final byte[] W_REFRESH_CERTS = ascii("refresh_certs");
    private static final byte[] W_REPLICATION = ascii("replication");
    private static final byte[] W_CHECK = ascii("check");
    private static final byte[] NOT_REPLICATING = ascii("CLIENT_ERROR replication not enabled\r\n");
    private static final byte[] TLS_NOT_ENABLED = ascii("Error TLS not enabled\r\n");
    private static final byte[] OUT_OF_MEMORY_GET = ascii("SERVER_ERROR out of memory writing get response\r\n");
    /** memcached's read buffer ({@code READ_BUFFER_SIZE}): the unit of {@code -o read_buf_mem_limit}. */
    private static final int READ_BUFFER_SIZE = 16384;
    /** memcached's response objects per read-buffer-sized bundle (measured on 1.6.18: 13). */
    private static final int RESPONSES_PER_BUNDLE = 13;
    private static final byte[] W_ZERO = ascii("0");
    private static final byte[] W_GRACEFUL = ascii("graceful");

    private final Node node;
    private final ItemOps ops;
    private int watchFlags;
    private final ItemStore store;
    private final TextLine line;
    private final ReplyMarks marks;
    private final AdminCommands admin;
    private final MetaCommands meta;
    private final boolean[] ok = new boolean[1];
    /** Where memcached would have sent up to: the end of the last get reply in the output buffer. */
    private int sentMark;
    /**
     * How many keys one get may answer: memcached gives each key a response object, taken from its worker
     * thread's share of {@code -o read_buf_mem_limit} in read-buffer-sized bundles, one of which holds the
     * connection's read buffer; past that the get fails. Unlimited without the option.
     */
    private final int getKeyLimit;

    TextCommands(Node node, ItemOps ops, StatsWriter statsWriter, TextLine line, ReplyMarks marks) {
        this.node = node;
        this.ops = ops;
        this.store = ops.store();
        this.line = line;
        this.marks = marks;
        this.admin = new AdminCommands(node, statsWriter);
        this.meta = new MetaCommands(ops, line, marks);
        var settings = node.settings();
        long bundles = settings.readBufMemLimit == 0 ? 0
                : Integer.toUnsignedLong(settings.readBufMemLimit) / settings.numThreads / READ_BUFFER_SIZE;
        this.getKeyLimit = settings.readBufMemLimit == 0 ? Integer.MAX_VALUE
                : (int) Math.max(0, Math.min(Integer.MAX_VALUE, RESPONSES_PER_BUNDLE * (bundles - 1)));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    Metadump takeMetadump() {
        return admin.takeMetadump();
    }

    /** The connection wrote its output out: nothing in it is pending any more. */
    void outputFlushed() {
        sentMark = 0;
    }

    /** Runs the command line {@code in[start, end)} (without its line ending). */
    Step execute(ByteBuf in, int start, int end, ByteBuf out) {
        int ntokens = line.load(in, start, end);
        byte[] b = line.bytes;
        if (ntokens < 2 || line.length(0) < 2) {
            return replied(out, TextReplies.ERROR);
        }
        byte first = b[line.start(0)];
        if (first == 'm' && line.length(0) == 2) {
            return meta.execute(out);
        }
        switch (first) {
            case 'g':
                if (ntokens < 3) {
                    return replied(out, TextReplies.ERROR);
                } else if (line.is(0, W_GET)) {
                    get(out, false, false);
                } else if (line.is(0, W_GETS)) {
                    get(out, true, false);
                } else if (line.is(0, W_GAT)) {
                    get(out, false, true);
                } else if (line.is(0, W_GATS)) {
                    get(out, true, true);
                } else {
                    return replied(out, TextReplies.ERROR);
                }
                return Step.COMMAND;
            case 's':
                if (line.is(0, W_SET)) {
                    return update(out, ItemStore.SET, 6, 7);
                } else if (line.is(0, W_STATS)) {
                    admin.stats(b, line.tokens, ntokens, out);
                } else if (line.is(0, W_SHUTDOWN)) {
                    return shutdown(out);
                } else if (line.is(0, W_SLABS)) {
                    line.noreply = admin.slabs(b, line.tokens, ntokens, out, line.noreplyToken());
                } else {
                    ReplyBytes.put(out, TextReplies.ERROR);
                }
                return marked(out);
            case 'a':
                if (line.is(0, W_ADD)) {
                    return update(out, ItemStore.ADD, 6, 7);
                } else if (line.is(0, W_APPEND)) {
                    return update(out, ItemStore.APPEND, 6, 7);
                }
                return replied(out, TextReplies.ERROR);
            case 'c':
                if (line.is(0, W_CAS)) {
                    return update(out, ItemStore.CAS, 7, 8);
                } else if (line.is(0, W_CACHE_MEMLIMIT)) {
                    if (ntokens != 3 && ntokens != 4) {
                        return replied(out, TextReplies.ERROR);
                    }
                    line.noreplyToken();
                    reply(out, admin.memlimit(b, line.tokens));
                    return marked(out);
                }
                return replied(out, TextReplies.ERROR);
            case 'i':
                if (line.is(0, W_INCR)) {
                    arithmetic(out, true);
                    return marked(out);
                }
                return replied(out, TextReplies.ERROR);
            case 'd':
                if (line.is(0, W_DELETE)) {
                    if (ntokens < 3 || ntokens > 5) {
                        return replied(out, TextReplies.ERROR);
                    }
                    delete(out);
                } else if (line.is(0, W_DECR)) {
                    arithmetic(out, false);
                } else {
                    ReplyBytes.put(out, TextReplies.ERROR);
                }
                return marked(out);
            case 't':
                if (line.is(0, W_TOUCH)) {
                    touch(out);
                    return marked(out);
                }
                return replied(out, TextReplies.ERROR);
            default:
                break;
        }
        if (line.is(0, W_BGET)) {
            if (ntokens < 3) {
                return replied(out, TextReplies.ERROR);
            }
            get(out, false, false);
            return Step.COMMAND;
        } else if (line.is(0, W_REPLACE)) {
            return update(out, ItemStore.REPLACE, 6, 7);
        } else if (line.is(0, W_PREPEND)) {
            return update(out, ItemStore.PREPEND, 6, 7);
        } else if (line.is(0, W_FLUSH_ALL)) {
            if (ntokens < 2 || ntokens > 4) {
                return replied(out, TextReplies.ERROR);
            }
            flushAll(out);
        } else if (line.is(0, W_VERSION)) {
            ReplyBytes.put(out, VERSION);
        } else if (line.is(0, W_QUIT)) {
            marks.emptyReply(out);
            marks.transmit();
            return Step.CLOSE_AFTER_WRITE;
        } else if (line.is(0, W_LRU_CRAWLER)) {
            Step s = admin.lruCrawler(b, line.tokens, ntokens, out);
            return s == Step.STREAM ? s : marked(out);
        } else if (line.is(0, W_WATCH)) {
            return watch(out, ntokens);
        } else if (line.is(0, W_VERBOSITY)) {
            if (ntokens != 3 && ntokens != 4) {
                return replied(out, TextReplies.ERROR);
            }
            verbosity(out);
        } else if (line.is(0, W_LRU)) {
            if (ntokens < 3) {
                return replied(out, TextReplies.ERROR);
            }
            line.noreplyToken();
            reply(out, admin.lru(b, line.tokens, ntokens));
        } else if (line.is(0, W_REFRESH_CERTS)) {
            refreshCerts(out);
        } else if (line.is(0, W_REPLICATION) && ntokens == 3 && line.is(1, W_CHECK)) {
            // memfleet's own: an anti-entropy round with every peer now; stats replication shows the outcome
            var replication = node.replication();
            if (replication == null) {
                ReplyBytes.put(out, NOT_REPLICATING);
            } else {
                replication.checkNow();
                ReplyBytes.put(out, TextReplies.OK);
            }
        } else if (endsWithHttp(ntokens)) {
            return Step.CLOSE;
        } else {
            ReplyBytes.put(out, TextReplies.ERROR);
        }
        return marked(out);
    }

    /** One reply written: marked as such for a datagram transport. */
    private Step marked(ByteBuf out) {
        marks.reply(out);
        return Step.COMMAND;
    }

    private Step replied(ByteBuf out, byte[] reply) {
        ReplyBytes.put(out, reply);
        return marked(out);
    }

    private boolean endsWithHttp(int ntokens) {
        int i = ntokens - 2;
        if (line.length(i) < 5) {
            return false;
        }
        byte[] b = line.bytes;
        int s = line.start(i);
        return b[s] == 'H' && b[s + 1] == 'T' && b[s + 2] == 'T' && b[s + 3] == 'P' && b[s + 4] == '/';
    }

    /** memcached's {@code out_string}: a reply, unless the command said noreply. */
    /**
     * memcached's {@code process_watch_command}: {@code watch} alone watches fetchers; an option memcached
     * does not know (a trailing {@code noreply} among them) is an {@code ERROR}, which noreply silences.
     */
    private Step watch(ByteBuf out, int ntokens) {
        line.noreplyToken();
        int flags = 0;
        for (int i = 1; i < ntokens - 1; i++) {
            int f = WatchLog.option(new String(line.bytes, line.start(i), line.length(i), StandardCharsets.ISO_8859_1));
            if (f == 0) {
                reply(out, TextReplies.ERROR);
                return marked(out);
            }
            flags |= f;
        }
        watchFlags = ntokens > 2 ? flags : WatchLog.FETCHERS;
        return Step.WATCH;
    }

    /** The log flags the last {@link Step#WATCH} asked for. */
    int takeWatch() {
        int f = watchFlags;
        watchFlags = 0;
        return f;
    }

    private void reply(ByteBuf out, byte[] reply) {
        if (!line.noreply && reply != null) {
            ReplyBytes.put(out, reply);
        }
    }

    // ---------------------------------------------------------------- retrieval

    private void get(ByteBuf out, boolean withCas, boolean touch) {
        var tokens = line.tokens;
        int key = 1;
        int exptime = 0;
        if (touch) {
            long e = Decimal.parseSigned32(line.bytes, line.start(1), line.end(1));
            if (e == Decimal.INVALID) {
                ReplyBytes.put(out, TextReplies.INVALID_EXPTIME);
                marks.reply(out);
                return;
            }
            exptime = store.clock().realtime((int) e);
            key = 2;
        }
        int how = (touch ? ItemOps.TOUCH : ItemOps.GET) | ItemOps.DETAIL;
        int keys = 0;
        while (true) {
            int count = tokens.count();
            for (; key < count; key++) {
                int nkey = line.length(key);
                if (nkey > ItemKey.MAX_LENGTH) {
                    failGet(out, TextReplies.BAD_FORMAT);
                    return;
                }
                if (++keys > getKeyLimit) {
                    ops.stats().responseObjOom++;
                    failGet(out, OUT_OF_MEMORY_GET);
                    return;
                }
                long it = ops.lookup(line.address(key), nkey);
                try {
                    if (it > 0) {
                        if (touch) {
                            ops.retime(it, exptime);
                        }
                        writeValue(it, out, withCas);
                    }
                } finally {
                    ops.endFetch(it, how);
                }
                if (key < count - 1 || tokens.hasRest()) {
                    marks.emptyReply(out); // memcached's response object per key
                }
            }
            if (!tokens.hasRest()) {
                break;
            }
            tokens.tokenize(line.bytes, tokens.restStart(), tokens.lineEnd());
            key = 0;
        }
        ReplyBytes.put(out, TextReplies.END);
        marks.reply(out);
        marks.transmit();
        sentMark = out.writerIndex();
    }

    /** A get that cannot go on: memcached drops every reply not yet sent (it sends after each get), then reports. */
    private void failGet(ByteBuf out, byte[] error) {
        out.writerIndex(Math.min(sentMark, out.writerIndex()));
        marks.discard();
        ReplyBytes.put(out, error);
        marks.reply(out);
    }

    /** The item's value and CRLF, copied out while the operation holds the item. */
    static void writeData(ItemStore store, long it, ByteBuf out) {
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

    /** "VALUE key flags bytes [cas]\r\n" + data + "\r\n". */
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
        writeData(store, it, out);
    }

    // ---------------------------------------------------------------- storage

    private Step update(ByteBuf out, int comm, int want1, int want2) {
        int ntokens = line.ntokens;
        if (ntokens != want1 && ntokens != want2) {
            return replied(out, TextReplies.ERROR);
        }
        line.noreplyToken();
        int nkey = line.length(1);
        if (nkey > ItemKey.MAX_LENGTH) {
            reply(out, TextReplies.BAD_FORMAT);
            return marked(out);
        }
        byte[] b = line.bytes;
        long flags = Decimal.parseUnsigned32(b, line.start(2), line.end(2), ok);
        long exptimeRaw = flags == Decimal.INVALID ? Decimal.INVALID : Decimal.parseSigned32(b, line.start(3), line.end(3));
        long vlen = exptimeRaw == Decimal.INVALID ? Decimal.INVALID : Decimal.parseSigned32(b, line.start(4), line.end(4));
        if (vlen == Decimal.INVALID) {
            reply(out, TextReplies.BAD_FORMAT);
            return marked(out);
        }
        int exptime = store.clock().realtime((int) exptimeRaw);
        long cas = 0;
        if (comm == ItemStore.CAS) {
            cas = Decimal.parseUnsigned64(b, line.start(5), line.end(5), ok);
            if (!ok[0]) {
                reply(out, TextReplies.BAD_FORMAT);
                return marked(out);
            }
        }
        if (vlen < 0 || vlen > Integer.MAX_VALUE - 2) {
            reply(out, TextReplies.BAD_FORMAT);
            return marked(out);
        }
        int how = ItemOps.DETAIL | (comm == ItemStore.SET ? ItemOps.UNLINK_ON_FAILURE : 0);
        long it = ops.allocate(line.address(1), nkey, (int) flags, exptime, vlen, how);
        if (it == 0) {
            reply(out, ops.refusal() == ItemStore.TOO_LARGE ? TextReplies.TOO_LARGE : TextReplies.OUT_OF_MEMORY_STORING);
            line.swallow(vlen + 2);
            return marked(out);
        }
        line.readData(it, comm, cas, vlen + 2, false);
        return Step.COMMAND;
    }

    /**
     * The data block of the pending storage command has arrived in its item; {@code crlfOk} tells whether
     * it ended in CRLF. Stores it and writes the reply.
     */
    void completeData(boolean crlfOk, ByteBuf out) {
        long it = line.dataItem;
        line.dataItem = 0;
        int ret = ops.store(it, line.dataComm, line.dataCas, crlfOk);
        try {
            if (line.dataMeta) {
                meta.finishSet(ret, out);
            } else {
                reply(out, switch (ret) {
                    case ItemOps.BAD_DATA_CHUNK -> TextReplies.BAD_DATA_CHUNK;
                    case ItemStore.STORED -> TextReplies.STORED;
                    case ItemStore.EXISTS -> TextReplies.EXISTS;
                    case ItemStore.NOT_FOUND -> TextReplies.NOT_FOUND;
                    default -> TextReplies.NOT_STORED;
                });
            }
        } finally {
            ops.done();
        }
        marks.reply(out);
    }

    /** The connection went away with a storage command half read: its item is freed. */
    void abandon() {
        if (line.dataItem != 0) {
            ops.discard(line.dataItem);
            line.dataItem = 0;
        }
    }

    // ---------------------------------------------------------------- the rest

    private void delete(ByteBuf out) {
        int ntokens = line.ntokens;
        if (ntokens > 3) {
            boolean holdIsZero = line.is(2, W_ZERO);
            boolean setsNoreply = line.noreplyToken();
            boolean valid = (ntokens == 4 && (holdIsZero || setsNoreply)) || (ntokens == 5 && holdIsZero && setsNoreply);
            if (!valid) {
                reply(out, TextReplies.DELETE_USAGE);
                return;
            }
        }
        int nkey = line.length(1);
        if (nkey > ItemKey.MAX_LENGTH) {
            reply(out, TextReplies.BAD_FORMAT);
            return;
        }
        int rc = ops.delete(line.address(1), nkey, 0, 0, ItemOps.DETAIL);
        reply(out, rc == ItemOps.DELETED ? TextReplies.DELETED : TextReplies.NOT_FOUND);
    }

    /**
     * incr, decr and touch's common start: {@code <cmd> <key> <arg> [noreply]}. Returns the key's length, or
     * -1 when the command has been answered (with an error).
     */
    private int keyAndArgument(ByteBuf out) {
        int ntokens = line.ntokens;
        if (ntokens != 4 && ntokens != 5) {
            ReplyBytes.put(out, TextReplies.ERROR);
            return -1;
        }
        line.noreplyToken();
        int nkey = line.length(1);
        if (nkey > ItemKey.MAX_LENGTH) {
            reply(out, TextReplies.BAD_FORMAT);
            return -1;
        }
        return nkey;
    }

    private void arithmetic(ByteBuf out, boolean incr) {
        int nkey = keyAndArgument(out);
        if (nkey < 0) {
            return;
        }
        long delta = Decimal.parseUnsigned64(line.bytes, line.start(2), line.end(2), ok);
        if (!ok[0]) {
            reply(out, TextReplies.INVALID_DELTA);
            return;
        }
        int rc;
        try {
            rc = ops.arithmetic(line.address(1), nkey, incr, delta, 0, false, 0, 0);
        } finally {
            ops.done();
        }
        switch (rc) {
            case ItemStore.DELTA_OK -> {
                if (!line.noreply) {
                    ReplyBytes.put(out, ops.digits(), ops.digitsLength());
                    ReplyBytes.put(out, TextReplies.CRLF);
                }
            }
            case ItemStore.DELTA_NON_NUMERIC -> reply(out, TextReplies.NON_NUMERIC);
            case ItemStore.DELTA_EOM -> reply(out, TextReplies.OUT_OF_MEMORY);
            default -> reply(out, TextReplies.NOT_FOUND);
        }
    }

    private void touch(ByteBuf out) {
        int nkey = keyAndArgument(out);
        if (nkey < 0) {
            return;
        }
        long e = Decimal.parseSigned32(line.bytes, line.start(2), line.end(2));
        if (e == Decimal.INVALID) {
            reply(out, TextReplies.INVALID_EXPTIME);
            return;
        }
        boolean hit = ops.touch(line.address(1), nkey, store.clock().realtime((int) e));
        reply(out, hit ? TextReplies.TOUCHED : TextReplies.NOT_FOUND);
    }

    private void flushAll(ByteBuf out) {
        boolean noreply = line.noreplyToken();
        if (!ops.flushEnabled()) {
            ops.refusedFlush();
            reply(out, TextReplies.FLUSH_NOT_ALLOWED);
            return;
        }
        long exptime = 0;
        if (line.ntokens != (noreply ? 3 : 2)) {
            exptime = Decimal.parseSigned32(line.bytes, line.start(1), line.end(1));
            if (exptime == Decimal.INVALID) {
                ops.refusedFlush();
                reply(out, TextReplies.INVALID_EXPTIME);
                return;
            }
        }
        ops.flushAll((int) exptime);
        reply(out, TextReplies.OK);
    }

    /** memcached's {@code refresh_certs}: re-reads the certificate and key; errors are sent even with noreply. */
    private void refreshCerts(ByteBuf out) {
        line.noreplyToken();
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

    private void verbosity(ByteBuf out) {
        line.noreplyToken();
        long level = Decimal.parseUnsigned32(line.bytes, line.start(1), line.end(1), ok);
        if (level == Decimal.INVALID) {
            reply(out, TextReplies.BAD_FORMAT);
            return;
        }
        node.settings().verbose = (int) Math.min(level, MAX_VERBOSITY_LEVEL);
        reply(out, TextReplies.OK);
    }

    private Step shutdown(ByteBuf out) {
        if (!node.settings().shutdownEnabled) {
            return replied(out, TextReplies.SHUTDOWN_NOT_ENABLED);
        }
        int ntokens = line.ntokens;
        if (ntokens == 2 || (ntokens == 3 && line.is(1, W_GRACEFUL))) {
            return Step.SHUTDOWN;
        }
        return replied(out, TextReplies.INVALID_SHUTDOWN_MODE);
    }
}
