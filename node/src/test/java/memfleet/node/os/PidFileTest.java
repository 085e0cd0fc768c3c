package memfleet.node.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pid file, with memcached's format and warnings. */
class PidFileTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    @Test
    void holdsThePidAndANewline() throws IOException {
        Path file = dir.resolve("memfleet.pid");
        assertThat(PidFile.write(file, 4242, warnings::add)).isTrue();
        assertThat(Files.readString(file)).isEqualTo("4242\n");
        assertThat(dir.resolve("memfleet.pid.tmp")).doesNotExist();
        assertThat(warnings).isEmpty();
    }

    @Test
    void warnsWhenTheOldPidStillRuns() throws IOException {
        Path file = dir.resolve("memfleet.pid");
        long running = ProcessHandle.current().pid();
        Files.writeString(file, running + "\n");
        assertThat(PidFile.write(file, 4242, warnings::add)).isTrue();
        assertThat(warnings).containsExactly("WARNING: The pid file contained the following (running) pid: " + running);
        assertThat(Files.readString(file)).isEqualTo("4242\n");
    }

    @Test
    void aStaleOrGarbledOldFileIsReplacedQuietly() throws IOException {
        Path file = dir.resolve("memfleet.pid");
        Files.writeString(file, "not a pid\n");
        assertThat(PidFile.write(file, 4242, warnings::add)).isTrue();
        assertThat(warnings).isEmpty();
    }

    @Test
    void anUnwritablePlaceIsAWarningInMemcachedsWords() {
        Path file = dir.resolve("missing").resolve("memfleet.pid");
        assertThat(PidFile.write(file, 4242, warnings::add)).isFalse();
        assertThat(warnings).containsExactly(
                "Could not open the pid file " + file + ".tmp for writing: No such file or directory");
    }

    @Test
    void removeDeletesAndWarnsWhenItCannot() throws IOException {
        Path file = dir.resolve("memfleet.pid");
        Files.writeString(file, "1\n");
        PidFile.remove(file, warnings::add);
        assertThat(file).doesNotExist();
        assertThat(warnings).isEmpty();
        PidFile.remove(file, warnings::add);
        assertThat(warnings).containsExactly("Could not remove the pid file " + file + ": No such file or directory");
    }
}
