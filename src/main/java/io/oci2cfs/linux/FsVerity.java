package io.oci2cfs.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Memory;
import io.oci2cfs.fsverity.FsVerityHasher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * fs-verity through the kernel: {@code FS_IOC_MEASURE_VERITY} reads the digest of a file that has verity
 * enabled, {@code FS_IOC_ENABLE_VERITY} enables it (linux/fsverity.h).
 */
public final class FsVerity {
    private static final long FS_IOC_ENABLE_VERITY = 0x40806685L;
    private static final long FS_IOC_MEASURE_VERITY = 0xc0046686L;
    private static final int O_RDONLY = 0;

    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int open(byte[] path, int flags) throws LastErrorException;

        int ioctl(int fd, long request, Pointer arg) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private FsVerity() {
    }

    /** The kernel's digest when verity is enabled on the file, else the digest computed from its bytes. */
    public static byte[] measure(Path file) throws IOException {
        byte[] fromKernel = measureEnabled(file);
        if (fromKernel != null) {
            return fromKernel;
        }
        FsVerityHasher h = new FsVerityHasher();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) >= 0; ) {
                h.update(buf, 0, n);
            }
        }
        return h.digest();
    }

    /** The digest the kernel holds for the file, or null when verity is not enabled on it (or unsupported). */
    public static byte[] measureEnabled(Path file) throws IOException {
        int fd = open(file);
        try (Memory arg = new Memory(4 + 64)) {
            arg.setShort(0, (short) 0);
            arg.setShort(2, (short) 64);
            LibC.INSTANCE.ioctl(fd, FS_IOC_MEASURE_VERITY, arg);
            if (arg.getShort(0) != 1 || arg.getShort(2) != 32) {
                return null;
            }
            return arg.getByteArray(4, 32);
        } catch (LastErrorException e) {
            return null;
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    /** Enables fs-verity (SHA-256, 4 KiB blocks); returns false when the filesystem does not support it. */
    public static boolean enable(Path file) throws IOException {
        int fd = open(file);
        try (Memory arg = new Memory(128)) {
            arg.clear();
            arg.setInt(0, 1);           // version
            arg.setInt(4, 1);           // FS_VERITY_HASH_ALG_SHA256
            arg.setInt(8, 4096);        // block_size
            LibC.INSTANCE.ioctl(fd, FS_IOC_ENABLE_VERITY, arg);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == 17) { // EEXIST: already enabled
                return true;
            }
            return false;
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    private static int open(Path file) throws IOException {
        try {
            return LibC.INSTANCE.open(RawPaths.cString(file), O_RDONLY);
        } catch (LastErrorException e) {
            throw new IOException(file + ": cannot open (errno " + e.getErrorCode() + ")");
        }
    }
}
