package memfleet.node.store;

/**
 * The layout of an item in its slab chunk, as static accessors on the chunk's native address. 40 bytes
 * of header (memcached's is 56 with CAS) followed by the key and the value without its CRLF:
 *
 * <pre>
 *  0 int  hash chain next (ref)     16 int  exptime (relative)   29 byte slab class id
 *  4 int  LRU prev (ref)            20 int  client flags         30 byte item flags
 *  8 int  LRU next (ref)            24 int  value length         31 byte LRU segment
 * 12 int  last access (relative)    28 byte key length           32 long CAS unique
 * 40 key, then value
 * </pre>
 *
 * An item larger than the largest chunk is chunked: the head holds the header, key, a 4-byte ref to the
 * first continuation chunk and the first part of the value; each continuation chunk holds a next ref,
 * the ref of its head and more value from byte {@link #CONT_DATA}. Refs are 32-bit offsets into the slab
 * region scaled by the chunk alignment, so links cost 4 bytes instead of 8.
 */
public final class Item {
    private Item() {}

    public static final int HNEXT = 0;
    public static final int PREV = 4;
    public static final int NEXT = 8;
    public static final int TIME = 12;
    public static final int EXPTIME = 16;
    public static final int CLIENT_FLAGS = 20;
    public static final int NBYTES = 24;
    public static final int NKEY = 28;
    public static final int CLSID = 29;
    public static final int IFLAGS = 30;
    public static final int LRU = 31;
    public static final int CAS = 32;
    public static final int KEY = 40;
    public static final int HEADER = KEY;

    /** Continuation chunk: next ref at 0, head ref at 4, flags at {@link #IFLAGS}, value from here. */
    public static final int CONT_HEAD = 4;
    public static final int CONT_DATA = 32;

    public static final byte LINKED = 1;
    public static final byte CHUNKED = 2;
    public static final byte SLABBED = 4;
    public static final byte FETCHED = 8;
    public static final byte ACTIVE = 16;
    public static final byte CONTINUATION = 32;

    public static int hnext(long it) {
        return NativeMemory.getInt(it + HNEXT);
    }

    public static void hnext(long it, int ref) {
        NativeMemory.putInt(it + HNEXT, ref);
    }

    public static int prev(long it) {
        return NativeMemory.getInt(it + PREV);
    }

    public static void prev(long it, int ref) {
        NativeMemory.putInt(it + PREV, ref);
    }

    public static int next(long it) {
        return NativeMemory.getInt(it + NEXT);
    }

    public static void next(long it, int ref) {
        NativeMemory.putInt(it + NEXT, ref);
    }

    public static int time(long it) {
        return NativeMemory.getInt(it + TIME);
    }

    public static void time(long it, int t) {
        NativeMemory.putInt(it + TIME, t);
    }

    public static int exptime(long it) {
        return NativeMemory.getInt(it + EXPTIME);
    }

    public static void exptime(long it, int t) {
        NativeMemory.putInt(it + EXPTIME, t);
    }

    public static int clientFlags(long it) {
        return NativeMemory.getInt(it + CLIENT_FLAGS);
    }

    public static void clientFlags(long it, int flags) {
        NativeMemory.putInt(it + CLIENT_FLAGS, flags);
    }

    public static int nbytes(long it) {
        return NativeMemory.getInt(it + NBYTES);
    }

    public static void nbytes(long it, int n) {
        NativeMemory.putInt(it + NBYTES, n);
    }

    public static int nkey(long it) {
        return NativeMemory.getByte(it + NKEY) & 0xff;
    }

    public static void nkey(long it, int n) {
        NativeMemory.putByte(it + NKEY, (byte) n);
    }

    public static int clsid(long it) {
        return NativeMemory.getByte(it + CLSID) & 0xff;
    }

    public static void clsid(long it, int id) {
        NativeMemory.putByte(it + CLSID, (byte) id);
    }

    public static int iflags(long it) {
        return NativeMemory.getByte(it + IFLAGS);
    }

    public static void iflags(long it, int flags) {
        NativeMemory.putByte(it + IFLAGS, (byte) flags);
    }

    public static boolean has(long it, byte flag) {
        return (NativeMemory.getByte(it + IFLAGS) & flag) != 0;
    }

    public static void set(long it, byte flag) {
        NativeMemory.putByte(it + IFLAGS, (byte) (NativeMemory.getByte(it + IFLAGS) | flag));
    }

    public static void clear(long it, byte flag) {
        NativeMemory.putByte(it + IFLAGS, (byte) (NativeMemory.getByte(it + IFLAGS) & ~flag));
    }

    /** Meta-protocol bits kept above the LRU segment in the same byte. */
    public static final int META_STALE = 0x10;
    public static final int META_TOKEN_SENT = 0x20;
    public static final int META_KEY_BINARY = 0x40;
    private static final int SEGMENT_MASK = 0x03;

    public static int lru(long it) {
        return NativeMemory.getByte(it + LRU) & SEGMENT_MASK;
    }

    public static void lru(long it, int segment) {
        int b = NativeMemory.getByte(it + LRU);
        NativeMemory.putByte(it + LRU, (byte) ((b & ~SEGMENT_MASK) | segment));
    }

    /** Clears the segment and every meta bit (a fresh item). */
    public static void resetLru(long it) {
        NativeMemory.putByte(it + LRU, (byte) 0);
    }

    public static boolean hasMeta(long it, int bit) {
        return (NativeMemory.getByte(it + LRU) & bit) != 0;
    }

    public static void setMeta(long it, int bit) {
        NativeMemory.putByte(it + LRU, (byte) (NativeMemory.getByte(it + LRU) | bit));
    }

    public static void clearMeta(long it, int bit) {
        NativeMemory.putByte(it + LRU, (byte) (NativeMemory.getByte(it + LRU) & ~bit));
    }

    public static long cas(long it) {
        return NativeMemory.getLong(it + CAS);
    }

    public static void cas(long it, long cas) {
        NativeMemory.putLong(it + CAS, cas);
    }

    public static long key(long it) {
        return it + KEY;
    }

    /** Address of the value's first byte in the head chunk. */
    public static long data(long it) {
        int nkey = nkey(it);
        return has(it, CHUNKED) ? it + KEY + nkey + 4 : it + KEY + nkey;
    }

    /** For a chunked item: ref of the first continuation chunk. */
    public static int firstContinuation(long it) {
        return NativeMemory.getInt(it + KEY + nkey(it));
    }

    public static void firstContinuation(long it, int ref) {
        NativeMemory.putInt(it + KEY + nkey(it), ref);
    }

    /** Bytes an unchunked item of this key and value length occupies. */
    public static long total(int nkey, int nbytes) {
        return (long) HEADER + nkey + nbytes;
    }

    /** True when the item's key equals the {@code nkey} bytes at {@code key}. */
    public static boolean keyEquals(long it, long key, int nkey) {
        return nkey(it) == nkey && NativeMemory.equal(it + KEY, key, nkey);
    }
}
