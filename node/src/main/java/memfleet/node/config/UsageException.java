package memfleet.node.config;

import java.io.Serial;

/**
 * The command line cannot start a node: the message is what to print and the exit code what to exit with.
 *
 * <p>Exit code 0 is the one non-error: {@code -h} and {@code -V} end parsing the way memcached's getopt loop
 * does, and the message is then the output the user asked for, for standard output. Any other code is an
 * error for standard error: 64 ({@code EX_USAGE}) for flags memfleet does not know or does not implement and
 * for the sanity checks memcached also exits 64 on, 1 where memcached itself exits 1 (most value checks).
 */
public final class UsageException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    public UsageException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    /** The process exit code: 0 after {@code -h}/{@code -V}, else memcached's code for this error. */
    public int exitCode() {
        return exitCode;
    }

    /** True for {@code -h}/{@code -V}: the message is requested output, not an error. */
    public boolean isRequestedOutput() {
        return exitCode == 0;
    }
}
