package io.oci2cfs.tree;

/**
 * What to keep of a tree, as mkcomposefs's flags say ({@code --use-epoch}, {@code --skip-xattrs},
 * {@code --user-xattrs}, {@code --skip-devices}) plus the handling of hardlinks; {@code mkcomposefs} and
 * {@code convert} share it, and {@link TreeFilters} applies it.
 *
 * @param useEpoch make every mtime zero
 * @param skipXattrs store no xattrs
 * @param userXattrs store only {@code user.*} xattrs
 * @param skipDevices drop character and block devices (whiteouts among them)
 * @param breakHardlinks give every name its own inode with nlink 1, as mkcomposefs 1.0.8 does for a directory
 */
public record TreeOptions(boolean useEpoch, boolean skipXattrs, boolean userXattrs, boolean skipDevices,
        boolean breakHardlinks) {
    /** Keep the tree as it is, hardlinks included. */
    public static final TreeOptions KEEP_ALL = new TreeOptions(false, false, false, false, false);

    public TreeOptions {
        if (skipXattrs && userXattrs) {
            throw new IllegalArgumentException("--skip-xattrs and --user-xattrs conflict");
        }
    }

    public TreeOptions withBreakHardlinks(boolean b) {
        return new TreeOptions(useEpoch, skipXattrs, userXattrs, skipDevices, b);
    }
}
