package memfleet.node;

import memfleet.node.replication.Replication;
import memfleet.node.store.ItemStore;
import memfleet.node.store.LruCrawler;
import memfleet.node.store.LruMaintainer;
import memfleet.node.store.SlabRebalancer;

import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import memfleet.node.config.CommandLine;
import memfleet.node.config.Settings;
import memfleet.node.config.UsageException;
import memfleet.node.net.NodeServer;
import memfleet.node.os.Daemon;
import memfleet.node.os.Libc;
import memfleet.node.os.LibcException;
import memfleet.node.os.PidFile;
import memfleet.node.os.Signals;

/**
 * Entry point: {@code java -jar memfleet-node.jar [memcached flags]}, starting up in memcached's order with
 * its messages and exit codes.
 *
 * <p>Exit codes, as memcached (sysexits.h): 0 after {@code -h}, {@code -V}, {@code shutdown}, SIGTERM or SIGINT;
 * 64 ({@code EX_USAGE}) for a bad command line or root without {@code -u}; 1 for the value checks memcached
 * exits 1 on; 67 ({@code EX_NOUSER}) for an unknown {@code -u} user; 71 ({@code EX_OSERR}) when a port cannot
 * be bound or the system refuses a limit or identity change. Unlike memcached, {@code -u} takes effect after
 * the listeners are bound, so a node started as root can listen on ports below 1024.
 */
public final class Main {
    private static final int EX_USAGE = 64;
    private static final int EX_OSERR = 71;

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        // before any Netty class loads: leak-tracking wrappers cost on every buffer access
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        System.exit(run(args));
    }

    /** Runs the node to its end and returns the exit code. */
    public static int run(String[] args) throws InterruptedException {
        Settings settings;
        try {
            settings = CommandLine.parse(args);
        } catch (UsageException e) {
            if (e.isRequestedOutput()) {
                System.out.println(e.getMessage());
                System.out.flush();
            } else {
                System.err.println(e.getMessage());
            }
            return e.exitCode();
        }
        try {
            return start(settings, args);
        } catch (LibcException e) {
            System.err.println(e.getMessage());
            return e.exitCode();
        }
    }

    private static int start(Settings settings, String[] args) throws InterruptedException {
        boolean daemon = Daemon.isDaemon();
        if (daemon) {
            Daemon.detach();
        }
        if (settings.enableCoredumps) {
            Libc.enableCoredumps();
        }
        Libc.raiseNofileLimit(settings.maxConns);
        boolean root = Libc.isRoot();
        if (root) {
            if (settings.user == null || settings.user.isEmpty()) {
                System.err.println("can't run as root without the -u switch");
                return EX_USAGE;
            }
            // Fails now, on the terminal, rather than in the background after binding.
            Libc.lookupUser(settings.user);
        }
        if (settings.daemonize && !daemon) {
            try {
                return Daemon.start(Main.class, args);
            } catch (IOException e) {
                System.err.println("failed to daemon() in order to daemonize: " + e.getMessage());
                return 1;
            }
        }
        if (settings.lockMemory) {
            try {
                Libc.mlockall();
            } catch (LibcException e) {
                System.err.println("warning: -k invalid, " + e.getMessage());
            }
        }

        memfleet.node.tls.NodeTls tls = null;
        if (settings.sslEnabled) {
            try {
                tls = new memfleet.node.tls.NodeTls(settings, 0);
            } catch (memfleet.node.tls.NodeTls.LoadException e) {
                System.err.println(e.getMessage());
                return EX_USAGE;
            }
        }
        memfleet.node.auth.AuthFile authFile = null;
        if (settings.authFile != null) {
            try {
                authFile = memfleet.node.auth.AuthFile.load(settings.authFile);
            } catch (memfleet.node.auth.AuthFile.LoadException e) {
                System.err.println(e.getMessage());
                return 1;
            }
        }
        ItemStore store = new ItemStore(settings);
        Replication replication = settings.replicating() ? new Replication(settings, store, tls) : null;
        Node node = new Node(settings, store, new LruCrawler(store), new LruMaintainer(store), new SlabRebalancer(store),
                tls, authFile, replication);
        NodeServer server = new NodeServer(node);
        // Before binding: a SIGTERM that comes as soon as the port answers must already stop us cleanly.
        AtomicBoolean stopping = new AtomicBoolean();
        Signals.onTerminate(() -> {
            stopping.set(true);
            server.close();
        });
        if (replication != null) {
            try {
                startReplication(settings, replication);
            } catch (java.io.IOException e) {
                server.close();
                if (stopping.get()) {
                    return 0;
                }
                System.err.println("failed to listen on replication port " + settings.replicationPort + ": " + reason(e));
                return EX_OSERR;
            }
        }
        try {
            server.bind();
        } catch (Exception e) {
            server.close();
            if (stopping.get()) {
                return 0;
            }
            System.err.println(bindFailure(settings, e));
            return EX_OSERR;
        }
        if (root) {
            try {
                Libc.dropPrivileges(settings.user);
            } catch (LibcException e) {
                server.close();
                throw e;
            }
        }
        Path pidFile = settings.pidFile == null ? null : Path.of(settings.pidFile);
        if (pidFile != null) {
            PidFile.write(pidFile, ProcessHandle.current().pid(), System.err::println);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            if (daemon && pidFile != null) {
                PidFile.remove(pidFile, System.err::println);
            }
        }, "memfleet-shutdown"));
        if (daemon) {
            Daemon.ready();
        }
        server.awaitTermination();
        return 0;
    }

    /**
     * With {@code -x}/{@code -X}: listens for peers, then (unless {@code --serve-while-syncing}) fetches a
     * full copy from a peer before returning, so the client port opens on a synced node. Throws when the
     * replication port cannot be bound.
     */
    private static void startReplication(Settings settings, Replication r) throws java.io.IOException {
        r.start();
        if (settings.serveWhileSyncing) {
            Thread.ofVirtual().name("replication-sync").start(() -> logSync(settings, r.syncAndLink()));
        } else {
            logSync(settings, r.syncAndLink());
        }
    }

    private static void logSync(Settings settings, String source) {
        if (settings.verbose > 0) {
            System.err.println(source == null ? "replication: no peer had data, starting alone"
                    : "replication: copied the cache from " + source);
        }
    }

    /** memcached's words for a listener that could not be bound, with the system's reason. */
    static String bindFailure(Settings settings, Throwable e) {
        String reason = reason(e);
        if (settings.socketPath != null) {
            return "failed to listen on UNIX socket: " + settings.socketPath + ": " + reason;
        }
        if (settings.listen.isEmpty()) {
            return "failed to listen on TCP port " + settings.port + ": " + reason;
        }
        return "failed to listen on one of interface(s) " + settings.inter() + ": " + reason;
    }

    /** The strerror part, in glibc's words as memcached's perror prints it. */
    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Errors.NativeIoException n) {
                return Libc.strerror(-n.expectedErr());
            }
            if (t instanceof UnresolvedAddressException) {
                return "Name or service not known";
            }
            if (t instanceof SocketException && t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
