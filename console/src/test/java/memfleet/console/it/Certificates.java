package memfleet.console.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A throwaway CA and PEM certificates signed by it, made with the {@code openssl} command line. */
final class Certificates {
    final Path dir;
    final Path caCert;

    Certificates(Path dir, String caName) {
        this.dir = dir;
        this.caCert = dir.resolve(caName + ".pem");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + caName,
                "-keyout", dir.resolve(caName + ".key").toString(), "-out", caCert.toString());
    }

    /** A certificate for {@code name}, valid for {@code san} (e.g. {@code IP:127.0.0.1}): {cert.pem, key.pem}. */
    Path[] issue(String name, String san) {
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".pem");
        Path ext = dir.resolve(name + ".ext");
        try {
            Files.writeString(ext, "subjectAltName=" + san + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String ca = caCert.getFileName().toString().replace(".pem", "");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name, "-keyout", key.toString(),
                "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", dir.resolve(ca + ".key").toString(),
                "-CAcreateserial", "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
        return new Path[] {cert, key};
    }

    private static void openssl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("openssl failed: " + cmd + "\n" + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
