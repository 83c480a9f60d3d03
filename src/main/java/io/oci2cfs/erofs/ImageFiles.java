package io.oci2cfs.erofs;

import io.oci2cfs.tree.Node;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** Publishes an image file atomically: written beside the target, made durable, then renamed into place. */
public final class ImageFiles {
    private ImageFiles() {
    }

    private static final AtomicLong TEMP_NAMES = new AtomicLong();

    private record Created(Path tmp, FileChannel channel) {
    }

    /**
     * A new private file beside {@code target}. Named from the process id and a counter rather than by
     * {@code Files.createTempFile}, whose SecureRandom took 15-20 ms of a short mkcomposefs run (async-profiler).
     */
    private static Created createBeside(Path dir, Path target) throws IOException {
        long pid = ProcessHandle.current().pid();
        while (true) {
            Path tmp = dir.resolve("." + target.getFileName() + "." + pid + "." + TEMP_NAMES.incrementAndGet() + ".tmp");
            try {
                return new Created(tmp, FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))));
            } catch (FileAlreadyExistsException e) {
                // left behind by an earlier process that had the same id: try the next name
            }
        }
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
        Created created = createBeside(dir, target);
        Path tmp = created.tmp();
        boolean done = false;
        try {
            ErofsWriter.Result result;
            try (FileChannel ch = created.channel()) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                result = ErofsWriter.write(root, versions, out, digest);
                out.flush();
                ch.force(true);
            }
            done = publish(tmp, target, dir);
            return result;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Writes {@code bytes} to {@code target} the same way: beside it, made durable, renamed into place. */
    public static void write(byte[] bytes, Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new IOException(target + ": directory " + dir + " does not exist");
        }
        Created created = createBeside(dir, target);
        boolean done = false;
        try {
            try (FileChannel ch = created.channel()) {
                for (ByteBuffer b = ByteBuffer.wrap(bytes); b.hasRemaining(); ) {
                    ch.write(b);
                }
                ch.force(true);
            }
            done = publish(created.tmp(), target, dir);
        } finally {
            if (!done) {
                Files.deleteIfExists(created.tmp());
            }
        }
    }

    private static boolean publish(Path tmp, Path target, Path dir) throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // Not every filesystem can sync a directory; the rename itself already happened.
        }
        return true;
    }
}
