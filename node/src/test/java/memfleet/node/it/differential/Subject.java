package memfleet.node.it.differential;

import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;

/**
 * The server under test and its reference. The subject is the memfleet node unless
 * {@code -Dmemfleet.it.subject=memcached} makes it a second Debian memcached, which proves the tests themselves
 * right while the node does not serve yet. The reference is always Debian's memcached. Both are started through
 * the test's {@link ServerRun}, whose harness adds {@code -u root} to either kind when the tests run as root.
 */
public final class Subject {
    /** The system property that names the subject: {@code memfleet} (default) or {@code memcached}. */
    public static final String PROPERTY = "memfleet.it.subject";

    private Subject() {}

    /** The subject's kind, as {@link ServerRun#startOf} names it. */
    public static String kind() {
        String kind = System.getProperty(PROPERTY, "memfleet").strip();
        if (!kind.equals("memfleet") && !kind.equals("memcached")) {
            throw new IllegalArgumentException(PROPERTY + " must be memfleet or memcached, not '" + kind + "'");
        }
        return kind;
    }

    /** True when the subject is the memfleet node (the default). */
    public static boolean isMemfleet() {
        return kind().equals("memfleet");
    }

    /**
     * Starts the subject with memcached command-line {@code flags} through {@code run}, which closes it when the
     * running test ends (a {@link memfleet.node.it.ServerTest#sideBySide} run: either kind can be started).
     */
    public static ServerProcess start(ServerRun run, String... flags) {
        return run.startOf(kind(), flags);
    }

    /** Starts Debian's memcached, the reference, with the same {@code flags}, closed as {@link #start} closes it. */
    public static ServerProcess reference(ServerRun run, String... flags) {
        return run.startOf("memcached", flags);
    }
}
