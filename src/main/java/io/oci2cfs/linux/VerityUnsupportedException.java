package io.oci2cfs.linux;

import java.io.IOException;
import java.nio.file.Path;

/** The kernel or the filesystem holding a file has no fs-verity (EOPNOTSUPP or ENOTTY from the ioctl). */
public final class VerityUnsupportedException extends IOException {
    /** The message without the file name. */
    public static final String REASON = "fs-verity is not supported by this kernel or filesystem (EOPNOTSUPP)";

    public VerityUnsupportedException(Path file) {
        super(file + ": " + REASON);
    }
}
