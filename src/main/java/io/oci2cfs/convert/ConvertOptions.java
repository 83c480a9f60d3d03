package io.oci2cfs.convert;

import io.oci2cfs.erofs.FormatVersion;
import io.oci2cfs.image.Platform;
import io.oci2cfs.tree.TreeOptions;
import java.nio.file.Path;

/**
 * How a conversion runs; made with {@link #builder()} or changed with {@link #toBuilder()}.
 *
 * @param versions the image format versions to write
 * @param platform which manifest of a multi-platform index to take
 * @param threads hashing workers, and layers read at once from a random-access source
 * @param tree what to keep of the tree: mkcomposefs's tree flags and the handling of hardlinks
 * @param perLayerDir when set, also write one image per layer there
 * @param dumpFile when set, also write the composefs dump of the merged tree there
 * @param memoryBudget bytes of file content in flight between the parser and the hashing workers
 * @param progress report progress on stderr
 */
public record ConvertOptions(FormatVersion versions, Platform platform, int threads, TreeOptions tree,
        Path perLayerDir, Path dumpFile, long memoryBudget, boolean progress) {
    public ConvertOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
    }

    /** Format {@link FormatVersion#DEFAULT}, the host's platform, a thread per CPU, the tree kept as it is. */
    public static ConvertOptions defaults() {
        return new ConvertOptions(FormatVersion.DEFAULT, Platform.host(), Runtime.getRuntime().availableProcessors(),
                TreeOptions.KEEP_ALL, null, null, ContentPipeline.defaultBudget(), false);
    }

    /** A builder that starts from {@link #defaults()}. */
    public static Builder builder() {
        return defaults().toBuilder();
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Sets what differs from the options it started from; {@link #build()} checks the result. */
    public static final class Builder {
        private FormatVersion versions;
        private Platform platform;
        private int threads;
        private TreeOptions tree;
        private Path perLayerDir;
        private Path dumpFile;
        private long memoryBudget;
        private boolean progress;

        private Builder(ConvertOptions o) {
            versions = o.versions;
            platform = o.platform;
            threads = o.threads;
            tree = o.tree;
            perLayerDir = o.perLayerDir;
            dumpFile = o.dumpFile;
            memoryBudget = o.memoryBudget;
            progress = o.progress;
        }

        public Builder versions(FormatVersion v) {
            versions = v;
            return this;
        }

        public Builder platform(Platform p) {
            platform = p;
            return this;
        }

        public Builder threads(int n) {
            threads = n;
            return this;
        }

        public Builder tree(TreeOptions t) {
            tree = t;
            return this;
        }

        public Builder perLayerDir(Path dir) {
            perLayerDir = dir;
            return this;
        }

        public Builder dumpFile(Path file) {
            dumpFile = file;
            return this;
        }

        public Builder memoryBudget(long bytes) {
            memoryBudget = bytes;
            return this;
        }

        public Builder progress(boolean b) {
            progress = b;
            return this;
        }

        public ConvertOptions build() {
            return new ConvertOptions(versions, platform, threads, tree, perLayerDir, dumpFile, memoryBudget, progress);
        }
    }
}
