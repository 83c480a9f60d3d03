package io.oci2cfs.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code renameat2(2)} with {@code RENAME_NOREPLACE}: moves a file to a name only when nothing has it, in one
 * system call, where {@code rename(2)} would replace it and a check before it would cost another and race.
 */
public final class RenameNoReplace {
    private static final int AT_FDCWD = -100;
    private static final int RENAME_NOREPLACE = 1;
    private static final int EEXIST = 17;

    /**
     * libc's call, bound by JNA's direct mapping (a plain native call per object published, not reflection);
     * a libc without renameat2 fails this class's initialisation, which {@link #move} takes as unsupported.
     */
    private static final class LibC {
        static {
            Native.register(LibC.class, "c");
        }

        static native int renameat2(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags)
                throws LastErrorException;
    }

    /** What a rename did. */
    public enum Outcome { MOVED, TARGET_EXISTS, UNSUPPORTED }

    private RenameNoReplace() {
    }

    /**
     * Moves {@code from} to {@code to} unless {@code to} exists; {@link Outcome#UNSUPPORTED} when this system
     * or filesystem cannot do that in one call (then nothing happened, and the caller does it another way).
     */
    public static Outcome move(Path from, Path to) throws IOException {
        try {
            LibC.renameat2(AT_FDCWD, RawPaths.cString(from), AT_FDCWD, RawPaths.cString(to), RENAME_NOREPLACE);
            return Outcome.MOVED;
        } catch (LastErrorException e) {
            return switch (e.getErrorCode()) {
                case EEXIST -> Outcome.TARGET_EXISTS;
                // EINVAL: the filesystem does not support the flag; ENOSYS: the kernel has no renameat2
                case 22, 38 -> Outcome.UNSUPPORTED;
                default -> throw new IOException(from + " -> " + to + ": rename failed (errno " + e.getErrorCode() + ")");
            };
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return Outcome.UNSUPPORTED;
        }
    }
}
