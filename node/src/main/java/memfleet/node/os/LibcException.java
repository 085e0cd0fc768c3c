package memfleet.node.os;

import java.io.Serial;

/**
 * A libc call failed: the message says what failed in memcached's words, with the errno and the sysexits code a
 * node that cannot start because of it exits with.
 */
public final class LibcException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** sysexits.h {@code EX_OSERR}: memcached's exit code when the system refuses a call at startup. */
    public static final int EX_OSERR = 71;
    /** sysexits.h {@code EX_NOUSER}: memcached's exit code when the {@code -u} user does not exist. */
    public static final int EX_NOUSER = 67;

    private final int errno;
    private final int exitCode;

    public LibcException(String message, int errno, int exitCode) {
        super(message);
        this.errno = errno;
        this.exitCode = exitCode;
    }

    /** The errno the call left, 0 when the failure has none (e.g. an unknown user). */
    public int errno() {
        return errno;
    }

    /** The process exit code for a startup stopped by this failure. */
    public int exitCode() {
        return exitCode;
    }
}
