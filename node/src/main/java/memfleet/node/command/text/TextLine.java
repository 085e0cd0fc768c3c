package memfleet.node.command.text;

import io.netty.buffer.ByteBuf;
import memfleet.node.store.NativeMemory;
import memfleet.protocol.text.TextTokenizer;

/**
 * The text command being run: its line copied out of the input once and tokenized (memcached's {@code
 * tokens}), keys still read in place in the input, the noreply of the command, and the data block it asks
 * the connection to read or swallow next. Shared by the classic and the meta commands of one connection.
 */
final class TextLine {
    private static final int LINE_KEEP = 2048;
    private static final byte[] NOREPLY = {'n', 'o', 'r', 'e', 'p', 'l', 'y'};

    final TextTokenizer tokens = new TextTokenizer();
    /** The line's bytes; tokens index into it. */
    byte[] bytes = new byte[LINE_KEEP];
    /** The native address of the line's first byte in the input. */
    private long base;
    int ntokens;
    /** memcached's {@code c->noreply}: the reply of this command is not sent (errors of meta commands are). */
    boolean noreply;

    // the data block the command asks for: read into {@code dataItem}, or swallowed
    long dataItem;
    int dataComm;
    long dataCas;
    /** Data block and CRLF. */
    long dataLength;
    boolean dataMeta;
    long swallowLength;

    /** Copies {@code in[start, end)} and tokenizes it; returns memcached's ntokens (tokens + 1). */
    int load(ByteBuf in, int start, int end) {
        noreply = false;
        dataItem = 0;
        swallowLength = 0;
        int len = end - start;
        // memcached tokenizes a C string: a NUL byte ends the line
        int nul = NativeMemory.indexOf(in.memoryAddress() + start, len, (byte) 0);
        if (nul >= 0) {
            len = nul;
        }
        if (bytes.length > 65536 && len <= LINE_KEEP) {
            bytes = new byte[LINE_KEEP]; // a long multi-get has passed: give its buffer back
        }
        if (bytes.length < len) {
            bytes = new byte[Math.max(len, bytes.length * 2)];
        }
        base = in.memoryAddress() + start;
        // from the address: ByteBuf.getBytes(int, byte[]) of a pooled direct buffer allocates a ByteBuffer
        NativeMemory.copyToArray(base, bytes, 0, len);
        ntokens = tokens.tokenize(bytes, 0, len);
        return ntokens;
    }

    boolean is(int i, byte[] word) {
        return tokens.is(bytes, i, word);
    }

    int start(int i) {
        return tokens.start(i);
    }

    int end(int i) {
        return tokens.end(i);
    }

    int length(int i) {
        return tokens.length(i);
    }

    /** The native address of token {@code i} (keys are read in place). */
    long address(int i) {
        return base + tokens.start(i);
    }

    /** memcached's {@code set_noreply_maybe}: the last real token is "noreply"; sets {@link #noreply}. */
    boolean noreplyToken() {
        noreply = tokens.is(bytes, ntokens - 2, NOREPLY);
        return noreply;
    }

    /** Asks the connection to read {@code length} bytes (data and CRLF) into {@code it}, then store it. */
    void readData(long it, int comm, long cas, long length, boolean meta) {
        dataItem = it;
        dataComm = comm;
        dataCas = cas;
        dataLength = length;
        dataMeta = meta;
    }

    /** Asks the connection to discard {@code length} bytes (a refused data block and its CRLF). */
    void swallow(long length) {
        swallowLength = length;
    }
}
