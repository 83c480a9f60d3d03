package io.oci2cfs.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code syncfs(2)}: makes everything written to one filesystem durable in one call, which is how a batch of
 * many thousand new objects is synced at once instead of one {@code fsync} per file.
 */
public final class SyncFs {
    private static final int O_RDONLY = 0;
    private static final int O_DIRECTORY = 0200000;

    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int open(byte[] path, int flags) throws LastErrorException;

        int syncfs(int fd) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private SyncFs() {
    }

    /** Syncs the filesystem holding {@code dir}. */
    public static void sync(Path dir) throws IOException {
        int fd;
        try {
            fd = LibC.INSTANCE.open(RawPaths.cString(dir), O_RDONLY | O_DIRECTORY);
        } catch (LastErrorException e) {
            throw new IOException(dir + ": cannot open for syncfs (errno " + e.getErrorCode() + ")");
        }
        try {
            LibC.INSTANCE.syncfs(fd);
        } catch (LastErrorException e) {
            throw new IOException(dir + ": syncfs failed (errno " + e.getErrorCode() + ")");
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }
}
