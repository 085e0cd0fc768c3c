package memfleet.node.watch;

import memfleet.node.store.NativeMemory;

/** A key as memcached writes it in log and metadump lines: {@code uriencode}d (all but alphanumerics and "-._~"). */
public final class KeyText {
    private KeyText() {
    }

    /** Appends {@code nkey} bytes of {@code key} uriencoded. */
    public static void uriencode(byte[] key, int nkey, StringBuilder sb) {
        for (int i = 0; i < nkey; i++) {
            int b = key[i] & 0xff;
            if ((b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z')
                    || b == '-' || b == '.' || b == '_' || b == '~') {
                sb.append((char) b);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 15, 16)));
            }
        }
    }

    /** The key at native {@code address}, uriencoded. */
    public static void uriencode(long address, int nkey, StringBuilder sb) {
        byte[] key = new byte[nkey];
        NativeMemory.copyToArray(address, key, 0, nkey);
        uriencode(key, nkey, sb);
    }
}
