package memfleet.protocol.replication;

/**
 * One client change as it sits in a node's backlog and travels to peers: a 32-byte header, the key,
 * then the value (for {@link #SET}). Little-endian, native order, so the node copies records between
 * its backlog and sockets without converting them.
 *
 * <pre>
 *  0 u8  op          4 i32 client flags     12 i32 value length     24 i64 logged at (epoch ms)
 *  1 u8  key length  8 i32 exptime          16 i64 version (CAS)    32 key, value
 *  2 u16 unused          (sender's clock; 0 never; FLUSH: when)
 * </pre>
 */
public final class MutationRecord {
    private MutationRecord() {}

    private static final java.lang.invoke.VarHandle LE_INT = java.lang.invoke.MethodHandles
            .byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    public static final byte SET = 1;
    public static final byte DELETE = 2;
    public static final byte TOUCH = 3;
    public static final byte FLUSH = 4;

    public static final int OP = 0;
    public static final int NKEY = 1;
    public static final int FLAGS = 4;
    public static final int EXPTIME = 8;
    public static final int NBYTES = 12;
    public static final int VERSION = 16;
    public static final int LOGGED_AT = 24;
    public static final int HEADER = 32;

    /** Total bytes of a record with this key and value length. */
    public static long length(int nkey, int nbytes) {
        return HEADER + nkey + (long) nbytes;
    }

    /** Total bytes of the record whose header starts at {@code at} in {@code records}. */
    public static long lengthAt(byte[] records, int at) {
        return length(records[at + NKEY] & 0xFF, (int) LE_INT.get(records, at + NBYTES));
    }
}
