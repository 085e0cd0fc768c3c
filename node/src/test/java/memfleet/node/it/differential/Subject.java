package memfleet.node.it.differential;

import java.util.ArrayList;
import java.util.List;
import memfleet.node.it.ServerProcess;

/**
 * The server under test and its reference. The subject is the memfleet node unless
 * {@code -Dmemfleet.it.subject=memcached} makes it a second Debian memcached, which proves the tests themselves
 * right while the node does not serve yet. The reference is always Debian's memcached.
 */
public final class Subject {
    /** The system property that names the subject: {@code memfleet} (default) or {@code memcached}. */
    public static final String PROPERTY = "memfleet.it.subject";

    private Subject() {}

    /** The subject's kind, as {@link ServerProcess#of} names it. */
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

    /** Starts the subject with memcached command-line {@code flags}. */
    public static ServerProcess start(String... flags) {
        return ServerProcess.of(kind(), withUser(kind(), flags));
    }

    /** Starts Debian's memcached, the reference, with the same {@code flags}. */
    public static ServerProcess reference(String... flags) {
        return ServerProcess.memcached(flags);
    }

    /**
     * As root both servers refuse to start without {@code -u}; the harness adds {@code -u root} for memcached only,
     * so it is added here for the node.
     */
    private static String[] withUser(String kind, String... flags) {
        List<String> args = new ArrayList<>(List.of(flags));
        if (kind.equals("memfleet") && "root".equals(System.getProperty("user.name")) && !args.contains("-u")) {
            args.addAll(List.of("-u", "root"));
        }
        return args.toArray(String[]::new);
    }
}
