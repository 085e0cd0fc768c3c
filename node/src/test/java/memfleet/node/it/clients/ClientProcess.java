package memfleet.node.it.clients;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A client program run as a real subprocess (a Python script, {@code memccapable}) until it exits or times out. */
final class ClientProcess {
    /** Debian's interpreter, which sees Debian's python3-memcache and python3-pymemcache (pyenv's does not). */
    static final String PYTHON = "/usr/bin/python3";

    private ClientProcess() {}

    /** How a finished client program ended: its exit code and everything it printed. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /**
         * The {@code SECTION<TAB>NAME<TAB>VALUE} lines the client scripts print, by section then name, in order.
         */
        Map<String, Map<String, String>> sections() {
            Map<String, Map<String, String>> sections = new LinkedHashMap<>();
            for (String line : stdout.split("\n")) {
                String[] parts = line.split("\t", 3);
                if (parts.length == 3) {
                    sections.computeIfAbsent(parts[0], s -> new LinkedHashMap<>()).put(parts[1], parts[2]);
                }
            }
            return sections;
        }

        /** The section {@code name}, empty if the script printed none. */
        Map<String, String> section(String name) {
            return sections().getOrDefault(name, Map.of());
        }

        /** All of it, for assertion messages. */
        String describe() {
            return String.join(" ", command) + "\nexit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** Runs {@code command}, killing it after {@code timeout}, which fails the test. */
    static Result run(Duration timeout, List<String> command) {
        try {
            Path out = Files.createTempFile("memfleet-client-", ".out");
            Path err = Files.createTempFile("memfleet-client-", ".err");
            try {
                Process process = new ProcessBuilder(command)
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError(command + " did not finish within " + timeout
                            + "\n--- stdout\n" + Files.readString(out) + "--- stderr\n" + Files.readString(err));
                }
                return new Result(command, process.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs the script {@code clients/<name>} from the test resources with {@code /usr/bin/python3}. */
    static Result runPythonScript(Duration timeout, String name, String... args) {
        Path script = script(name);
        try {
            List<String> command = new ArrayList<>(List.of(PYTHON, script.toString()));
            command.addAll(List.of(args));
            return run(timeout, command);
        } finally {
            try {
                Files.deleteIfExists(script);
                Files.deleteIfExists(script.getParent());
            } catch (IOException ignored) {
                // a leftover temp file is harmless
            }
        }
    }

    /** Copies a script out of the test resources so that it runs from a plain file wherever the tests run. */
    private static Path script(String name) {
        try (InputStream in = ClientProcess.class.getResourceAsStream("/clients/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource clients/" + name);
            }
            Path dir = Files.createTempDirectory("memfleet-clients-");
            Path script = dir.resolve(name);
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
