package memfleet.node.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc calls a node makes, through the Foreign Function and Memory API, for x86_64 Linux with glibc.
 *
 * <p>Each function is one downcall handle, looked up once. Calls whose failure matters capture {@code errno}
 * in the same call (the JVM may overwrite it between calls) and report it with {@code strerror}'s text, as
 * memcached's {@code perror}-style messages do.
 */
public final class Libc {
    // <sys/mman.h>
    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_PRIVATE = 0x02;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_NORESERVE = 0x4000;
    static final int MADV_DONTNEED = 4;
    static final int MADV_HUGEPAGE = 14;
    static final int MCL_CURRENT = 1;
    static final int MCL_FUTURE = 2;
    static final int MCL_ONFAULT = 4;
    // <sys/resource.h>
    static final int RUSAGE_SELF = 0;
    static final int RLIMIT_CORE = 4;
    static final int RLIMIT_NOFILE = 7;
    static final long RLIM_INFINITY = -1L;
    // <errno.h>, <fcntl.h>
    static final int EPERM = 1;
    static final int EINVAL = 22;
    static final int ERANGE = 34;
    static final int O_RDWR = 2;

    /**
     * File descriptors a node needs beyond its client connections: the JVM's own (jars, epoll and event fds of
     * every event loop, timers), listeners and the pid file. memcached counts those inside {@code -c}; the
     * JVM needs more of them, so memfleet asks for this many more than {@code -c}.
     */
    public static final int NOFILE_HEADROOM = 256;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option KEEP_ERRNO = Linker.Option.captureCallState("errno");

    /** struct rlimit: rlim_cur, rlim_max (rlim_t is unsigned long). */
    private static final StructLayout RLIMIT = MemoryLayout.structLayout(
            JAVA_LONG.withName("rlim_cur"), JAVA_LONG.withName("rlim_max"));
    /** struct rusage: two struct timeval {tv_sec, tv_usec}, then 14 longs this class does not read. */
    private static final StructLayout RUSAGE = MemoryLayout.structLayout(
            JAVA_LONG.withName("ru_utime_sec"), JAVA_LONG.withName("ru_utime_usec"),
            JAVA_LONG.withName("ru_stime_sec"), JAVA_LONG.withName("ru_stime_usec"),
            MemoryLayout.sequenceLayout(14, JAVA_LONG).withName("rest"));
    /** struct passwd: pw_name, pw_passwd, pw_uid, pw_gid, pw_gecos, pw_dir, pw_shell. */
    private static final StructLayout PASSWD = MemoryLayout.structLayout(
            ADDRESS.withName("pw_name"), ADDRESS.withName("pw_passwd"),
            JAVA_INT.withName("pw_uid"), JAVA_INT.withName("pw_gid"),
            ADDRESS.withName("pw_gecos"), ADDRESS.withName("pw_dir"), ADDRESS.withName("pw_shell"));
    private static final long PW_UID = PASSWD.byteOffset(MemoryLayout.PathElement.groupElement("pw_uid"));
    private static final long PW_GID = PASSWD.byteOffset(MemoryLayout.PathElement.groupElement("pw_gid"));

    private static final MethodHandle MMAP = errnoCall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = errnoCall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MADVISE =
            errnoCall("madvise", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MLOCKALL = errnoCall("mlockall", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETRUSAGE = call("getrusage", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle GETRLIMIT =
            errnoCall("getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SETRLIMIT =
            errnoCall("setrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle GETEUID = call("geteuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETUID = call("getuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETPID = call("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETPWNAM_R = call("getpwnam_r",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle SETGROUPS =
            errnoCall("setgroups", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SETGID = errnoCall("setgid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETUID = errnoCall("setuid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSID = errnoCall("setsid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle OPEN = LINKER.downcallHandle(symbol("open"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            KEEP_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle DUP2 = errnoCall("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = call("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Libc() {}

    /** A user from the password database, as {@code getpwnam} gives it. */
    public record UnixUser(String name, int uid, int gid) {}

    /**
     * Maps {@code bytes} of private anonymous memory, readable and writable, without reserving swap
     * ({@code MAP_NORESERVE}): pages cost nothing until touched.
     *
     * @return the start address; wrap it with {@code MemorySegment.ofAddress(address).reinterpret(bytes)}
     * @throws OutOfMemoryError when the kernel refuses the mapping
     */
    public static long mmapAnonymous(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(CAPTURE);
            MemorySegment address = (MemorySegment) MMAP.invokeExact(errno, MemorySegment.NULL, bytes,
                    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
            if (address.address() == -1L) {
                throw new OutOfMemoryError("mmap of " + bytes + " bytes failed: " + strerror(errno(errno)));
            }
            return address.address();
        } catch (OutOfMemoryError | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Unmaps what {@link #mmapAnonymous} mapped. */
    public static void munmap(long address, long bytes) {
        check("munmap", invokeWithErrno(MUNMAP, MemorySegment.ofAddress(address), bytes));
    }

    /**
     * Asks for transparent huge pages on a mapping ({@code MADV_HUGEPAGE}).
     *
     * @return false when the kernel declines (no THP support, or THP set to {@code never})
     */
    public static boolean madviseHugepage(long address, long bytes) {
        return madvise(address, bytes, MADV_HUGEPAGE).result == 0;
    }

    /**
     * Gives the pages of a range back to the OS ({@code MADV_DONTNEED}): the range stays mapped and reads as
     * zeros afterwards, resident memory drops at once.
     */
    public static void madviseDontneed(long address, long bytes) {
        check("madvise", madvise(address, bytes, MADV_DONTNEED));
    }

    /** Called whenever the store hands pages back, so with exact types rather than the generic path. */
    private static Result madvise(long address, long bytes, int advice) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(CAPTURE);
            int rc = (int) MADVISE.invokeExact(errno, MemorySegment.ofAddress(address), bytes, advice);
            return new Result(rc, rc == -1 ? errno(errno) : 0);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Locks every page of the process in memory, now and in future ({@code -k}).
     *
     * <p>With {@code MCL_ONFAULT} where the kernel has it (Linux 4.4+): pages lock as they are first touched,
     * so the JVM's large reserved-but-unused ranges and the cache's not-yet-used memory are not all made
     * resident at once; touched pages still never swap, which is what {@code -k} is for.
     *
     * @throws LibcException e.g. {@code mlockall() failed: Cannot allocate memory} over RLIMIT_MEMLOCK
     */
    public static void mlockall() {
        Result r = invokeWithErrno(MLOCKALL, MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT);
        if (r.result != 0 && r.errno == EINVAL) {
            r = invokeWithErrno(MLOCKALL, MCL_CURRENT | MCL_FUTURE);
        }
        if (r.result != 0) {
            throw new LibcException("mlockall() failed: " + strerror(r.errno), r.errno, LibcException.EX_OSERR);
        }
    }

    /**
     * CPU time used by this process so far ({@code getrusage(RUSAGE_SELF)}), for {@code rusage_user} and
     * {@code rusage_system}.
     *
     * @return {user seconds, system seconds}, each exact to the microsecond the kernel reports
     */
    public static double[] getrusage() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment usage = arena.allocate(RUSAGE);
            int rc = (int) GETRUSAGE.invokeExact(RUSAGE_SELF, usage);
            if (rc != 0) {
                throw new LibcException("getrusage failed", 0, LibcException.EX_OSERR);
            }
            double user = usage.get(JAVA_LONG, 0) + usage.get(JAVA_LONG, 8) / 1e6;
            double system = usage.get(JAVA_LONG, 16) + usage.get(JAVA_LONG, 24) / 1e6;
            return new double[] {user, system};
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int getuid() {
        try {
            return (int) GETUID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** True when running as root, by real or effective uid (memcached's test before {@code -u}). */
    public static boolean isRoot() {
        return getuid() == 0 || geteuid() == 0;
    }

    /**
     * Looks {@code name} up in the password database ({@code getpwnam_r}).
     *
     * @throws LibcException {@code can't find the user NAME to switch to}, exit code 67, when there is none
     */
    public static UnixUser lookupUser(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            MemorySegment pwd = arena.allocate(PASSWD);
            MemorySegment result = arena.allocate(ADDRESS);
            for (long size = 16 * 1024; ; size *= 2) {
                MemorySegment buf = arena.allocate(size);
                int rc = (int) GETPWNAM_R.invokeExact(cName, pwd, buf, size, result);
                if (rc == ERANGE && size < 1024 * 1024) {
                    continue;
                }
                if (rc != 0 || result.get(ADDRESS, 0).address() == 0) {
                    throw new LibcException("can't find the user " + name + " to switch to", rc,
                            LibcException.EX_NOUSER);
                }
                return new UnixUser(name, pwd.get(JAVA_INT, PW_UID), pwd.get(JAVA_INT, PW_GID));
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Becomes {@code user} for good, as memcached's {@code -u} does: drops supplementary groups, then
     * {@code setgid}, then {@code setuid}. glibc applies the change to every thread of the process.
     *
     * <p>A refused {@code setgroups} with EPERM means the process is already unprivileged there: memcached
     * prints {@code failed to drop supplementary groups: ...} and carries on, and so does this.
     *
     * @throws LibcException with memcached's messages: {@code can't find the user %s to switch to} (exit 67),
     *     {@code failed to drop supplementary groups: %s}, {@code failed to assume identity of user %s}
     *     (exit 71)
     */
    public static void dropPrivileges(String user) {
        UnixUser u = lookupUser(user);
        Result groups = invokeWithErrno(SETGROUPS, 0L, MemorySegment.NULL);
        if (groups.result != 0) {
            String message = "failed to drop supplementary groups: " + strerror(groups.errno);
            if (groups.errno != EPERM) {
                throw new LibcException(message, groups.errno, LibcException.EX_OSERR);
            }
            System.err.println(message);
        }
        Result gid = invokeWithErrno(SETGID, u.gid());
        Result uid = gid.result == 0 ? invokeWithErrno(SETUID, u.uid()) : gid;
        if (uid.result != 0) {
            throw new LibcException("failed to assume identity of user " + user, uid.errno, LibcException.EX_OSERR);
        }
    }

    /**
     * Makes sure the process may open {@code maxConns} connections plus {@link #NOFILE_HEADROOM}
     * ({@code RLIMIT_NOFILE}), never lowering the limits it already has.
     *
     * <p>memcached sets both limits to exactly {@code -c}; a JVM needs descriptors of its own, and lowering the
     * hard limit could not be undone. When the hard limit is below the target and cannot be raised (not
     * root), the soft limit goes up to the hard one, which is enough as long as it still covers
     * {@code maxConns}.
     *
     * @return the soft limit now in force
     * @throws LibcException memcached's {@code failed to set rlimit for open files. Try starting as root or
     *     requesting smaller maxconns value.}, exit code 71, when not even {@code maxConns} fit
     */
    public static long raiseNofileLimit(int maxConns) {
        long target = (long) maxConns + NOFILE_HEADROOM;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlim = arena.allocate(RLIMIT);
            Result got = invokeWithErrno(GETRLIMIT, RLIMIT_NOFILE, rlim);
            if (got.result != 0) {
                throw new LibcException("failed to getrlimit number of files", got.errno, LibcException.EX_OSERR);
            }
            long cur = rlim.get(JAVA_LONG, 0);
            long max = rlim.get(JAVA_LONG, 8);
            if (atLeast(cur, target)) {
                return cur;
            }
            if (atLeast(max, target)) {
                return setNofile(rlim, target, max);
            }
            rlim.set(JAVA_LONG, 0, target);
            rlim.set(JAVA_LONG, 8, target);
            Result set = invokeWithErrno(SETRLIMIT, RLIMIT_NOFILE, rlim);
            if (set.result == 0) {
                return target;
            }
            if (atLeast(max, maxConns)) {
                return setNofile(rlim, max, max);
            }
            throw new LibcException("failed to set rlimit for open files. Try starting as root or requesting "
                    + "smaller maxconns value.", set.errno, LibcException.EX_OSERR);
        }
    }

    private static long setNofile(MemorySegment rlim, long cur, long max) {
        rlim.set(JAVA_LONG, 0, cur);
        rlim.set(JAVA_LONG, 8, max);
        Result set = invokeWithErrno(SETRLIMIT, RLIMIT_NOFILE, rlim);
        if (set.result != 0) {
            throw new LibcException("failed to set rlimit for open files. Try starting as root or requesting "
                    + "smaller maxconns value.", set.errno, LibcException.EX_OSERR);
        }
        return cur;
    }

    /** Unsigned comparison: rlim_t is unsigned and RLIM_INFINITY is all ones. */
    private static boolean atLeast(long limit, long wanted) {
        return Long.compareUnsigned(limit, wanted) >= 0;
    }

    /**
     * Maximizes the core file size ({@code -r}) like memcached: unlimited if allowed, else up to the hard
     * limit.
     *
     * @throws LibcException {@code failed to ensure corefile creation}, exit code 71, when the soft limit
     *     stays 0
     */
    public static void enableCoredumps() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlim = arena.allocate(RLIMIT);
            if (invokeWithErrno(GETRLIMIT, RLIMIT_CORE, rlim).result == 0) {
                long max = rlim.get(JAVA_LONG, 8);
                rlim.set(JAVA_LONG, 0, RLIM_INFINITY);
                rlim.set(JAVA_LONG, 8, RLIM_INFINITY);
                if (invokeWithErrno(SETRLIMIT, RLIMIT_CORE, rlim).result != 0) {
                    rlim.set(JAVA_LONG, 0, max);
                    rlim.set(JAVA_LONG, 8, max);
                    invokeWithErrno(SETRLIMIT, RLIMIT_CORE, rlim);
                }
            }
            Result again = invokeWithErrno(GETRLIMIT, RLIMIT_CORE, rlim);
            if (again.result != 0 || rlim.get(JAVA_LONG, 0) == 0) {
                throw new LibcException("failed to ensure corefile creation", again.errno, LibcException.EX_OSERR);
            }
        }
    }

    /** The core file size limit in force (soft), {@code -1} for unlimited. */
    public static long coreLimit() {
        return getrlimit(RLIMIT_CORE)[0];
    }

    /** The open files limits in force: soft and hard, {@code -1} for unlimited. */
    public static long[] nofileLimit() {
        return getrlimit(RLIMIT_NOFILE);
    }

    private static long[] getrlimit(int resource) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlim = arena.allocate(RLIMIT);
            check("getrlimit", invokeWithErrno(GETRLIMIT, resource, rlim));
            return new long[] {rlim.get(JAVA_LONG, 0), rlim.get(JAVA_LONG, 8)};
        }
    }

    /** Starts a new session with this process as leader, detached from any controlling terminal. */
    public static int setsid() {
        return check("setsid", invokeWithErrno(SETSID));
    }

    /**
     * Points standard input, output and error at {@code /dev/null}, as {@code daemon(3)} does; Java's
     * {@code System.out} and {@code System.err} write to the same descriptors and follow.
     */
    public static void redirectStdioToDevNull() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(errno, arena.allocateFrom("/dev/null"), O_RDWR, 0);
            if (fd < 0) {
                throw failure("open /dev/null", errno(errno));
            }
            for (int target = 0; target <= 2; target++) {
                check("dup2", invokeWithErrno(DUP2, fd, target));
            }
            if (fd > 2) {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The C library's text for an errno, e.g. {@code Address already in use}. */
    public static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** An int-returning call's result and the errno it left. */
    private record Result(int result, int errno) {}

    private static Result invokeWithErrno(MethodHandle handle, Object... args) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(CAPTURE);
            Object[] all = new Object[args.length + 1];
            all[0] = errno;
            System.arraycopy(args, 0, all, 1, args.length);
            int result = (int) handle.invokeWithArguments(all);
            return new Result(result, result == -1 ? errno(errno) : 0);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static int check(String call, Result r) {
        if (r.result == -1) {
            throw failure(call, r.errno);
        }
        return r.result;
    }

    private static LibcException failure(String call, int errno) {
        return new LibcException(call + ": " + strerror(errno), errno, LibcException.EX_OSERR);
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    private static MethodHandle call(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor);
    }

    private static MethodHandle errnoCall(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor, KEEP_ERRNO);
    }
}
