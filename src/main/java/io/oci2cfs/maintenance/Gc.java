package io.oci2cfs.maintenance;

import io.oci2cfs.store.ObjectDigest;
import io.oci2cfs.store.StoreLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Deletes the objects that none of the given images references.
 *
 * <p>Two things keep it from deleting an object a conversion is about to reference. It holds the store lock
 * alone ({@link StoreLock}) from before it reads the images until it is done, and every conversion holds it
 * shared from its first look at the store until its image is written: so no conversion is between finding
 * an object and publishing an image that names it while gc runs, and images written before are on disk when
 * gc lists them. And objects younger than the grace period are kept, as git's gc keeps recent loose objects,
 * for writers that do not take the lock (another tool filling the same store).
 */
public final class Gc {
    private Gc() {
    }

    /** What a run deleted (or, dry, would delete), and what it kept. */
    public record Result(List<Path> deleted, long bytesDeleted, long objectsKept, long objectsTooRecent) {
    }

    /**
     * Runs gc on {@code store} keeping what {@code images} reference (listed once the lock is held; an image
     * deleted between its listing and its reading is left out) and whatever was modified less than
     * {@code grace} ago; with {@code dryRun}, deletes nothing and takes no lock.
     */
    public static Result run(Path store, ImageList images, Duration grace, boolean dryRun) throws IOException {
        if (!Files.isDirectory(store)) {
            throw new IOException(store + ": not a directory");
        }
        try (StoreLock.Hold lock = dryRun ? null : StoreLock.exclusive(store)) {
            Set<String> referenced = new java.util.HashSet<>();
            for (Path image : images.list()) {
                try {
                    referenced.addAll(StoreImages.objectsOf(image));
                } catch (IOException e) {
                    if (Files.exists(image, LinkOption.NOFOLLOW_LINKS)) {
                        throw e;
                    }
                    // Deleted since it was listed: what it referenced is no longer needed for it.
                }
            }
            Instant cutoff = Instant.now().minus(grace);
            List<Path> deleted = new ArrayList<>();
            long bytes = 0;
            long kept = 0;
            long recent = 0;
            for (Path dir : StoreImages.prefixDirs(store)) {
                String prefix = dir.getFileName().toString();
                List<Path> files;
                try (Stream<Path> s = Files.list(dir)) {
                    files = s.sorted().toList();
                }
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (!ObjectDigest.isFileName(name)) {
                        continue; // not an object: fsck's business
                    }
                    if (referenced.contains(prefix + "/" + name)) {
                        kept++;
                        continue;
                    }
                    BasicFileAttributes a;
                    try {
                        a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    } catch (NoSuchFileException e) {
                        continue;
                    }
                    if (!a.isRegularFile()) {
                        continue;
                    }
                    if (a.lastModifiedTime().toInstant().isAfter(cutoff)) {
                        recent++;
                        continue;
                    }
                    if (!dryRun) {
                        Files.deleteIfExists(f);
                    }
                    deleted.add(f);
                    bytes += a.size();
                }
            }
            return new Result(List.copyOf(deleted), bytes, kept, recent);
        }
    }

    /** The images to keep, listed once gc holds the lock (so that images written just before count). */
    @FunctionalInterface
    public interface ImageList {
        List<Path> list() throws IOException;
    }
}
