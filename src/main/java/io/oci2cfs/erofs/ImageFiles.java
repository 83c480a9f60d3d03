package io.oci2cfs.erofs;

import io.oci2cfs.output.OutputFiles;
import io.oci2cfs.tree.Node;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/** Publishes an image file atomically: written beside the target, made durable, then renamed into place. */
public final class ImageFiles {
    private ImageFiles() {
    }

    public static ErofsWriter.Result write(Node root, FormatVersion versions, Path target) throws IOException {
        return write(root, versions, target, true);
    }

    /** As {@link #write(Node, FormatVersion, Path)}; the image's fs-verity digest only when {@code digest}. */
    public static ErofsWriter.Result write(Node root, FormatVersion versions, Path target, boolean digest)
            throws IOException {
        return write(root, versions, target, digest, Runtime.getRuntime().availableProcessors());
    }

    /** As {@link #write(Node, FormatVersion, Path, boolean)}, the writer's parallel steps on {@code threads}. */
    public static ErofsWriter.Result write(Node root, FormatVersion versions, Path target, boolean digest, int threads)
            throws IOException {
        try (OutputFiles outputs = new OutputFiles()) {
            ErofsWriter.Result result = write(root, versions, target, digest, threads, outputs);
            outputs.commit();
            return result;
        }
    }

    /** Writes the image as one of {@code outputs}: it replaces {@code target} when they are committed. */
    public static ErofsWriter.Result write(Node root, FormatVersion versions, Path target, boolean digest,
            OutputFiles outputs) throws IOException {
        return write(root, versions, target, digest, Runtime.getRuntime().availableProcessors(), outputs);
    }

    /** As {@link #write(Node, FormatVersion, Path, boolean, OutputFiles)} on {@code threads} threads. */
    public static ErofsWriter.Result write(Node root, FormatVersion versions, Path target, boolean digest, int threads,
            OutputFiles outputs) throws IOException {
        OutputStream out = outputs.open("image", target);
        ErofsWriter.Result result = ErofsWriter.write(root, versions, out, digest, threads);
        out.flush();
        return result;
    }
}
