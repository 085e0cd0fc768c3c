package memfleet.node.command;

import static memfleet.protocol.binary.BinaryHeader.*;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import memfleet.node.Node;
import memfleet.node.sasl.SaslPasswordFile;
import memfleet.node.stats.StatsWriter;
import memfleet.node.stats.ThreadStats;
import memfleet.node.store.Item;
import memfleet.node.store.ItemStore;
import memfleet.node.store.NativeMemory;
import memfleet.protocol.binary.BinaryHeader;
import memfleet.protocol.binary.SaslPlain;

/**
 * Runs memcached's binary protocol for one connection, as {@code proto_bin.c} does: checks a request's
 * lengths, works on the store under the key's stripe lock and writes the response packet straight into the
 * output buffer. Quiet opcodes answer only errors (and GETQ/GATQ hits), so a NOOP after them brings back
 * exactly the misses' silence. Storage commands allocate their item here and ask the connection to stream
 * the value into it ({@link #READ_DATA}); {@link #completeData} stores it. Nothing is allocated per
 * request except for STAT and SASL.
 */
public final class BinaryCommands {
    /** What the connection does after {@link #execute}. */
    public static final int CONTINUE = 0;
    public static final int READ_DATA = 1;
    public static final int SWALLOW = 2;
    public static final int CLOSE_AFTER_WRITE = 4;

    private static final int MAX_SASL_MECH_LEN = 32;
    /** A SASL message larger than this is refused with ENOMEM (memcached: larger than a slab chunk). */
    private static final int MAX_SASL_DATA = 64 * 1024;
    private static final byte[] VERSION_BODY = Node.VERSION.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AUTHENTICATED = ascii("Authenticated");
    private static final byte[] MECHANISMS = ascii(SaslPlain.MECHANISM);
    private static final byte[] NO_MEMORY_ITEM = ascii("Out of memory allocating item");
    private static final byte[] NO_MEMORY_INCR = ascii("Out of memory incrementing value");
    private static final byte[] NO_MEMORY_NEW_ITEM = ascii("Out of memory allocating new item");

    private static final int PENDING_VALUE = 1;
    private static final int PENDING_SASL = 2;

    private final Node node;
    private final ItemStore store;
    private final ThreadStats stats;
    private final SaslPasswordFile sasl;
    private final byte[] digits = new byte[24];
    private final int[] result = new int[3];
    private StatsWriter statsWriter;

    // the request being run
    private int opcode;
    private int cmd;
    private boolean noreply;
    private int opaque;
    private long responseCas;
    private boolean mutated;

    // a value (or SASL message) still arriving
    private int pendingKind;
    private long pendingItem;
    private int pendingComm;
    private long pendingCas;
    private long pendingLength;
    private long dataOffset;
    private byte[] saslData;
    private final byte[] saslMech = new byte[MAX_SASL_MECH_LEN];
    private int saslMechLength;
    private long swallowLength;

    // SASL state of the connection
    private boolean authenticated;
    private boolean saslStarted;
    private boolean saslAwaitingStep;

    public BinaryCommands(Node node, ThreadStats stats) {
        this.node = node;
        this.store = node.store();
        this.stats = stats;
        this.sasl = node.settings().sasl ? new SaslPasswordFile(java.nio.file.Path.of(node.settings().saslPasswordFile)) : null;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Bytes of the value still to arrive after the header, extras and key, for {@link #READ_DATA}. */
    public long pendingLength() {
        return pendingLength;
    }

    /** Bytes to discard, for {@link #SWALLOW}. */
    public long swallowLength() {
        return swallowLength;
    }

    /** True when the last request changed the store (for --min-acks). */
    public boolean mutated() {
        return mutated;
    }

    /** Header, extras and key length of the request at {@code start}: what must have arrived to run it. */
    public static int prefixLength(ByteBuf in, int start) {
        return SIZE + in.getUnsignedByte(start + EXTRAS_LENGTH) + in.getUnsignedShort(start + KEY_LENGTH);
    }

    /**
     * Runs the request whose header, extras and key are in {@code in} at {@code start} (a direct buffer: keys
     * are hashed in place). The caller then skips {@link #prefixLength} bytes; a value that follows is read by
     * {@link #READ_DATA} or {@link #SWALLOW}.
     */
    public int execute(ByteBuf in, int start, ByteBuf out) {
        mutated = false;
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
            return CLOSE_AFTER_WRITE;
        }
        if (sasl != null && !authenticated && opcode != SASL_LIST_MECHS && opcode != SASL_AUTH
                && opcode != SASL_STEP && opcode != BinaryHeader.VERSION) {
            error(out, AUTH_ERROR, null);
            return CLOSE_AFTER_WRITE;
        }
        cmd = loud(opcode);
        noreply = cmd != opcode;
        if (keylen > TextCommands.KEY_MAX_LENGTH) {
            return protocolError(out);
        }
        long vlen = bodylen - keylen - extlen;
        switch (cmd) {
            case BinaryHeader.VERSION:
                if (extlen != 0 || keylen != 0 || bodylen != 0) {
                    return protocolError(out);
                }
                respond(out, VERSION_BODY);
                return CONTINUE;
            case FLUSH:
                if (keylen != 0 || bodylen != extlen || (extlen != 0 && extlen != 4)) {
                    return protocolError(out);
                }
                flush(out, extlen == 4 ? in.getInt(ext) : 0);
                return CONTINUE;
            case NOOP:
                if (extlen != 0 || keylen != 0 || bodylen != 0) {
                    return protocolError(out);
                }
                respond(out, null);
                return CONTINUE;
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
                return CONTINUE;
            case DELETE:
                if (keylen == 0 || extlen != 0 || bodylen != keylen) {
                    return protocolError(out);
                }
                delete(out, key, keylen, casIn);
                return CONTINUE;
            case INCREMENT:
            case DECREMENT:
                if (keylen == 0 || extlen != ARITHMETIC_EXTRAS || bodylen != keylen + extlen) {
                    return protocolError(out);
                }
                arithmetic(out, key, keylen, in.getLong(ext), in.getLong(ext + 8), in.getInt(ext + 16), casIn);
                return CONTINUE;
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
                return CONTINUE;
            case QUIT:
                if (keylen != 0 || extlen != 0 || bodylen != 0) {
                    return protocolError(out);
                }
                respond(out, null);
                return CLOSE_AFTER_WRITE;
            case SASL_LIST_MECHS:
                if (extlen != 0 || keylen != 0 || bodylen != 0) {
                    return protocolError(out);
                }
                if (sasl == null) {
                    return errorSwallowing(out, UNKNOWN_COMMAND, null, bodylen - keylen);
                }
                authenticated = false; // memcached's init_sasl_conn: any SASL command starts over
                respond(out, MECHANISMS);
                return CONTINUE;
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
                return CONTINUE;
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

    private int errorSwallowing(ByteBuf out, int status, byte[] text, long swallow) {
        error(out, status, text);
        if (swallow > 0) {
            swallowLength = swallow;
            return SWALLOW;
        }
        return CONTINUE;
    }

    /** memcached's {@code handle_binary_protocol_error}: EINVAL, then close. */
    private int protocolError(ByteBuf out) {
        error(out, EINVAL, null);
        if (node.settings().verbose > 0) {
            System.err.printf("Protocol error (opcode %02x), close connection%n", opcode);
        }
        return CLOSE_AFTER_WRITE;
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
        int hv = store.hash(key, nkey);
        ReentrantLock lock = store.lock(hv);
        boolean hit;
        lock.lock();
        try {
            long it = store.get(hv, key, nkey);
            hit = it > 0;
            if (hit) {
                if (touch) {
                    store.touch(it, realtime(exptime));
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
            } else {
                if (it == ItemStore.MISS_EXPIRED) {
                    stats.getExpired++;
                } else if (it == ItemStore.MISS_FLUSHED) {
                    stats.getFlushed++;
                }
                if (touch) {
                    stats.touchCmds++;
                    stats.touchMisses++;
                } else {
                    stats.getCmds++;
                    stats.getMisses++;
                }
            }
        } finally {
            lock.unlock();
        }
        if (!hit && !noreply) {
            if (returnKey) {
                header(out, KEY_ENOENT, 0, nkey, nkey, 0);
                ReplyBytes.copy(out, key, nkey);
            } else {
                error(out, KEY_ENOENT, null);
            }
        }
        if (node.settings().detailEnabled) {
            node.prefixStats().recordGet(key, nkey, stats, hit);
        }
    }

    // ---------------------------------------------------------------- storage

    private int update(ByteBuf out, long key, int nkey, int flags, int exptime, long vlen, long casIn) {
        if (node.settings().detailEnabled) {
            node.prefixStats().recordSet(key, nkey);
        }
        boolean tooLarge = vlen > Integer.MAX_VALUE - 2 || store.tooLarge(nkey, flags, vlen);
        long it = tooLarge ? 0 : store.allocate(key, nkey, flags, realtime(exptime), (int) vlen);
        if (it == 0) {
            allocationFailed(out, tooLarge, vlen);
            if (cmd == SET) {
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
            return vlen > 0 ? SWALLOW : CONTINUE;
        }
        int comm = casIn != 0 ? ItemStore.CAS : cmd == SET ? ItemStore.SET : cmd == ADD ? ItemStore.ADD : ItemStore.REPLACE;
        return expectValue(out, it, comm, casIn, vlen);
    }

    private int appendPrepend(ByteBuf out, long key, int nkey, long vlen, long casIn) {
        if (node.settings().detailEnabled) {
            node.prefixStats().recordSet(key, nkey);
        }
        boolean tooLarge = vlen > Integer.MAX_VALUE - 2 || store.tooLarge(nkey, 0, vlen);
        long it = tooLarge ? 0 : store.allocate(key, nkey, 0, 0, (int) vlen);
        if (it == 0) {
            allocationFailed(out, tooLarge, vlen);
            return vlen > 0 ? SWALLOW : CONTINUE;
        }
        return expectValue(out, it, cmd == APPEND ? ItemStore.APPEND : ItemStore.PREPEND, casIn, vlen);
    }

    private void allocationFailed(ByteBuf out, boolean tooLarge, long vlen) {
        if (tooLarge) {
            stats.storeTooLarge++;
            error(out, E2BIG, null);
        } else {
            stats.storeNoMemory++;
            error(out, ENOMEM, NO_MEMORY_ITEM);
        }
        swallowLength = vlen;
    }

    private int expectValue(ByteBuf out, long it, int comm, long casIn, long vlen) {
        pendingKind = PENDING_VALUE;
        pendingItem = it;
        pendingComm = comm;
        pendingCas = casIn;
        pendingLength = vlen;
        dataOffset = 0;
        if (vlen == 0) {
            completeData(out);
            return CONTINUE;
        }
        return READ_DATA;
    }

    /** Takes the next {@code length} bytes of the pending value from native memory at {@code from}. */
    public void data(long from, int length) {
        if (pendingKind == PENDING_VALUE) {
            store.writeValue(pendingItem, dataOffset, from, length);
        } else {
            NativeMemory.copyToArray(from, saslData, (int) dataOffset, length);
        }
        dataOffset += length;
    }

    /** The pending value has arrived: stores it (or checks the SASL message) and writes the response. */
    public void completeData(ByteBuf out) {
        mutated = false;
        responseCas = 0;
        int kind = pendingKind;
        pendingKind = 0;
        if (kind == PENDING_SASL) {
            completeSasl(out);
            return;
        }
        long it = pendingItem;
        pendingItem = 0;
        int clsid = Item.clsid(it);
        stats.slab(clsid, ThreadStats.SET_CMDS);
        int comm = pendingComm;
        long key = Item.key(it);
        int nkey = Item.nkey(it);
        int hv = store.hash(key, nkey);
        int ret;
        ReentrantLock lock = store.lock(hv);
        lock.lock();
        try {
            ret = store.store(it, comm, hv, pendingCas);
            if (ret == ItemStore.STORED) {
                long stored = comm == ItemStore.APPEND || comm == ItemStore.PREPEND ? store.get(hv, key, nkey) : it;
                responseCas = stored > 0 ? Item.cas(stored) : 0;
            }
        } finally {
            lock.unlock();
        }
        if (ret != ItemStore.STORED || comm == ItemStore.APPEND || comm == ItemStore.PREPEND) {
            store.freeChunks(it);
        }
        mutated = ret == ItemStore.STORED;
        if (comm == ItemStore.CAS) {
            if (ret == ItemStore.STORED) {
                stats.slab(clsid, ThreadStats.CAS_HITS);
            } else if (ret == ItemStore.EXISTS) {
                stats.slab(clsid, ThreadStats.CAS_BADVAL);
            } else if (ret == ItemStore.NOT_FOUND) {
                stats.casMisses++;
            }
        }
        switch (ret) {
            case ItemStore.STORED -> respond(out, null);
            case ItemStore.EXISTS -> error(out, KEY_EEXISTS, null);
            case ItemStore.NOT_FOUND -> error(out, KEY_ENOENT, null);
            default -> error(out, comm == ItemStore.ADD ? KEY_EEXISTS : comm == ItemStore.REPLACE ? KEY_ENOENT : NOT_STORED,
                    null);
        }
    }

    /** The connection went away with a value half read: its item is freed. */
    public void abandon() {
        if (pendingKind == PENDING_VALUE && pendingItem != 0) {
            store.freeChunks(pendingItem);
        }
        pendingItem = 0;
        pendingKind = 0;
    }

    // ---------------------------------------------------------------- the rest

    private void delete(ByteBuf out, long key, int nkey, long casIn) {
        if (node.settings().detailEnabled) {
            node.prefixStats().recordDelete(key, nkey);
        }
        int hv = store.hash(key, nkey);
        ReentrantLock lock = store.lock(hv);
        int status;
        lock.lock();
        try {
            long it = store.get(hv, key, nkey);
            if (it > 0) {
                if (casIn == 0 || casIn == Item.cas(it)) {
                    stats.slab(Item.clsid(it), ThreadStats.DELETE_HITS);
                    store.delete(it, hv);
                    mutated = true;
                    status = SUCCESS;
                } else {
                    status = KEY_EEXISTS;
                }
            } else {
                stats.deleteMisses++;
                status = KEY_ENOENT;
            }
        } finally {
            lock.unlock();
        }
        if (status == SUCCESS) {
            respond(out, null);
        } else {
            error(out, status, null);
        }
    }

    private void arithmetic(ByteBuf out, long key, int nkey, long delta, long initial, int exptime, long casIn) {
        boolean incr = cmd == INCREMENT;
        int hv = store.hash(key, nkey);
        ReentrantLock lock = store.lock(hv);
        int rc;
        long value = 0;
        lock.lock();
        try {
            rc = store.addDelta(hv, key, nkey, incr, delta, casIn, digits, result);
            if (rc == ItemStore.DELTA_OK) {
                value = parseDigits(digits, result[0]);
                long it = store.get(hv, key, nkey);
                responseCas = it > 0 ? Item.cas(it) : 0;
            }
        } finally {
            lock.unlock();
        }
        switch (rc) {
            case ItemStore.DELTA_OK -> {
                mutated = true;
                stats.slab(result[2], incr ? ThreadStats.INCR_HITS : ThreadStats.DECR_HITS);
                respondNumber(out, value);
            }
            case ItemStore.DELTA_NON_NUMERIC -> error(out, DELTA_BADVAL, null);
            case ItemStore.DELTA_EOM -> error(out, ENOMEM, NO_MEMORY_INCR);
            case ItemStore.DELTA_CAS_MISMATCH -> error(out, KEY_EEXISTS, null);
            default -> {
                if (exptime != NO_CREATE) {
                    create(out, key, nkey, hv, initial, exptime);
                } else {
                    if (incr) {
                        stats.incrMisses++;
                    } else {
                        stats.decrMisses++;
                    }
                    error(out, KEY_ENOENT, null);
                }
            }
        }
    }

    /** A missing counter is created holding {@code initial} (no delta applied), as memcached does. */
    private void create(ByteBuf out, long key, int nkey, int hv, long initial, int exptime) {
        int len = ReplyBytes.digits(initial, digits);
        long it = store.allocate(key, nkey, 0, realtime(exptime), len);
        if (it == 0) {
            error(out, ENOMEM, NO_MEMORY_NEW_ITEM);
            return;
        }
        NativeMemory.copyFromArray(digits, 0, store.valueAddress(it, 0), len);
        ReentrantLock lock = store.lock(hv);
        int ret;
        lock.lock();
        try {
            ret = store.store(it, ItemStore.ADD, hv, 0);
            if (ret == ItemStore.STORED) {
                responseCas = Item.cas(it);
            }
        } finally {
            lock.unlock();
        }
        if (ret == ItemStore.STORED) {
            mutated = true;
            respondNumber(out, initial);
        } else {
            store.freeChunks(it);
            error(out, NOT_STORED, null);
        }
    }

    private void respondNumber(ByteBuf out, long value) {
        if (noreply) {
            return;
        }
        header(out, SUCCESS, 0, 0, 8, responseCas);
        out.writeLong(value);
    }

    private static long parseDigits(byte[] d, int len) {
        long v = 0;
        for (int i = 0; i < len; i++) {
            v = v * 10 + (d[i] - '0');
        }
        return v;
    }

    private void flush(ByteBuf out, int exptime) {
        if (!node.settings().flushEnabled) {
            error(out, AUTH_ERROR, null);
            return;
        }
        store.flushAll(exptime < 0 ? Integer.MAX_VALUE : exptime);
        mutated = true;
        stats.flushCmds++;
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
        if (statsWriter == null) {
            statsWriter = new StatsWriter(node);
        }
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

    private int saslAuth(ByteBuf out, ByteBuf in, int ext, int keylen, long vlen) {
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
        pendingLength = vlen;
        dataOffset = 0;
        if (vlen == 0) {
            completeData(out);
            return CONTINUE;
        }
        return READ_DATA;
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
