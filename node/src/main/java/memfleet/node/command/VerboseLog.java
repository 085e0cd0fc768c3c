package memfleet.node.command;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;

/**
 * memcached's {@code -vv} trace on stderr: one "&gt;fd reply" line per reply line written, with values shown
 * as "sending key K" as memcached prints them; for the binary protocol, each request and response header as
 * bytes. Only called when verbosity is above 1.
 */
public final class VerboseLog {
    private VerboseLog() {}

    public static void replies(int fd, ByteBuf out, int from) {
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

    /** memcached's dump of a binary request header, four bytes a line. */
    public static void binaryRequest(int fd, ByteBuf in, int start) {
        StringBuilder sb = new StringBuilder("<" + fd + " Read binary protocol data:");
        for (int i = 0; i < memfleet.protocol.binary.BinaryHeader.SIZE; i++) {
            if (i % 4 == 0) {
                sb.append("\n<").append(fd).append("   ");
            }
            sb.append(String.format(" 0x%02x", in.getByte(start + i) & 0xff));
        }
        System.err.println(sb);
    }

    /** memcached's dump of each binary response header written since {@code from}. */
    public static void binaryResponses(int fd, ByteBuf out, int from) {
        int p = from;
        int size = memfleet.protocol.binary.BinaryHeader.SIZE;
        while (p + size <= out.writerIndex()) {
            StringBuilder sb = new StringBuilder(">" + fd + " Writing bin response:");
            for (int i = 0; i < size; i++) {
                if (i % 4 == 0) {
                    sb.append("\n>").append(fd).append("  ");
                }
                sb.append(String.format(" 0x%02x", out.getByte(p + i) & 0xff));
            }
            System.err.println(sb);
            p += size + out.getInt(p + memfleet.protocol.binary.BinaryHeader.BODY_LENGTH);
        }
    }
}
