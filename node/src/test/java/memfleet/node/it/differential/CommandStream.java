package memfleet.node.it.differential;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.ByteArrayOutputStream;
import java.util.List;

/** A generated text-protocol command stream and the seed that reproduces it. */
public record CommandStream(long seed, List<Command> commands) {
    /** Where a command line holds a CAS value that the runner fills in from each server's last {@code gets}. */
    static final String CAS_PLACEHOLDER = "{cas}";

    /**
     * One command as sent: its line (with whatever line end the generator chose) and its payload (a value's data
     * with its terminator, possibly wrong on purpose, or nothing).
     *
     * @param casKey the key whose CAS fills {@link #CAS_PLACEHOLDER} in {@code line}, or null
     * @param versionReplies how many {@code VERSION} lines this command makes the server send (0 or 1)
     * @param quits whether the server closes the connection after it ({@code quit})
     * @param flushesReplies whether memcached sends every reply so far before reading on (a well-formed get-family
     *     command); only after such a command may a get carry a too-long key, see {@link CommandStreamGenerator}
     * @param storedBytes value bytes the command may store, to bound memory use across streams
     */
    public record Command(
            byte[] line,
            byte[] payload,
            String casKey,
            int versionReplies,
            boolean quits,
            boolean flushesReplies,
            long storedBytes) {

        static Command of(String line) {
            return new Command(
                    line.getBytes(ISO_8859_1), new byte[0], null, versionReplies(line), quits(line), false, 0);
        }

        private static int versionReplies(String line) {
            // memcached strips one \r before the \n; "version\r\r\n" leaves a token "version\r" and gets ERROR
            return (line.equals("version\r\n") || line.equals("version\n") || line.startsWith("version ")) ? 1 : 0;
        }

        private static boolean quits(String line) {
            return line.equals("quit\r\n") || line.equals("quit\n") || line.startsWith("quit ");
        }

        /** The bytes to send, with the CAS placeholder replaced by {@code cas}. */
        public byte[] render(String cas) {
            byte[] head = line;
            if (casKey != null) {
                head = new String(line, ISO_8859_1).replace(CAS_PLACEHOLDER, cas).getBytes(ISO_8859_1);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + payload.length);
            out.writeBytes(head);
            out.writeBytes(payload);
            return out.toByteArray();
        }

        /** The command as readable text, long payloads shortened. */
        public String describe() {
            String text = ReplyNormalizer.printable(new String(line, ISO_8859_1));
            if (casKey != null) {
                text = text.replace(CAS_PLACEHOLDER, "<cas of " + ReplyNormalizer.printable(casKey) + ">");
            }
            if (payload.length == 0) {
                return text;
            }
            if (payload.length <= ReplyNormalizer.SHOWN_DATA_BYTES) {
                return text + ReplyNormalizer.printable(new String(payload, ISO_8859_1));
            }
            return text + "<" + payload.length + " bytes starting "
                    + ReplyNormalizer.printable(new String(payload, 0, 40, ISO_8859_1)) + "...>";
        }
    }

    /** Every command, one per line, for a failure message. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < commands.size(); i++) {
            out.append(String.format("  %3d  %s%n", i, commands.get(i).describe()));
        }
        return out.toString();
    }

    /** Value bytes the stream may store. */
    public long storedBytes() {
        return commands.stream().mapToLong(Command::storedBytes).sum();
    }
}
