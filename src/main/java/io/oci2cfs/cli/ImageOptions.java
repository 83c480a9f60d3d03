package io.oci2cfs.cli;

import io.oci2cfs.erofs.FormatVersion;
import io.oci2cfs.tree.TreeOptions;
import picocli.CommandLine.Option;

/** The options that mkcomposefs and convert share, with mkcomposefs's names and defaults. */
final class ImageOptions {
    @Option(names = "--print-digest", description = "Print the fs-verity digest of the image.")
    boolean printDigest;

    @Option(names = "--use-epoch", description = "Make all mtimes zero.")
    boolean useEpoch;

    @Option(names = "--skip-devices", description = "Don't store device nodes.")
    boolean skipDevices;

    @Option(names = "--skip-xattrs", description = "Don't store file xattrs.")
    boolean skipXattrs;

    @Option(names = "--user-xattrs", description = "Only store user.* xattrs.")
    boolean userXattrs;

    @Option(names = "--min-version", paramLabel = "N", description = "Minimal format version (default 0).")
    Integer minVersion;

    @Option(names = "--max-version", paramLabel = "N", description = "Maximal format version (default 1).")
    Integer maxVersion;

    @Option(names = "--threads", paramLabel = "N", description = "Threads that hash and copy files (default: CPUs).")
    Integer threads;

    FormatVersion versions() {
        return FormatVersion.fromFlags(minVersion, maxVersion);
    }

    /** The tree flags, with hardlinks broken or kept as the command's own {@code --hardlinks} says. */
    TreeOptions tree(boolean breakHardlinks) {
        return new TreeOptions(useEpoch, skipXattrs, userXattrs, skipDevices, breakHardlinks);
    }

    int threads() {
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (n < 1) {
            throw new IllegalArgumentException("invalid threads count " + n);
        }
        return n;
    }
}
