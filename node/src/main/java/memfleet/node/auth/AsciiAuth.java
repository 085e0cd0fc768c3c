package memfleet.node.auth;

import java.nio.charset.StandardCharsets;

import memfleet.protocol.text.Decimal;
import memfleet.protocol.text.TextTokenizer;

/**
 * memcached's ASCII authentication ({@code try_read_command_asciiauth}) for one connection: until it
 * succeeds, every command line gets {@code CLIENT_ERROR unauthenticated} unless it is {@code set <key>
 * <flags> <exptime> <length>}, whose data block must be {@code user password}; then {@code STORED}, or
 * {@code CLIENT_ERROR authentication failure}.
 */
public final class AsciiAuth {
    /** A credentials block longer than this is not credentials: the connection is refused and closed. */
    public static final int MAX_CREDENTIALS = 64 * 1024;

    public static final byte[] UNAUTHENTICATED = line("CLIENT_ERROR unauthenticated");
    public static final byte[] FAILURE = line("CLIENT_ERROR authentication failure");
    public static final byte[] BAD_TERMINATION = line("CLIENT_ERROR bad command line termination");
    public static final byte[] BAD_FORMAT = line("CLIENT_ERROR bad authentication token format");
    public static final byte[] STORED = line("STORED");

    private final AuthFile file;
    private final TextTokenizer tokens = new TextTokenizer();
    private final boolean[] ok = new boolean[1];
    private boolean authenticated;

    public AsciiAuth(AuthFile file) {
        this.file = file;
    }

    private static byte[] line(String s) {
        return (s + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    public boolean authenticated() {
        return authenticated;
    }

    /**
     * A command line before authentication (without its {@code \n}): the length of the credentials block
     * to read next (its CRLF included), or -1 when the line is to be answered {@link #UNAUTHENTICATED}.
     */
    public long credentialsLength(byte[] line, int len) {
        int n = tokens.tokenize(line, 0, len);
        if (n < 6 || !tokens.is(line, 0, "set".getBytes(StandardCharsets.US_ASCII))) {
            return -1;
        }
        int end = tokens.end(4);
        if (line[end - 1] == '\r') {
            end--; // memcached leaves the \r in the token; strtoul stops at it
        }
        long size = Decimal.parseUnsigned32(line, tokens.start(4), end, ok);
        return size == Decimal.INVALID ? -1 : size + 2;
    }

    /** The credentials block {@code block[0, len)} (with its CRLF): the reply to send. */
    public byte[] check(byte[] block, int len) {
        if (len < 2 || block[len - 2] != '\r' || block[len - 1] != '\n') {
            return BAD_TERMINATION;
        }
        int n = tokens.tokenize(block, 0, len - 2);
        if (n < 3) {
            return BAD_FORMAT;
        }
        byte[] user = java.util.Arrays.copyOfRange(block, tokens.start(0), tokens.end(0));
        byte[] password = java.util.Arrays.copyOfRange(block, tokens.start(1), tokens.end(1));
        if (file.check(user, password)) {
            authenticated = true;
            return STORED;
        }
        return FAILURE;
    }
}
