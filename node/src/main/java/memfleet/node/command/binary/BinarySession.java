package memfleet.node.command.binary;

import static memfleet.protocol.binary.BinaryHeader.*;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import memfleet.node.Node;
import memfleet.node.config.Version;
import memfleet.node.command.ItemOps;
import memfleet.node.command.Metadump;
import memfleet.node.command.ReplyBytes;
import memfleet.node.command.Session;
import memfleet.node.command.ReplyMarks;
import memfleet.node.command.Step;
import memfleet.node.command.VerboseLog;
import memfleet.node.sasl.SaslPasswordFile;
import memfleet.node.stats.StatsWriter;
import memfleet.node.stats.ThreadStats;
import memfleet.node.store.Item;
import memfleet.node.store.ItemStore;
import memfleet.node.store.NativeMemory;
import memfleet.protocol.binary.BinaryHeader;
import memfleet.protocol.binary.SaslPlain;
import memfleet.protocol.text.ItemKey;

/**
 * A binary-protocol connection, as {@code proto_bin.c} runs it: a request header with its extras and key
 * ({@code conn_parse_cmd}), then its value read straight into the item ({@code conn_nread}) or discarded
 * ({@code conn_swallow}). A request's lengths are checked, the work is done by {@link ItemOps}, and the
 * response packet is written straight into the output buffer. Quiet opcodes answer only errors (and
 * GETQ/GATQ hits), so a NOOP after them brings back exactly the misses' silence. Nothing is allocated per
 * request except for STAT and SASL.
 */
public final class BinarySession implements Session {
    private static final int MAX_SASL_MECH_LEN = 32;
    /** A SASL message larger than this is refused with ENOMEM (memcached: larger than a slab chunk). */
    private static final int MAX_SASL_DATA = 64 * 1024;
    private static final byte[] VERSION_BODY = Version.MEMCACHED.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AUTHENTICATED = ascii("Authenticated");
    private static final byte[] MECHANISMS = ascii(SaslPlain.MECHANISM);
    private static final byte[] NO_MEMORY_ITEM = ascii("Out of memory allocating item");
    private static final byte[] NO_MEMORY_INCR = ascii("Out of memory incrementing value");
    private static final byte[] NO_MEMORY_NEW_ITEM = ascii("Out of memory allocating new item");

    private static final int PENDING_VALUE = 1;
    private static final int PENDING_SASL = 2;

    private final Node node;
    private final ItemOps ops;
    private final ItemStore store;
    private final ThreadStats stats;
    private final SaslPasswordFile sasl;
    private final StatsWriter statsWriter;
    private final int fd;

    // the request being run
    private int opcode;
    private int cmd;
    private boolean noreply;
    private final ReplyMarks marks;
    private int opaque;
    private long responseCas;
    private boolean running;
    /** Input has arrived: memcached's connection waits in conn_read from then on, conn_new_cmd before. */
    private boolean started;

    // a value (or SASL message) still arriving, or a body to discard
    private int pendingKind;
    private long pendingItem;
    private int pendingComm;
    private long pendingCas;
    private long dataRemaining;
    private long dataOffset;
    private byte[] saslData;
    private final byte[] saslMech = new byte[MAX_SASL_MECH_LEN];
    private int saslMechLength;
    private long swallowLength;

    // SASL state of the connection
    private boolean authenticated;
    private boolean saslStarted;
    private boolean saslAwaitingStep;

    public BinarySession(Node node, ItemOps ops, StatsWriter statsWriter, int fd) {
        this(node, ops, statsWriter, ReplyMarks.NONE, fd);
    }

    /**
     * A session whose replies are marked for a datagram transport ({@code marks} not {@link ReplyMarks#NONE}):
     * each response is one reply, a quiet command that answered nothing an empty one, as memcached's resp
     * objects are over UDP.
     */
    public BinarySession(Node node, ItemOps ops, StatsWriter statsWriter, ReplyMarks marks, int fd) {
        this.marks = marks;
        this.node = node;
        this.ops = ops;
        this.store = ops.store();
        this.stats = ops.stats();
        this.statsWriter = statsWriter;
        this.fd = fd;
        this.sasl = node.settings().sasl ? new SaslPasswordFile(java.nio.file.Path.of(node.settings().saslPasswordFile)) : null;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public Step step(ByteBuf in, ByteBuf out, boolean mayRun) {
        started = true;
        if (pendingKind != 0) {
            return readData(in, out);
        }
        if (swallowLength > 0) {
            int n = (int) Math.min(in.readableBytes(), swallowLength);
            in.skipBytes(n);
            swallowLength -= n;
            return Step.PROGRESS;
        }
        int start = in.readerIndex();
        if (in.readableBytes() < SIZE) {
            return Step.NEED_INPUT;
        }
        if (in.getByte(start) != REQUEST_MAGIC) {
            // memcached: an invalid magic closes at once; replies not yet written are lost with it
            if (node.settings().verbose > 0) {
                System.err.printf("Invalid magic:  %x%n", in.getByte(start) & 0xff);
            }
            if (marks != ReplyMarks.NONE) {
                return Step.CLOSE_AFTER_WRITE; // over UDP memcached still sends what the datagram answered
            }
            out.clear();
            return Step.CLOSE;
        }
        int prefix = SIZE + in.getUnsignedByte(start + EXTRAS_LENGTH) + in.getUnsignedShort(start + KEY_LENGTH);
        if (in.readableBytes() < prefix) {
            return Step.NEED_INPUT;
        }
        if (!mayRun) {
            return Step.YIELD;
        }
        boolean verbose = node.settings().verbose > 1;
        int mark = out.writerIndex();
        if (verbose) {
            VerboseLog.binaryRequest(fd, in, start);
        }
        running = true;
        Step step;
        try {
            step = execute(in, start, out);
        } finally {
            running = false;
        }
        if (verbose) {
            VerboseLog.binaryResponses(fd, out, mark);
        }
        in.readerIndex(start + prefix);
        if (pendingKind == 0 && (step == Step.COMMAND || step == Step.CLOSE_AFTER_WRITE)) {
            marks.emptyReply(out);
            if (cmd == BinaryHeader.NOOP) {
                marks.transmit(); // memcached: "NOOP forces pipeline flush"
            }
        }
        return step;
    }

    /** Copies as much of the pending value as has arrived; stores it once complete. */
    private Step readData(ByteBuf in, ByteBuf out) {
        int avail = (int) Math.min(in.readableBytes(), dataRemaining);
        long from = in.memoryAddress() + in.readerIndex();
        if (pendingKind == PENDING_VALUE) {
            store.writeValue(pendingItem, dataOffset, from, avail);
        } else {
            NativeMemory.copyToArray(from, saslData, (int) dataOffset, avail);
        }
        dataOffset += avail;
        in.skipBytes(avail);
        dataRemaining -= avail;
        if (dataRemaining == 0) {
            int mark = out.writerIndex();
            completeData(out);
            marks.emptyReply(out);
            if (node.settings().verbose > 1) {
                VerboseLog.binaryResponses(fd, out, mark);
            }
        }
        return Step.PROGRESS;
    }

    @Override
    public boolean takeMutated() {
        return ops.takeMutated();
    }

    @Override
    public String state() {
        if (running) {
            return "conn_parse_cmd";
        }
        if (pendingKind != 0) {
            return "conn_nread";
        }
        return swallowLength > 0 ? "conn_swallow" : started ? "conn_read" : "conn_new_cmd";
    }

    @Override
    public void outputFlushed() {
    }

    @Override
    public void endOfInput(ByteBuf out) {
        abandon();
        swallowLength = 0;
    }

    @Override
    public void abandon() {
        if (pendingKind == PENDING_VALUE && pendingItem != 0) {
            ops.discard(pendingItem);
        }
        pendingItem = 0;
        pendingKind = 0;
        ops.done();
    }

    @Override
    public Metadump takeStream() {
        return null;
    }

    /**
     * Runs the request whose header, extras and key are in {@code in} at {@code start}; a value that follows
     * is read or swallowed by the next steps.
     */
    private Step execute(ByteBuf in, int start, ByteBuf out) {
        responseCas = 0;
        opcode = in.getUnsignedByte(start + OPCODE);
        cmd = opcode;
        noreply = false;
        opaque = in.getInt(start + OPAQUE);
        int keylen = in.getUnsignedShort(start + KEY_LENGTH);
        int extlen = in.getUnsignedByte(start + EXTRAS_LENGTH);
        long bodylen = in.getUnsignedInt(start + BODY_LENGTH);
        long casIn = in.getLong(start + BinaryHeader.CAS);
        int ext = start + SIZE;
        long key = in.memoryAddress() + ext + extlen;

        if (keylen > bodylen || keylen + extlen > bodylen) {
            error(out, UNKNOWN_COMMAND, null);
            return Step.CLOSE_AFTER_WRITE;
        }
        if (sasl != null && !authenticated && opcode != SASL_LIST_MECHS && opcode != SASL_AUTH
                && opcode != SASL_STEP && opcode != BinaryHeader.VERSION) {
            error(out, AUTH_ERROR, null);
            return Step.CLOSE_AFTER_WRITE;
        }
        cmd = loud(opcode);
        noreply = cmd != opcode;
        if (keylen > ItemKey.MAX_LENGTH) {
            return protocolError(out);
        }
        long vlen = bodylen - keylen - extlen;
        switch (cmd) {
            case BinaryHeader.VERSION:
                if (extlen != 0 || keylen != 0 || bodylen != 0) {
                    return protocolError(out);
                }
                respond(out, VERSION_BODY);
                return Step.COMMAND;
            case FLUSH:
                if (keylen != 0 || bodylen != extlen || (extlen != 0 && extlen != 4)) {
                    return protocolError(out);
                }
                flush(out, extlen == 4 ? in.getInt(ext) : 0);
                return Step.COMMAND;
            case NOOP:
                if (extlen != 0 || keylen != 0 || bodylen != 0) {
                    return protocolError(out);
                }
                respond(out, null);
                return Step.COMMAND;
            case SET:
            case ADD:
            case REPLACE:
                if (extlen != STORE_EXTRAS || keylen == 0 || bodylen < keylen + 8L) {
                    return protocolError(out);
                }
                return update(out, key, keylen, in.getInt(ext), in.getInt(ext + 4), vlen, casIn);
            case GET:
            case GETK:
                if (extlen != 0 || bodylen != keylen || keylen == 0) {
                    return protocolError(out);
                }
                getOrTouch(out, key, keylen, 0);
                return Step.COMMAND;
            case DELETE:
                if (keylen == 0 || extlen != 0 || bodylen != keylen) {
                    return protocolError(out);
                }
                delete(out, key, keylen, casIn);
                return Step.COMMAND;
            case INCREMENT:
            case DECREMENT:
                if (keylen == 0 || extlen != ARITHMETIC_EXTRAS || bodylen != keylen + extlen) {
                    return protocolError(out);
                }
                arithmetic(out, key, keylen, in.getLong(ext), in.getLong(ext + 8), in.getInt(ext + 16), casIn);
                return Step.COMMAND;
            case APPEND:
            case PREPEND:
                if (keylen == 0 || extlen != 0) {
                    return protocolError(out);
                }
                return appendPrepend(out, key, keylen, vlen, casIn);
            case STAT:
                if (extlen != 0) {
                    return protocolError(out);
                }
                stat(out, in.toString(ext, keylen, StandardCharsets.ISO_8859_1));
                return Step.COMMAND;
            case QUIT:
                if (keylen != 0 || extlen != 0 || bodylen != 0) {
                    return protocolError(out);
                }
                respond(out, null);
                return Step.CLOSE_AFTER_WRITE;
            case SASL_LIST_MECHS:
                if (extlen != 0 || keylen != 0 || bodylen != 0) {
                    return protocolError(out);
                }
                if (sasl == null) {
                    return errorSwallowing(out, UNKNOWN_COMMAND, null, bodylen - keylen);
                }
                authenticated = false; // memcached's init_sasl_conn: any SASL command starts over
                respond(out, MECHANISMS);
                return Step.COMMAND;
            case SASL_AUTH:
            case SASL_STEP:
                if (extlen != 0 || keylen == 0) {
                    return protocolError(out);
                }
                return saslAuth(out, in, ext, keylen, vlen);
            case TOUCH:
            case GAT:
            case GATK:
                if (extlen != EXPTIME_EXTRAS || keylen == 0) {
                    return protocolError(out);
                }
                getOrTouch(out, key, keylen, in.getInt(ext));
                return Step.COMMAND;
            default:
                // memcached swallows the whole body length here, though the key and extras are already read
                return errorSwallowing(out, UNKNOWN_COMMAND, null, bodylen);
        }
    }

    // ---------------------------------------------------------------- responses

    private void header(ByteBuf out, int status, int extlen, int keylen, int bodylen, long cas) {
        out.ensureWritable(SIZE + bodylen);
        int w = out.writerIndex();
        out.setByte(w + MAGIC, RESPONSE_MAGIC);
        out.setByte(w + OPCODE, opcode);
        out.setShort(w + KEY_LENGTH, keylen);
        out.setByte(w + EXTRAS_LENGTH, extlen);
        out.setByte(w + DATA_TYPE, RAW_BYTES);
        out.setShort(w + STATUS, status);
        out.setInt(w + BODY_LENGTH, bodylen);
        out.setInt(w + OPAQUE, opaque);
        out.setLong(w + BinaryHeader.CAS, cas);
        out.writerIndex(w + SIZE);
    }

    /** memcached's {@code write_bin_response}: a success, unless the opcode is quiet. */
    private void respond(ByteBuf out, byte[] body) {
        if (noreply && cmd != GET && cmd != GETK) {
            return;
        }
        int len = body == null ? 0 : body.length;
        header(out, SUCCESS, 0, 0, len, responseCas);
        if (len > 0) {
            ReplyBytes.put(out, body);
        }
    }

    /** memcached's {@code write_bin_error}: errors are sent even for quiet opcodes. */
    private void error(ByteBuf out, int status, byte[] text) {
        byte[] body = text != null ? text : errorText(status);
        header(out, status, 0, 0, body.length, responseCas);
        ReplyBytes.put(out, body);
    }

    private Step errorSwallowing(ByteBuf out, int status, byte[] text, long swallow) {
        error(out, status, text);
        if (swallow > 0) {
            swallowLength = swallow;
        }
        return Step.COMMAND;
    }

    /** memcached's {@code handle_binary_protocol_error}: EINVAL, then close. */
    private Step protocolError(ByteBuf out) {
        error(out, EINVAL, null);
        if (node.settings().verbose > 0) {
            System.err.printf("Protocol error (opcode %02x), close connection%n", opcode);
        }
        return Step.CLOSE_AFTER_WRITE;
    }

    /** A binary exptime is unsigned: one past 2^31 means a far future, not the past. */
    private int realtime(int exptime) {
        return store.clock().realtime(exptime < 0 ? Integer.MAX_VALUE : exptime);
    }

    // ---------------------------------------------------------------- retrieval

    /** GET, GETK, TOUCH, GAT, GATK and their quiet forms; {@code exptime} only for the touching ones. */
    private void getOrTouch(ByteBuf out, long key, int nkey, int exptime) {
        boolean touch = cmd == TOUCH || cmd == GAT || cmd == GATK;
        boolean returnKey = cmd == GETK || cmd == GATK;
        boolean returnValue = cmd != TOUCH;
        long it = ops.lookup(key, nkey);
        try {
            if (it > 0) {
                if (touch) {
                    ops.retime(it, realtime(exptime));
                }
                int nbytes = returnValue ? Item.nbytes(it) : 0;
                int keyBytes = returnKey ? nkey : 0;
                header(out, SUCCESS, 4, keyBytes, 4 + keyBytes + nbytes, Item.cas(it));
                out.writeInt(Item.clientFlags(it));
                if (returnKey) {
                    ReplyBytes.copy(out, Item.key(it), nkey);
                }
                long off = 0;
                while (off < nbytes) {
                    long run = store.contiguousFrom(it, off);
                    ReplyBytes.copy(out, store.valueAddress(it, off), (int) run);
                    off += run;
                }
            }
        } finally {
            ops.endFetch(it, (touch ? ItemOps.TOUCH : ItemOps.GET) | ItemOps.DETAIL);
        }
        if (it <= 0 && !noreply) {
            if (returnKey) {
                header(out, KEY_ENOENT, 0, nkey, nkey, 0);
                ReplyBytes.copy(out, key, nkey);
            } else {
                error(out, KEY_ENOENT, null);
            }
        }
    }

    // ---------------------------------------------------------------- storage

    private Step update(ByteBuf out, long key, int nkey, int flags, int exptime, long vlen, long casIn) {
        int how = ItemOps.DETAIL | (cmd == SET ? ItemOps.UNLINK_ON_FAILURE : 0);
        long it = ops.allocate(key, nkey, flags, realtime(exptime), vlen, how);
        if (it == 0) {
            return allocationFailed(out, vlen);
        }
        int comm = casIn != 0 ? ItemStore.CAS : cmd == SET ? ItemStore.SET : cmd == ADD ? ItemStore.ADD : ItemStore.REPLACE;
        return expectValue(out, it, comm, casIn, vlen);
    }

    private Step appendPrepend(ByteBuf out, long key, int nkey, long vlen, long casIn) {
        long it = ops.allocate(key, nkey, 0, 0, vlen, ItemOps.DETAIL);
        if (it == 0) {
            return allocationFailed(out, vlen);
        }
        return expectValue(out, it, cmd == APPEND ? ItemStore.APPEND : ItemStore.PREPEND, casIn, vlen);
    }

    private Step allocationFailed(ByteBuf out, long vlen) {
        if (ops.refusal() == ItemStore.TOO_LARGE) {
            error(out, E2BIG, null);
        } else {
            error(out, ENOMEM, NO_MEMORY_ITEM);
        }
        swallowLength = vlen;
        return Step.COMMAND;
    }

    private Step expectValue(ByteBuf out, long it, int comm, long casIn, long vlen) {
        pendingKind = PENDING_VALUE;
        pendingItem = it;
        pendingComm = comm;
        pendingCas = casIn;
        dataRemaining = vlen;
        dataOffset = 0;
        if (vlen == 0) {
            completeData(out);
        }
        return Step.COMMAND;
    }

    /** The pending value has arrived: stores it (or checks the SASL message) and writes the response. */
    private void completeData(ByteBuf out) {
        responseCas = 0;
        int kind = pendingKind;
        pendingKind = 0;
        if (kind == PENDING_SASL) {
            completeSasl(out);
            return;
        }
        long it = pendingItem;
        pendingItem = 0;
        int comm = pendingComm;
        int ret = ops.store(it, comm, pendingCas, true);
        try {
            if (ret == ItemStore.STORED) {
                responseCas = Item.cas(ops.current());
            }
        } finally {
            ops.done();
        }
        switch (ret) {
            case ItemStore.STORED -> respond(out, null);
            case ItemStore.EXISTS -> error(out, KEY_EEXISTS, null);
            case ItemStore.NOT_FOUND -> error(out, KEY_ENOENT, null);
            default -> error(out, comm == ItemStore.ADD ? KEY_EEXISTS : comm == ItemStore.REPLACE ? KEY_ENOENT : NOT_STORED,
                    null);
        }
    }

    // ---------------------------------------------------------------- the rest

    private void delete(ByteBuf out, long key, int nkey, long casIn) {
        int rc = ops.delete(key, nkey, casIn, 0, ItemOps.DETAIL | (casIn != 0 ? ItemOps.CHECK_CAS : 0));
        switch (rc) {
            case ItemOps.DELETED -> respond(out, null);
            case ItemOps.DELETE_EXISTS -> error(out, KEY_EEXISTS, null);
            default -> error(out, KEY_ENOENT, null);
        }
    }

    private void arithmetic(ByteBuf out, long key, int nkey, long delta, long initial, int exptime, long casIn) {
        boolean create = exptime != NO_CREATE;
        int rc;
        long value;
        try {
            rc = ops.arithmetic(key, nkey, cmd == INCREMENT, delta, casIn, create, initial, create ? realtime(exptime) : 0);
            value = ops.digitsValue();
            if (rc == ItemStore.DELTA_OK || rc == ItemOps.DELTA_CREATED) {
                responseCas = Item.cas(ops.current());
            }
        } finally {
            ops.done();
        }
        switch (rc) {
            case ItemStore.DELTA_OK, ItemOps.DELTA_CREATED -> respondNumber(out, value);
            case ItemStore.DELTA_NON_NUMERIC -> error(out, DELTA_BADVAL, null);
            case ItemStore.DELTA_EOM -> error(out, ENOMEM, NO_MEMORY_INCR);
            case ItemStore.DELTA_CAS_MISMATCH -> error(out, KEY_EEXISTS, null);
            case ItemOps.DELTA_CREATE_NO_MEMORY -> error(out, ENOMEM, NO_MEMORY_NEW_ITEM);
            case ItemOps.DELTA_CREATE_NOT_STORED -> error(out, NOT_STORED, null);
            default -> error(out, KEY_ENOENT, null);
        }
    }

    private void respondNumber(ByteBuf out, long value) {
        if (noreply) {
            return;
        }
        header(out, SUCCESS, 0, 0, 8, responseCas);
        out.writeLong(value);
    }

    private void flush(ByteBuf out, int exptime) {
        if (!ops.flushEnabled()) {
            error(out, AUTH_ERROR, null);
            return;
        }
        ops.flushAll(exptime < 0 ? Integer.MAX_VALUE : exptime);
        respond(out, null);
    }

    // ---------------------------------------------------------------- stats

    /** One STAT packet: the name as key, the value as body. */
    private void statPacket(ByteBuf out, byte[] b, int nameStart, int nameLength, int valueStart, int valueLength) {
        header(out, SUCCESS, 0, nameLength, nameLength + valueLength, 0);
        out.writeBytes(b, nameStart, nameLength);
        out.writeBytes(b, valueStart, valueLength);
    }

    /** The text group's {@code STAT name value} lines as packets. */
    private void statLines(ByteBuf out, ByteBuf text) {
        byte[] b = new byte[text.readableBytes()];
        text.readBytes(b);
        text.release();
        int p = 0;
        while (p < b.length) {
            int eol = p;
            while (eol < b.length && b[eol] != '\r') {
                eol++;
            }
            if (eol - p > 5 && b[p] == 'S' && b[p + 1] == 'T' && b[p + 2] == 'A' && b[p + 3] == 'T' && b[p + 4] == ' ') {
                int name = p + 5;
                int sp = name;
                while (sp < eol && b[sp] != ' ') {
                    sp++;
                }
                int value = Math.min(sp + 1, eol);
                statPacket(out, b, name, sp - name, value, eol - value);
            }
            p = eol + 2;
        }
    }

    private void stat(ByteBuf out, String sub) {
        ByteBuf text = Unpooled.buffer(4096);
        if (sub.isEmpty()) {
            statsWriter.general(text);
        } else if (sub.startsWith("reset")) {
            node.threadStats().forEach(ThreadStats::reset);
            node.store().stats().reset();
            node.connectionStats().reset();
            node.prefixStats().clear();
        } else if (sub.startsWith("settings")) {
            statsWriter.settings(text);
        } else if (sub.startsWith("detail")) {
            String mode = sub.substring(6);
            if (mode.startsWith(" dump")) {
                byte[] name = ascii("detailed");
                byte[] dump = node.prefixStats().dump().getBytes(StandardCharsets.ISO_8859_1);
                header(out, SUCCESS, 0, name.length, name.length + dump.length, 0);
                out.writeBytes(name);
                out.writeBytes(dump);
            } else if (mode.startsWith(" on")) {
                node.settings().detailEnabled = true;
            } else if (mode.startsWith(" off")) {
                node.settings().detailEnabled = false;
            } else {
                text.release();
                error(out, KEY_ENOENT, null);
                return;
            }
        } else if (sub.equals("sizes_enable") || sub.equals("sizes_disable")) {
            // memcached answers these with one packet and no terminator
            boolean enable = sub.equals("sizes_enable");
            node.settings().trackSizes = enable;
            text.release();
            byte[] name = ascii("sizes_status");
            byte[] value = ascii(enable ? "enabled" : "disabled");
            header(out, SUCCESS, 0, name.length, name.length + value.length, 0);
            out.writeBytes(name);
            out.writeBytes(value);
            return;
        } else {
            switch (sub) {
                case "items" -> statsWriter.items(text);
                case "slabs" -> statsWriter.slabs(text);
                case "sizes" -> statsWriter.sizes(text);
                // memfleet's groups; memcached 1.6.18 has no binary "stats conns" (it answers Not found)
                case "conns" -> statsWriter.conns(text);
                case "memfleet" -> statsWriter.memfleet(text);
                case "replication" -> statsWriter.replication(text);
                case "digest" -> statsWriter.digest(text);
                case "hotkeys" -> statsWriter.hotKeys(text);
                default -> {
                    text.release();
                    error(out, KEY_ENOENT, null);
                    return;
                }
            }
        }
        statLines(out, text);
        header(out, SUCCESS, 0, 0, 0, 0);
    }

    // ---------------------------------------------------------------- SASL

    private Step saslAuth(ByteBuf out, ByteBuf in, int ext, int keylen, long vlen) {
        if (sasl == null) {
            return errorSwallowing(out, UNKNOWN_COMMAND, null, vlen);
        }
        if (keylen > MAX_SASL_MECH_LEN) {
            return errorSwallowing(out, EINVAL, null, vlen);
        }
        if (vlen > MAX_SASL_DATA) {
            return errorSwallowing(out, ENOMEM, null, vlen);
        }
        in.getBytes(ext, saslMech, 0, keylen);
        saslMechLength = keylen;
        saslData = new byte[(int) vlen];
        pendingKind = PENDING_SASL;
        dataRemaining = vlen;
        dataOffset = 0;
        if (vlen == 0) {
            completeData(out);
        }
        return Step.COMMAND;
    }

    /**
     * Cyrus SASL's answers for PLAIN: AUTH with the credentials checks them; AUTH without data asks for
     * them (AUTH_CONTINUE) and the STEP that follows checks them; any other STEP, and any other mechanism,
     * fails. A failure says only "Auth failure." whatever the reason, and leaves the connection
     * unauthenticated even if it was before (memcached resets the flag at every SASL command).
     */
    private void completeSasl(ByteBuf out) {
        authenticated = false; // memcached's init_sasl_conn: only a success authenticates again
        byte[] data = saslData;
        saslData = null;
        boolean plain = saslMechLength == MECHANISMS.length
                && new String(saslMech, 0, saslMechLength, StandardCharsets.ISO_8859_1).equalsIgnoreCase(SaslPlain.MECHANISM);
        int outcome; // 0 ok, 1 continue, -1 failed
        if (cmd == SASL_AUTH) {
            if (!plain) {
                outcome = -1;
            } else if (data.length == 0) {
                outcome = 1;
            } else {
                outcome = sasl.accepts(SaslPlain.parse(data, 0, data.length)) ? 0 : -1;
            }
            saslStarted = outcome >= 0;
            saslAwaitingStep = outcome == 1;
        } else if (saslStarted && saslAwaitingStep) {
            outcome = sasl.accepts(SaslPlain.parse(data, 0, data.length)) ? 0 : -1;
            saslAwaitingStep = false;
        } else {
            outcome = -1;
        }
        if (node.settings().verbose > 0) {
            System.err.println("sasl result code:  " + (outcome == 0 ? 0 : outcome == 1 ? 1 : -13));
        }
        switch (outcome) {
            case 0 -> {
                authenticated = true;
                stats.authCmds++;
                respond(out, AUTHENTICATED);
            }
            case 1 -> header(out, AUTH_CONTINUE, 0, 0, 0, 0);
            default -> {
                stats.authCmds++;
                stats.authErrors++;
                error(out, AUTH_ERROR, null);
            }
        }
    }
}
