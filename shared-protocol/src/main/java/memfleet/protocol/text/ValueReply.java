package memfleet.protocol.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A parsed {@code get}/{@code gets} reply: {@code VALUE <key> <flags> <bytes> [<cas>]}, the data block,
 * and finally {@code END}. The data is kept as bytes; the caller decides whether it reads as text.
 */
public final class ValueReply {
    /** One item: key, client flags, data, and CAS unique (-1 when the command was {@code get}). */
    public record Value(String key, long flags, byte[] data, long cas) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Value v && v.key.equals(key) && v.flags == flags && v.cas == cas
                    && Arrays.equals(v.data, data);
        }

        @Override
        public int hashCode() {
            return key.hashCode() * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Value[" + key + ", flags=" + flags + ", " + data.length + " bytes, cas=" + cas + "]";
        }
    }

    private ValueReply() {
    }

    /** Parses a complete reply as framed by {@link ReplyFraming#values}; error lines throw. */
    public static List<Value> parse(byte[] reply) {
        List<Value> values = new ArrayList<>();
        int pos = 0;
        while (pos < reply.length) {
            int eol = indexOf(reply, pos);
            if (eol < 0) {
                throw new IllegalArgumentException("incomplete get reply");
            }
            int end = eol > pos && reply[eol - 1] == '\r' ? eol - 1 : eol;
            String line = new String(reply, pos, end - pos, StandardCharsets.UTF_8);
            if (line.equals("END")) {
                return values;
            }
            if (!line.startsWith("VALUE ")) {
                throw new IllegalArgumentException("get refused: " + StatsReply.printable(line));
            }
            String[] t = line.split(" ");
            if (t.length != 4 && t.length != 5) {
                throw new IllegalArgumentException("bad VALUE line: " + StatsReply.printable(line));
            }
            int bytes = Integer.parseInt(t[3]);
            int data = eol + 1;
            if (data + bytes + 2 > reply.length) {
                throw new IllegalArgumentException("incomplete data block for " + StatsReply.printable(t[1]));
            }
            values.add(new Value(t[1], Long.parseLong(t[2]), Arrays.copyOfRange(reply, data, data + bytes),
                    t.length == 5 ? Long.parseUnsignedLong(t[4]) : -1));
            pos = data + bytes + 2;
        }
        throw new IllegalArgumentException("get reply without END");
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
