package memfleet.node.net;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;

/**
 * memcached's {@code -vv} trace on stderr: one "&gt;fd reply" line per reply line written, with values shown
 * as "sending key K" as memcached prints them. Only called when verbosity is above 1.
 */
final class VerboseLog {
    private VerboseLog() {}

    static void replies(int fd, ByteBuf out, int from) {
        int p = from;
        int end = out.writerIndex();
        while (p < end) {
            int eol = out.indexOf(p, end, (byte) '\n');
            if (eol < 0) {
                break;
            }
            String line = out.toString(p, Math.max(0, eol - 1 - p), StandardCharsets.ISO_8859_1);
            p = eol + 1;
            if (line.startsWith("VALUE ")) {
                String[] parts = line.split(" ");
                System.err.println(">" + fd + " sending key " + parts[1]);
                p += Integer.parseInt(parts[3]) + 2; // skip the data block
            } else {
                System.err.println(">" + fd + " " + line);
            }
        }
    }
}
