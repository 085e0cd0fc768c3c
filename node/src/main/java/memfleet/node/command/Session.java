package memfleet.node.command;

import io.netty.buffer.ByteBuf;

/**
 * One client connection's command state, whatever protocol it speaks: the transport hands it the bytes
 * that arrived and an output buffer, and does what the returned {@link Step} says. A session frames its
 * own grammar (lines and data blocks, or binary headers and bodies), so the transport knows none.
 * {@code in} must be a direct buffer with a memory address: keys are hashed and compared in place.
 * Used by one event loop only.
 */
public interface Session {
    /**
     * Runs at most one command, or takes part of a data block, from {@code in} (advancing its reader
     * index) and writes replies to {@code out}. {@code mayRun} false: a complete command is not run but
     * answered with {@link Step#YIELD}.
     */
    Step step(ByteBuf in, ByteBuf out, boolean mayRun);

    /** True when the last step changed the store (for {@code --min-acks}: its reply waits for peers). */
    boolean takeMutated();

    /** memcached's state name of the connection for {@code stats conns}. */
    String state();

    /** The transport wrote its output buffer out: nothing in it is pending any more. */
    void outputFlushed();

    /**
     * The input ended in the middle of a command (the end of a datagram): a data block cut short is
     * answered as memcached answers a bad data chunk, anything else half read is dropped.
     */
    void endOfInput(ByteBuf out);

    /** The connection went away: an item half read is freed. */
    void abandon();

    /** The stream a {@link Step#STREAM} asked for. */
    Metadump takeStream();

    /** The {@link memfleet.node.watch.WatchLog} flags a {@link Step#WATCH} asked for. */
    default int takeWatch() {
        return 0;
    }
}
