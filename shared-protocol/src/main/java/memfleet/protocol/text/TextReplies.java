package memfleet.protocol.text;

import java.nio.charset.StandardCharsets;

/** memcached 1.6.18's fixed text-protocol replies, byte for byte, each ending in CRLF. */
public final class TextReplies {
    private TextReplies() {}

    private static byte[] line(String s) {
        return (s + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    public static final byte[] CRLF = {'\r', '\n'};
    public static final byte[] VALUE = "VALUE ".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] END = line("END");
    public static final byte[] STORED = line("STORED");
    public static final byte[] NOT_STORED = line("NOT_STORED");
    public static final byte[] EXISTS = line("EXISTS");
    public static final byte[] NOT_FOUND = line("NOT_FOUND");
    public static final byte[] DELETED = line("DELETED");
    public static final byte[] TOUCHED = line("TOUCHED");
    public static final byte[] OK = line("OK");
    public static final byte[] RESET = line("RESET");
    public static final byte[] ERROR = line("ERROR");
    public static final byte[] TOO_MANY_CONNECTIONS = line("ERROR Too many open connections");
    public static final byte[] BAD_FORMAT = line("CLIENT_ERROR bad command line format");
    public static final byte[] BAD_COMMAND_LINE = line("CLIENT_ERROR bad command line");
    public static final byte[] BAD_DATA_CHUNK = line("CLIENT_ERROR bad data chunk");
    public static final byte[] INVALID_EXPTIME = line("CLIENT_ERROR invalid exptime argument");
    public static final byte[] INVALID_DELTA = line("CLIENT_ERROR invalid numeric delta argument");
    public static final byte[] NON_NUMERIC = line("CLIENT_ERROR cannot increment or decrement non-numeric value");
    public static final byte[] DELETE_USAGE =
            line("CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]");
    public static final byte[] TOO_LARGE = line("SERVER_ERROR object too large for cache");
    public static final byte[] OUT_OF_MEMORY_STORING = line("SERVER_ERROR out of memory storing object");
    public static final byte[] OUT_OF_MEMORY = line("SERVER_ERROR out of memory");
    public static final byte[] FLUSH_NOT_ALLOWED = line("CLIENT_ERROR flush_all not allowed");
    public static final byte[] SHUTDOWN_NOT_ENABLED = line("ERROR: shutdown not enabled");
    public static final byte[] INVALID_SHUTDOWN_MODE = line("CLIENT_ERROR invalid shutdown mode");
    public static final byte[] CACHEDUMP_NOT_ALLOWED = line("CLIENT_ERROR stats cachedump not allowed");
    public static final byte[] ILLEGAL_SLAB_ID = line("CLIENT_ERROR Illegal slab id");
    public static final byte[] DETAIL_USAGE = line("CLIENT_ERROR usage: stats detail on|off|dump");
    public static final byte[] MEMLIMIT_TOO_SMALL = line("MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m");
    public static final byte[] MEMLIMIT_NOT_BYTES = line("MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes");
    public static final byte[] MEMLIMIT_FAILED = line("MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust");
    public static final byte[] REASSIGN_DISABLED = line("CLIENT_ERROR slab reassignment disabled");
    public static final byte[] REASSIGN_BUSY = line("BUSY currently processing reassign request");
    public static final byte[] REASSIGN_BADCLASS = line("BADCLASS invalid src or dst class id");
    public static final byte[] REASSIGN_NOSPARE = line("NOSPARE source class has no spare pages");
    public static final byte[] REASSIGN_SAME = line("SAME src and dst class are identical");
    public static final byte[] CRAWLER_DISABLED = line("CLIENT_ERROR lru crawler disabled");
    public static final byte[] CRAWLER_BUSY = line("BUSY currently processing crawler request");
    public static final byte[] CRAWLER_BADCLASS = line("BADCLASS invalid class id");
    public static final byte[] CRAWLER_NOTSTARTED = line("NOTSTARTED no items to crawl");
    public static final byte[] METADUMP_NOT_ALLOWED = line("ERROR metadump not allowed");
}
