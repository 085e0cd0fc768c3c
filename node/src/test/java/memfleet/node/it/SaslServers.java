package memfleet.node.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts a server with {@code -S} and one user. The node reads memcached's plaintext password file
 * ({@code MEMCACHED_SASL_PWDB}); Debian's memcached is built with Cyrus SASL and without that file's support, so
 * it gets a Cyrus sasldb made with {@code saslpasswd2} (Debian's {@code sasl2-bin}) and a {@code memcached.conf}
 * limiting it to PLAIN, found through {@code SASL_CONF_PATH}.
 */
public final class SaslServers implements ServerStarter {
    public static final String USER = "alice";
    public static final String PASSWORD = "s3cret-pw";

    /** Starts server {@code kind} with {@code -S} added to {@code flags} and the user {@link #USER} known to it. */
    @Override
    public ServerProcess start(String kind, String... flags) {
        try {
            Path dir = Files.createTempDirectory("memfleet-sasl-");
            List<String> args = new ArrayList<>(List.of("-S"));
            args.addAll(List.of(flags));
            if (kind.equals("memfleet")) {
                Path pwdb = dir.resolve("pwdb");
                Files.writeString(pwdb, "bob:other\n" + USER + ":" + PASSWORD + "\n");
                return ServerProcess.node(Map.of("MEMCACHED_SASL_PWDB", pwdb.toString()), args.toArray(String[]::new));
            }
            Path sasldb = dir.resolve("sasldb2");
            Process p = new ProcessBuilder("saslpasswd2", "-p", "-a", "memcached", "-c", "-f", sasldb.toString(), USER)
                    .redirectErrorStream(true).start();
            p.getOutputStream().write(PASSWORD.getBytes(StandardCharsets.US_ASCII));
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("saslpasswd2 failed: " + new String(p.getInputStream().readAllBytes()));
            }
            Files.writeString(dir.resolve("memcached.conf"), "mech_list: plain\nsasldb_path: " + sasldb + "\n");
            return ServerProcess.memcached(Map.of("SASL_CONF_PATH", dir.toString()), args.toArray(String[]::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
