package io.oci2cfs.erofs;

import io.oci2cfs.tree.Node;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

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
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new IOException(target + ": directory " + dir + " does not exist");
        }
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            ErofsWriter.Result result;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                result = ErofsWriter.write(root, versions, out, digest);
                out.flush();
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // Not every filesystem can sync a directory; the rename itself already happened.
            }
            return result;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
