package memfleet.node.command;

/**
 * What a connection does after one {@link Session#step}: the one vocabulary between the command layer and
 * the transports (memcached's {@code conn_*} transitions as seen from the socket's side).
 */
public enum Step {
    /** A command ran (its reply is in the output): go on with the input. */
    COMMAND,
    /** Input was taken without running a command (part of a data block, a swallowed block): go on. */
    PROGRESS,
    /** Nothing more can run until more input arrives. */
    NEED_INPUT,
    /** A complete command is waiting, but the caller said it may not run one now ({@code -R}): yield. */
    YIELD,
    /**
     * Read nothing more and close (memcached's conn_closing: an HTTP request, a line too long, a bad binary
     * magic, which clears the output itself); a datagram drops the replies it has not sent.
     */
    CLOSE,
    /** Write everything queued, then close ({@code quit}, a binary protocol error); a datagram sends and ends. */
    CLOSE_AFTER_WRITE,
    /** Stream {@link Session#takeStream()} to the client off the event loop, then carry on. */
    STREAM,
    /**
     * The {@code watch} command: from now on the connection gets the log lines of {@link Session#takeWatch()}
     * and runs no more commands (memcached's conn_watch).
     */
    WATCH,
    /** The {@code shutdown} command: close this connection and stop the server. */
    SHUTDOWN
}
