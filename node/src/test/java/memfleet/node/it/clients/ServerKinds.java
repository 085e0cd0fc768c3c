package memfleet.node.it.clients;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import memfleet.node.it.ServerProcess;

/**
 * The server kinds every client test runs against: Debian's {@code memcached} (the reference, which proves the
 * test right) and the {@code memfleet} node (the system under test). {@code -Dmemfleet.it.kinds=memcached} narrows
 * the list, e.g. while the node does not serve yet.
 */
public final class ServerKinds {
    /** The system property that lists the kinds to run, comma separated. */
    public static final String PROPERTY = "memfleet.it.kinds";

    private static final List<String> ALL = List.of("memcached", "memfleet");

    private ServerKinds() {}

    /** The kinds to run: a {@code @MethodSource} for {@code @ParameterizedClass}. */
    public static List<String> kinds() {
        String chosen = System.getProperty(PROPERTY, "").strip();
        if (chosen.isEmpty()) {
            return ALL;
        }
        List<String> kinds = Arrays.stream(chosen.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (String kind : kinds) {
            if (!ALL.contains(kind)) {
                throw new IllegalArgumentException(PROPERTY + " names unknown kind '" + kind + "'; known: " + ALL);
            }
        }
        return kinds;
    }

    /**
     * Starts the server {@code kind} with 64 MB of item memory ({@code -m 64}, memcached's default, made explicit
     * because the tests check {@code limit_maxbytes}). As root it adds {@code -u root}: memcached and the node both
     * refuse to run as root without {@code -u}, and the harness adds it for memcached only.
     */
    public static ServerProcess start(String kind) {
        List<String> args = new ArrayList<>(List.of("-m", "64"));
        if ("root".equals(System.getProperty("user.name"))) {
            args.addAll(List.of("-u", "root"));
        }
        return ServerProcess.of(kind, args.toArray(String[]::new));
    }
}
