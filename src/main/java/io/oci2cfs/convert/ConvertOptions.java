package io.oci2cfs.convert;

import io.oci2cfs.erofs.FormatVersion;
import io.oci2cfs.image.Platform;
import java.nio.file.Path;

/**
 * How a conversion runs.
 *
 * @param platform which manifest of a multi-platform index to take
 * @param threads hashing workers, and layers read at once from a random-access source
 * @param breakHardlinks give every name its own inode, as mkcomposefs does for an unpacked tree
 * @param perLayerDir when set, also write one image per layer there
 * @param dumpFile when set, also write the composefs dump of the merged tree there
 * @param memoryBudget bytes of file content in flight between the parser and the hashing workers
 * @param progress report progress on stderr
 */
public record ConvertOptions(FormatVersion versions, Platform platform, int threads, boolean useEpoch,
        boolean skipXattrs, boolean userXattrs, boolean skipDevices, boolean breakHardlinks, Path perLayerDir,
        Path dumpFile, long memoryBudget, boolean progress) {
    public ConvertOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (skipXattrs && userXattrs) {
            throw new IllegalArgumentException("--skip-xattrs and --user-xattrs conflict");
        }
    }

    public static ConvertOptions defaults() {
        return new ConvertOptions(FormatVersion.DEFAULT, Platform.host(), Runtime.getRuntime().availableProcessors(),
                false, false, false, false, false, null, null, ContentPipeline.defaultBudget(), false);
    }

    public ConvertOptions withPlatform(Platform p) {
        return new ConvertOptions(versions, p, threads, useEpoch, skipXattrs, userXattrs, skipDevices,
                breakHardlinks, perLayerDir, dumpFile, memoryBudget, progress);
    }

    public ConvertOptions withThreads(int n) {
        return new ConvertOptions(versions, platform, n, useEpoch, skipXattrs, userXattrs, skipDevices,
                breakHardlinks, perLayerDir, dumpFile, memoryBudget, progress);
    }

    public ConvertOptions withPerLayerDir(Path dir) {
        return new ConvertOptions(versions, platform, threads, useEpoch, skipXattrs, userXattrs, skipDevices,
                breakHardlinks, dir, dumpFile, memoryBudget, progress);
    }

    public ConvertOptions withBreakHardlinks(boolean b) {
        return new ConvertOptions(versions, platform, threads, useEpoch, skipXattrs, userXattrs, skipDevices,
                b, perLayerDir, dumpFile, memoryBudget, progress);
    }
}
