package memfleet.node.os;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;

/**
 * The {@code -P} pid file, written and removed as memcached's {@code save_pid} and {@code remove_pidfile} do.
 *
 * <p>memcached writes it whether or not it daemonizes ({@code -h} says "only used with -d", the code does not)
 * and removes it at exit only when daemonized; problems are warnings, never fatal. The number goes to
 * {@code FILE.tmp} first and is renamed into place, so a reader never sees an empty file.
 */
public final class PidFile {
    private PidFile() {}

    /**
     * Writes {@code pid} and a newline to {@code file}.
     *
     * @param warnings receives memcached's warnings: a running pid already in the file, or why writing failed
     * @return whether the file now holds {@code pid}
     */
    public static boolean write(Path file, long pid, Consumer<String> warnings) {
        warnIfRunning(file, warnings);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, pid + "\n");
        } catch (IOException e) {
            warnings.accept("Could not open the pid file " + tmp + " for writing: " + reason(e));
            return false;
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            warnings.accept("Could not rename the pid file from " + tmp + " to " + file + ": " + reason(e));
            return false;
        }
        return true;
    }

    /** Removes {@code file}; {@code Could not remove the pid file ...} goes to {@code warnings} on failure. */
    public static void remove(Path file, Consumer<String> warnings) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            warnings.accept("Could not remove the pid file " + file + ": " + reason(e));
        }
    }

    private static void warnIfRunning(Path file, Consumer<String> warnings) {
        if (!Files.isRegularFile(file)) {
            return;
        }
        try {
            String first = Files.readAllLines(file).stream().findFirst().orElse("").trim();
            long old = Long.parseLong(first);
            if (old > 0 && ProcessHandle.of(old).map(ProcessHandle::isAlive).orElse(false)) {
                warnings.accept("WARNING: The pid file contained the following (running) pid: " + old);
            }
        } catch (IOException | NumberFormatException unreadable) {
            // memcached says nothing about an unreadable or malformed old file either; it is overwritten.
        }
    }

    /** The strerror-like reason memcached's perror would print. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return String.valueOf(e.getMessage());
    }
}
