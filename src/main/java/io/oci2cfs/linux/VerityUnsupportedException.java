package io.oci2cfs.linux;

import io.oci2cfs.error.EnvironmentException;
import java.nio.file.Path;

/** The kernel or the filesystem holding a file has no fs-verity (EOPNOTSUPP or ENOTTY from the ioctl). */
public final class VerityUnsupportedException extends EnvironmentException {
    private static final long serialVersionUID = 1L;

    /** The message without the file name. */
    public static final String REASON = "fs-verity is not supported by this kernel or filesystem (EOPNOTSUPP)";

    public VerityUnsupportedException(Path file) {
        super(file + ": " + REASON);
    }
}
