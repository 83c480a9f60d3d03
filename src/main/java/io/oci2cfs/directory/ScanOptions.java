package io.oci2cfs.directory;

/**
 * How a directory becomes a tree; the flags are those of mkcomposefs.
 *
 * @param keepHardlinks make names of one inode one hardlinked inode; mkcomposefs 1.0.8 instead gives every
 *     name its own inode with nlink 1, which is the default here for byte identity
 * @param threads how many files are hashed at once
 */
public record ScanOptions(boolean useEpoch, boolean skipDevices, boolean skipXattrs, boolean userXattrs,
        boolean keepHardlinks, int threads) {
    public ScanOptions {
        if (skipXattrs && userXattrs) {
            throw new IllegalArgumentException("--skip-xattrs and --user-xattrs conflict");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
    }

    public static ScanOptions defaults() {
        return new ScanOptions(false, false, false, false, false, Runtime.getRuntime().availableProcessors());
    }
}
