package memfleet.node.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The libc calls, made for real in the test JVM (the ones that cannot be undone are left to the ITs). */
class LibcTest {
    private static final long PAGE = 4096;

    @Test
    void anonymousMemoryIsWritableReadableAndReturnable() {
        long bytes = 64 * PAGE;
        long address = Libc.mmapAnonymous(bytes);
        try {
            assertThat(address).isNotZero();
            assertThat(address % PAGE).isZero();
            MemorySegment memory = MemorySegment.ofAddress(address).reinterpret(bytes);
            assertThat(memory.get(ValueLayout.JAVA_LONG, 0)).as("fresh anonymous pages read as zeros").isZero();
            memory.set(ValueLayout.JAVA_LONG, 0, 0x1122334455667788L);
            memory.set(ValueLayout.JAVA_LONG, bytes - 8, 42L);
            assertThat(memory.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(0x1122334455667788L);
            assertThat(memory.get(ValueLayout.JAVA_LONG, bytes - 8)).isEqualTo(42L);

            Libc.madviseDontneed(address, bytes);
            assertThat(memory.get(ValueLayout.JAVA_LONG, 0)).as("MADV_DONTNEED drops the page").isZero();
            memory.set(ValueLayout.JAVA_LONG, 0, 7L);
            assertThat(memory.get(ValueLayout.JAVA_LONG, 0)).as("still mapped afterwards").isEqualTo(7L);

            Libc.madviseHugepage(address, bytes); // true or false by kernel config, never an exception
        } finally {
            Libc.munmap(address, bytes);
        }
    }

    @Test
    void noReserveMappingsCostNothingUntilTouched() throws IOException {
        long bytes = 1L << 30;
        long before = rssKb();
        long address = Libc.mmapAnonymous(bytes);
        try {
            assertThat(rssKb() - before).as("RSS growth in kB after mapping 1 GB").isLessThan(64 * 1024);
        } finally {
            Libc.munmap(address, bytes);
        }
    }

    @Test
    void aMappingTheKernelRefusesIsAnOutOfMemoryError() {
        assertThatThrownBy(() -> Libc.mmapAnonymous(Long.MAX_VALUE & ~(PAGE - 1)))
                .isInstanceOf(OutOfMemoryError.class)
                .hasMessageStartingWith("mmap of ")
                .hasMessageContaining("failed: ");
    }

    @Test
    void badArgumentsCarryErrnoAndItsText() {
        assertThatThrownBy(() -> Libc.madviseDontneed(1, PAGE))
                .isInstanceOf(LibcException.class)
                .hasMessage("madvise: Invalid argument")
                .extracting(e -> ((LibcException) e).errno()).isEqualTo(22);
    }

    @Test
    void rusageIsCpuSecondsSoFar() {
        double[] before = Libc.getrusage();
        assertThat(before).hasSize(2);
        assertThat(before[0]).isGreaterThan(0.0);
        assertThat(before[1]).isGreaterThanOrEqualTo(0.0);
        long spin = System.nanoTime() + 50_000_000;
        long x = 0;
        while (System.nanoTime() < spin) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        assertThat(x).isNotNegative();
        assertThat(Libc.getrusage()[0]).isGreaterThan(before[0]);
    }

    @Test
    void processIdentity() throws IOException {
        assertThat((long) Libc.getpid()).isEqualTo(ProcessHandle.current().pid());
        String uidLine = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
        String[] ids = uidLine.split("\\s+");
        assertThat(Libc.getuid()).isEqualTo(Integer.parseInt(ids[1]));
        assertThat(Libc.geteuid()).isEqualTo(Integer.parseInt(ids[2]));
        assertThat(Libc.isRoot()).isEqualTo(Libc.getuid() == 0 || Libc.geteuid() == 0);
    }

    @Test
    void usersComeFromThePasswordDatabase() {
        assertThat(Libc.lookupUser("root")).isEqualTo(new Libc.UnixUser("root", 0, 0));
        assertThatThrownBy(() -> Libc.lookupUser("no-such-user-memfleet"))
                .isInstanceOf(LibcException.class)
                .hasMessage("can't find the user no-such-user-memfleet to switch to")
                .extracting(e -> ((LibcException) e).exitCode()).isEqualTo(67);
    }

    @Test
    void openFilesLimitCoversMaxConnsPlusHeadroom() {
        long soft = Libc.raiseNofileLimit(100);
        assertThat(soft).isGreaterThanOrEqualTo(100 + Libc.NOFILE_HEADROOM);
        assertThat(Libc.nofileLimit()[0]).isEqualTo(soft);
        assertThat(Libc.raiseNofileLimit(10)).as("never lowers").isEqualTo(soft);
    }

    @Test
    void openFilesBeyondWhatTheKernelAllowsFailInMemcachedsWords() {
        assertThatThrownBy(() -> Libc.raiseNofileLimit(Integer.MAX_VALUE - Libc.NOFILE_HEADROOM))
                .isInstanceOf(LibcException.class)
                .hasMessage("failed to set rlimit for open files. Try starting as root or requesting smaller "
                        + "maxconns value.")
                .extracting(e -> ((LibcException) e).exitCode()).isEqualTo(71);
    }

    @Test
    void strerrorIsGlibcsText() {
        assertThat(Libc.strerror(98)).isEqualTo("Address already in use");
        assertThat(Libc.strerror(2)).isEqualTo("No such file or directory");
    }

    private static long rssKb() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("VmRSS:")).mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                .findFirst().orElseThrow();
    }
}
