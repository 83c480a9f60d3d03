package io.oci2cfs.output;

import io.oci2cfs.error.EnvironmentException;
import io.oci2cfs.error.UsageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Checks on the paths a command writes to, made before any work so that a typo does not cost a whole
 * conversion, and so that nothing but a regular file is ever replaced.
 */
public final class OutputPaths {
    private OutputPaths() {
    }

    /** Symlink hops followed before giving up, as the kernel's {@code MAXSYMLINKS}. */
    private static final int MAX_LINKS = 40;
    private static final int S_IFMT = 0170000;

    /**
     * The file that writing {@code target} will replace. A symlink at {@code target} is followed (to its end,
     * dangling or not) and its final target replaced atomically, as {@code cp} onto a link would write
     * through it: a link such as {@code current.cfs -> v3.cfs} keeps pointing where it did. The final path
     * must be a regular file or not exist, in an existing, writable directory; a directory, device node,
     * FIFO or socket is refused ({@code convert ... /dev/null} must not replace the system's
     * {@code /dev/null}).
     *
     * @param what how the path was given, for messages ("image", "--dump")
     */
    public static Path outputFile(String what, Path target) throws IOException {
        notEmpty(what, target);
        Path p = target.toAbsolutePath();
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops == MAX_LINKS) {
                throw new UsageException(what + " " + target + ": too many levels of symbolic links");
            }
            p = p.getParent().resolve(Files.readSymbolicLink(p));
        }
        Path dir = p.getParent();
        if (dir == null || p.getFileName() == null) {
            throw new UsageException(what + " " + target + ": is a directory, not a file");
        }
        if (!Files.isDirectory(dir)) {
            throw new UsageException(what + " " + target + ": directory " + dir + " does not exist");
        }
        Path real = dir.toRealPath().resolve(p.getFileName());
        if (Files.exists(real, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new UsageException(what + " " + target + ": is a " + kind(real) + ", not a regular file;"
                    + " refusing to replace it");
        }
        if (!Files.isWritable(real.getParent())) {
            throw new EnvironmentException(what + " " + target + ": directory " + real.getParent() + " is not writable");
        }
        return real;
    }

    /**
     * Checks a directory an output goes into: it exists as a directory, or it can be created (its parent
     * exists and is writable). Returns its absolute, normalized path.
     */
    public static Path outputDirectory(String what, Path dir) throws IOException {
        notEmpty(what, dir);
        Path p = dir.toAbsolutePath().normalize();
        if (Files.isDirectory(p)) {
            if (!Files.isWritable(p)) {
                throw new EnvironmentException(what + " " + dir + ": directory is not writable");
            }
            return p.toRealPath();
        }
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(p)) {
            throw new UsageException(what + " " + dir + ": not a directory");
        }
        Path parent = p.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new UsageException(what + " " + dir + ": directory " + parent + " does not exist");
        }
        if (!Files.isWritable(parent)) {
            throw new EnvironmentException(what + " " + dir + ": directory " + parent + " is not writable");
        }
        return parent.toRealPath().resolve(p.getFileName());
    }

    /** The object store's path: a directory or nothing yet (it is made then); returns its absolute form. */
    public static Path store(String what, Path store) throws IOException {
        notEmpty(what, store);
        if (Files.exists(store) && !Files.isDirectory(store)) {
            throw new UsageException(what + " " + store + ": not a directory");
        }
        return Files.isDirectory(store) ? store.toRealPath() : store.toAbsolutePath().normalize();
    }

    /** Refuses an output that would land inside the object store, where it would pass for stray content. */
    public static void notInside(String what, Path resolved, Path storeRoot) throws IOException {
        if (resolved.startsWith(storeRoot)) {
            throw new UsageException(what + " " + resolved + " is inside the object store " + storeRoot);
        }
    }

    /**
     * An empty path means the current directory to {@link Path#of}; as an argument it is always a mistake
     * (an unset shell variable).
     */
    static void notEmpty(String what, Path p) throws UsageException {
        if (p == null || p.toString().isEmpty()) {
            throw new UsageException(what + ": empty path");
        }
    }

    private static String kind(Path p) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return "directory";
        }
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & S_IFMT;
            return switch (mode) {
                case 0010000 -> "FIFO";
                case 0020000 -> "character device";
                case 0060000 -> "block device";
                case 0140000 -> "socket";
                default -> "special file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "special file";
        }
    }
}
