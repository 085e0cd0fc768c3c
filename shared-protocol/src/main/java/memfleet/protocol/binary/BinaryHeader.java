package memfleet.protocol.binary;

import java.nio.charset.StandardCharsets;

/**
 * The binary protocol's packet header (memcached's {@code protocol_binary.h}): 24 bytes, big-endian, then
 * extras, key and value. Requests start with {@link #REQUEST_MAGIC}, responses with {@link #RESPONSE_MAGIC};
 * a response echoes the request's opcode and opaque.
 *
 * <pre>
 *  0 magic  1 opcode  2-3 key length  4 extras length  5 data type  6-7 vbucket (request) / status (response)
 *  8-11 total body length (extras + key + value)  12-15 opaque  16-23 CAS
 * </pre>
 */
public final class BinaryHeader {
    private BinaryHeader() {}

    public static final int SIZE = 24;
    public static final byte REQUEST_MAGIC = (byte) 0x80;
    public static final byte RESPONSE_MAGIC = (byte) 0x81;
    public static final byte RAW_BYTES = 0;

    // field offsets
    public static final int MAGIC = 0;
    public static final int OPCODE = 1;
    public static final int KEY_LENGTH = 2;
    public static final int EXTRAS_LENGTH = 4;
    public static final int DATA_TYPE = 5;
    public static final int STATUS = 6;
    public static final int BODY_LENGTH = 8;
    public static final int OPAQUE = 12;
    public static final int CAS = 16;

    // opcodes
    public static final int GET = 0x00;
    public static final int SET = 0x01;
    public static final int ADD = 0x02;
    public static final int REPLACE = 0x03;
    public static final int DELETE = 0x04;
    public static final int INCREMENT = 0x05;
    public static final int DECREMENT = 0x06;
    public static final int QUIT = 0x07;
    public static final int FLUSH = 0x08;
    public static final int GETQ = 0x09;
    public static final int NOOP = 0x0a;
    public static final int VERSION = 0x0b;
    public static final int GETK = 0x0c;
    public static final int GETKQ = 0x0d;
    public static final int APPEND = 0x0e;
    public static final int PREPEND = 0x0f;
    public static final int STAT = 0x10;
    public static final int SETQ = 0x11;
    public static final int ADDQ = 0x12;
    public static final int REPLACEQ = 0x13;
    public static final int DELETEQ = 0x14;
    public static final int INCREMENTQ = 0x15;
    public static final int DECREMENTQ = 0x16;
    public static final int QUITQ = 0x17;
    public static final int FLUSHQ = 0x18;
    public static final int APPENDQ = 0x19;
    public static final int PREPENDQ = 0x1a;
    /** Defined by the protocol; memcached 1.6.18 answers it with {@link #UNKNOWN_COMMAND}. */
    public static final int VERBOSITY = 0x1b;
    public static final int TOUCH = 0x1c;
    public static final int GAT = 0x1d;
    public static final int GATQ = 0x1e;
    public static final int SASL_LIST_MECHS = 0x20;
    public static final int SASL_AUTH = 0x21;
    public static final int SASL_STEP = 0x22;
    public static final int GATK = 0x23;
    public static final int GATKQ = 0x24;

    // statuses
    public static final int SUCCESS = 0x00;
    public static final int KEY_ENOENT = 0x01;
    public static final int KEY_EEXISTS = 0x02;
    public static final int E2BIG = 0x03;
    public static final int EINVAL = 0x04;
    public static final int NOT_STORED = 0x05;
    public static final int DELTA_BADVAL = 0x06;
    public static final int AUTH_ERROR = 0x20;
    public static final int AUTH_CONTINUE = 0x21;
    public static final int UNKNOWN_COMMAND = 0x81;
    public static final int ENOMEM = 0x82;

    /** Extras of SET/ADD/REPLACE: flags, exptime. */
    public static final int STORE_EXTRAS = 8;
    /** Extras of INCREMENT/DECREMENT: delta, initial value, exptime. */
    public static final int ARITHMETIC_EXTRAS = 20;
    /** Extras of TOUCH/GAT(K)(Q) and FLUSH: exptime. */
    public static final int EXPTIME_EXTRAS = 4;
    /** INCREMENT/DECREMENT with this exptime do not create a missing key. */
    public static final int NO_CREATE = 0xffff_ffff;

    /** The quiet opcode's loud twin ({@code GETQ -> GET}); any other opcode maps to itself. */
    public static int loud(int opcode) {
        return switch (opcode) {
            case GETQ -> GET;
            case GETKQ -> GETK;
            case SETQ -> SET;
            case ADDQ -> ADD;
            case REPLACEQ -> REPLACE;
            case DELETEQ -> DELETE;
            case INCREMENTQ -> INCREMENT;
            case DECREMENTQ -> DECREMENT;
            case QUITQ -> QUIT;
            case FLUSHQ -> FLUSH;
            case APPENDQ -> APPEND;
            case PREPENDQ -> PREPEND;
            case GATQ -> GAT;
            case GATKQ -> GATK;
            default -> opcode;
        };
    }

    /** Whether {@code opcode} is a quiet variant. */
    public static boolean quiet(int opcode) {
        return loud(opcode) != opcode;
    }

    private static final byte[] NOT_FOUND_TEXT = ascii("Not found");
    private static final byte[] EXISTS_TEXT = ascii("Data exists for key.");
    private static final byte[] TOO_LARGE_TEXT = ascii("Too large.");
    private static final byte[] INVALID_TEXT = ascii("Invalid arguments");
    private static final byte[] NOT_STORED_TEXT = ascii("Not stored.");
    private static final byte[] NON_NUMERIC_TEXT = ascii("Non-numeric server-side value for incr or decr");
    private static final byte[] AUTH_TEXT = ascii("Auth failure.");
    private static final byte[] UNKNOWN_TEXT = ascii("Unknown command");
    private static final byte[] NO_MEMORY_TEXT = ascii("Out of memory");

    /** memcached's {@code write_bin_error} body for {@code status} when it gives no text of its own. */
    public static byte[] errorText(int status) {
        return switch (status) {
            case KEY_ENOENT -> NOT_FOUND_TEXT;
            case KEY_EEXISTS -> EXISTS_TEXT;
            case E2BIG -> TOO_LARGE_TEXT;
            case EINVAL -> INVALID_TEXT;
            case NOT_STORED -> NOT_STORED_TEXT;
            case DELTA_BADVAL -> NON_NUMERIC_TEXT;
            case AUTH_ERROR -> AUTH_TEXT;
            case UNKNOWN_COMMAND -> UNKNOWN_TEXT;
            case ENOMEM -> NO_MEMORY_TEXT;
            default -> throw new IllegalArgumentException("no error text for status " + status);
        };
    }

    /** Writes a header into {@code b} at {@code off} (for clients and tests; the node writes its own buffer). */
    public static void write(byte[] b, int off, byte magic, int opcode, int keyLength, int extrasLength,
            int statusOrVbucket, int bodyLength, int opaque, long cas) {
        b[off + MAGIC] = magic;
        b[off + OPCODE] = (byte) opcode;
        putShort(b, off + KEY_LENGTH, keyLength);
        b[off + EXTRAS_LENGTH] = (byte) extrasLength;
        b[off + DATA_TYPE] = RAW_BYTES;
        putShort(b, off + STATUS, statusOrVbucket);
        putInt(b, off + BODY_LENGTH, bodyLength);
        putInt(b, off + OPAQUE, opaque);
        putLong(b, off + CAS, cas);
    }

    public static int getShort(byte[] b, int off) {
        return (b[off] & 0xff) << 8 | (b[off + 1] & 0xff);
    }

    public static int getInt(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    public static long getLong(byte[] b, int off) {
        return (getInt(b, off) & 0xffff_ffffL) << 32 | (getInt(b, off + 4) & 0xffff_ffffL);
    }

    public static void putShort(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    public static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    public static void putLong(byte[] b, int off, long v) {
        putInt(b, off, (int) (v >>> 32));
        putInt(b, off + 4, (int) v);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
