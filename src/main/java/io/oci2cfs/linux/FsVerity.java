package io.oci2cfs.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Memory;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.fsverity.HashAlgorithm;
import java.io.IOException;
import java.nio.file.Path;

/**
 * fs-verity through the kernel: {@code FS_IOC_MEASURE_VERITY} reads the digest of a file that has verity
 * enabled, {@code FS_IOC_ENABLE_VERITY} enables it (linux/fsverity.h).
 */
public final class FsVerity {
    private static final long FS_IOC_ENABLE_VERITY = 0x40806685L;
    private static final long FS_IOC_MEASURE_VERITY = 0xc0046686L;
    private static final int O_RDONLY = 0;
    private static final int MAX_DIGEST_SIZE = 64;
    private static final int EEXIST = 17;
    private static final int ENOTTY = 25;
    private static final int ETXTBSY = 26;
    private static final int EBADMSG = 74;
    private static final int EOPNOTSUPP = 95;
    private static final int ENOKEY = 126;
    private static final int EKEYREJECTED = 129;

    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int open(byte[] path, int flags) throws LastErrorException;

        int ioctl(int fd, long request, Pointer arg) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private FsVerity() {
    }

    /** The kernel's SHA-256 digest when verity is enabled on the file, else the digest computed from its bytes. */
    public static byte[] measure(Path file) throws IOException {
        return measure(file, HashAlgorithm.SHA256);
    }

    /**
     * The kernel's digest when verity is enabled on the file with {@code algorithm}, else the digest computed
     * from its bytes.
     */
    public static byte[] measure(Path file, HashAlgorithm algorithm) throws IOException {
        byte[] fromKernel = measureEnabled(file, algorithm);
        return fromKernel != null ? fromKernel : FsVerityHasher.digestOf(file, algorithm);
    }

    /** The SHA-256 digest the kernel holds for the file, or null when verity is not enabled (or unsupported). */
    public static byte[] measureEnabled(Path file) throws IOException {
        return measureEnabled(file, HashAlgorithm.SHA256);
    }

    /**
     * The digest the kernel holds for the file, or null when verity is not enabled on it, is unsupported, or
     * was enabled with another algorithm.
     */
    public static byte[] measureEnabled(Path file, HashAlgorithm algorithm) throws IOException {
        int fd = open(file);
        try (Memory arg = new Memory(4 + MAX_DIGEST_SIZE)) {
            arg.setShort(0, (short) 0);
            arg.setShort(2, (short) MAX_DIGEST_SIZE);
            LibC.INSTANCE.ioctl(fd, FS_IOC_MEASURE_VERITY, arg);
            if (arg.getShort(0) != algorithm.id() || arg.getShort(2) != algorithm.digestSize()) {
                return null;
            }
            return arg.getByteArray(4, algorithm.digestSize());
        } catch (LastErrorException e) {
            return null;
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    /** Enables fs-verity (SHA-256, 4 KiB blocks); returns false when the filesystem does not support it. */
    public static boolean enable(Path file) throws IOException {
        int errno = enableErrno(file, HashAlgorithm.SHA256, null);
        return errno == 0 || errno == EEXIST;
    }

    /**
     * Enables fs-verity on {@code file} with {@code algorithm} and 4 KiB blocks, with the kernel's built-in
     * signature check when {@code signature} (PKCS#7 DER over the fsverity_formatted_digest) is not null. A
     * file that has verity already is left as it is.
     *
     * @throws VerityUnsupportedException when the kernel or the filesystem has no fs-verity
     * @throws IOException naming the file and the kernel's reason otherwise
     */
    public static void enable(Path file, HashAlgorithm algorithm, byte[] signature) throws IOException {
        int errno = enableErrno(file, algorithm, signature);
        switch (errno) {
            case 0, EEXIST -> {
            }
            case EOPNOTSUPP, ENOTTY -> throw new VerityUnsupportedException(file);
            case EBADMSG, EKEYREJECTED -> throw new IOException(file + ": the kernel rejected the fs-verity "
                    + "signature (errno " + errno + ")");
            case ENOKEY -> throw new IOException(file + ": the signing certificate is not in the kernel's "
                    + ".fs-verity keyring (ENOKEY)");
            case ETXTBSY -> throw new IOException(file + ": cannot enable fs-verity, the file is open for writing");
            default -> throw new IOException(file + ": cannot enable fs-verity (errno " + errno + ")");
        }
    }

    private static int enableErrno(Path file, HashAlgorithm algorithm, byte[] signature) throws IOException {
        int fd = open(file);
        // struct fsverity_enable_arg: version, hash_algorithm, block_size, salt_size, salt_ptr, sig_size,
        // reserved, sig_ptr, reserved[11]
        try (Memory arg = new Memory(128); Memory sig = signature == null ? null : new Memory(signature.length)) {
            arg.clear();
            arg.setInt(0, 1);
            arg.setInt(4, algorithm.id());
            arg.setInt(8, FsVerityHasher.BLOCK_SIZE);
            if (sig != null) {
                sig.write(0, signature, 0, signature.length);
                arg.setInt(24, signature.length);
                arg.setLong(32, Pointer.nativeValue(sig));
            }
            LibC.INSTANCE.ioctl(fd, FS_IOC_ENABLE_VERITY, arg);
            return 0;
        } catch (LastErrorException e) {
            return e.getErrorCode();
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
