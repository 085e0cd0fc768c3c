package memfleet.node.it.clients;

import java.util.Arrays;

/** An item's value as the server keeps it: the raw bytes and the 32-bit client flags, nothing decoded. */
record FlaggedBytes(int flags, byte[] data) {
    @Override
    public boolean equals(Object o) {
        return o instanceof FlaggedBytes other && flags == other.flags && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * flags + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "FlaggedBytes[flags=" + Integer.toUnsignedString(flags) + ", length=" + data.length + "]";
    }
}
