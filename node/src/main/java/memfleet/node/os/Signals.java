package memfleet.node.os;

import sun.misc.Signal;

/**
 * The node's signal handling, memcached's: SIGTERM and SIGINT stop it cleanly with exit code 0, SIGHUP is
 * ignored.
 *
 * <p>The JVM's own handling would run the shutdown hooks and exit 143 (128 + SIGTERM), which service managers
 * written for memcached count as a failure; and it would exit on SIGHUP. {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}, meant for exactly this) replaces both.
 */
public final class Signals {
    private Signals() {}

    /**
     * Runs {@code stop} on its own thread when SIGTERM or SIGINT arrives, instead of the JVM exiting, and
     * ignores SIGHUP. {@code stop} should make the main thread return so it exits 0 normally.
     */
    public static void onTerminate(Runnable stop) {
        Signal.handle(new Signal("TERM"), signal -> stop.run());
        Signal.handle(new Signal("INT"), signal -> stop.run());
        Signal.handle(new Signal("HUP"), signal -> { });
    }
}
