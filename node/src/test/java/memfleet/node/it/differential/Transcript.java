package memfleet.node.it.differential;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * The replies one server sent for part of a command stream, split into units: reply lines (with their line end)
 * and value data blocks (with their {@code \r\n}), as the server sent them, plus how the reading ended.
 */
public final class Transcript {
    /** How reading ended: every expected reply arrived, the server closed, or it stayed silent too long. */
    public enum End {
        COMPLETE,
        CLOSED,
        TIMEOUT
    }

    /** One reply unit; {@code data} is true for a value's data block, which is never parsed. */
    public record Unit(byte[] bytes, boolean data) {
        public String text() {
            return new String(bytes, ISO_8859_1);
        }
    }

    private final List<Unit> units;
    private final End end;
    private final String endDetail;

    private Transcript(List<Unit> units, End end) {
        this(units, end, end == End.CLOSED ? "end of stream" : "");
    }

    private Transcript(List<Unit> units, End end, String endDetail) {
        this.units = List.copyOf(units);
        this.end = end;
        this.endDetail = endDetail;
    }

    public List<Unit> units() {
        return units;
    }

    public End end() {
        return end;
    }

    /** How a close showed (end of stream, or the exception a reset caused), for failure messages. */
    public String endDetail() {
        return endDetail;
    }

    /**
     * Reads replies until {@code versionLines} lines starting {@code VERSION } have arrived (the stream's own
     * {@code version} commands plus the sentinel the runner appends), or, if {@code untilClosed}, until the server
     * closes. A {@code VALUE} line's data block is read by its declared length, so values may hold any bytes.
     */
    public static Transcript read(WireConnection connection, int versionLines, boolean untilClosed) {
        List<Unit> units = new ArrayList<>();
        int versions = 0;
        try {
            while (untilClosed || versions < versionLines) {
                byte[] line = connection.readLine();
                if (line == null) {
                    return new Transcript(units, End.CLOSED);
                }
                units.add(new Unit(line, false));
                if (line[line.length - 1] != '\n') {
                    return new Transcript(units, End.CLOSED);
                }
                String text = new String(line, ISO_8859_1);
                if (text.startsWith("VERSION ")) {
                    versions++;
                } else if (text.startsWith("VALUE ") || text.startsWith("VA ")) {
                    int length = text.startsWith("VA ") ? metaValueLength(text) : valueLength(text);
                    if (length >= 0) {
                        byte[] data = connection.readExact(length + 2);
                        units.add(new Unit(data, true));
                        if (data.length < length + 2) {
                            return new Transcript(units, End.CLOSED);
                        }
                    }
                }
            }
            return new Transcript(units, End.COMPLETE);
        } catch (SocketTimeoutException e) {
            return new Transcript(units, End.TIMEOUT, "no bytes for the read timeout");
        } catch (IOException reset) {
            // a reset is how a close looks when the server closed with our bytes unread: same as a close
            return new Transcript(units, End.CLOSED, reset.toString());
        }
    }

    /** The byte count of {@code VALUE <key> <flags> <bytes> [<cas>]}, or -1 if the line is not one. */
    static int valueLength(String valueLine) {
        String[] tokens = valueLine.stripTrailing().split(" ");
        if (tokens.length < 4 || tokens.length > 5) {
            return -1;
        }
        try {
            int length = Integer.parseInt(tokens[3]);
            return length >= 0 ? length : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The byte count of a meta {@code VA <bytes> <flags>*} line, or -1 if the line is not one. */
    static int metaValueLength(String vaLine) {
        String[] tokens = vaLine.stripTrailing().split(" ");
        try {
            int length = Integer.parseInt(tokens[1]);
            return length >= 0 ? length : -1;
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return -1;
        }
    }

    /** The CAS value a {@code VALUE} line carries ({@code gets}/{@code gats}), or null. */
    static String casOf(String valueLine) {
        String[] tokens = valueLine.stripTrailing().split(" ");
        return tokens.length == 5 && tokens[0].equals("VALUE") ? tokens[4] : null;
    }

    /** The key a {@code VALUE} line names. */
    static String keyOf(String valueLine) {
        return valueLine.split(" ")[1];
    }
}
