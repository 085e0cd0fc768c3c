package memfleet.node.it;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class once per server kind ({@link ServerExtension#kinds()}: Debian's memcached, the
 * reference, and the memfleet node) and per protocol in {@link #protocols()}, with one server started before the
 * run and closed after it (or, not {@link #shared()}, the servers each test starts, closed after that test). Constructors, {@code @BeforeEach} and test methods get the run's {@link ServerRun}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ClassTemplate
@ExtendWith(ServerExtension.class)
public @interface ServerTest {
    /** The server's flags; {@code -p}, {@code -l 127.0.0.1} and as root {@code -u root} are added by the harness. */
    String[] args() default {"-m", "64"};

    /** The protocols the class runs with: each gives its own run (and its own server) per kind. */
    Protocol[] protocols() default {Protocol.TEXT};

    /**
     * Whether the run starts one server that all its tests share (the default); false for tests that each start
     * servers with flags of their own through {@link ServerRun#start}, closed when the test ends.
     */
    boolean shared() default true;

    /**
     * The server kinds this class runs on, narrowed by {@link ServerExtension#KINDS_PROPERTY}: both by default;
     * {@code "memfleet"} alone for what only the node has (replication, its launcher, its own options).
     */
    String[] kinds() default {"memcached", "memfleet"};

    /**
     * Whether the class compares memcached and the node within each test: then it has one run (of kind
     * memfleet, made only when both kinds are chosen), sharing no server, whose tests start both with {@link
     * ServerRun#startOf}.
     */
    boolean sideBySide() default false;

    /** How the server is started: the default starts it as it is; e.g. {@code SaslServers} adds a user database. */
    Class<? extends ServerStarter> starter() default ServerStarter.Plain.class;
}
