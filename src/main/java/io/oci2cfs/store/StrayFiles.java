package io.oci2cfs.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The private files a conversion makes and normally removes itself: staging directories in the store
 * ({@code .staging-PID-START-N/}, each with its lock file {@code .staging-PID-START-N.lock} beside it) and
 * temporary outputs beside an image ({@code .NAME.PID-START.N.tmp}). Their names carry their {@link Owner};
 * a process killed outright leaves them behind, and the next conversion removes those whose owner is dead.
 *
 * <p>An owner is alive when {@code /proc} shows its process, or when it holds the lock of what it made (a
 * process of another PID namespace, which {@code /proc} does not show): the lock file of a staging
 * directory, the temporary output itself. The lock file exists before its directory and is removed after
 * it, so a directory without one belongs to a process that is gone. Names without an owner (older
 * versions) are reported, never removed.
 */
public final class StrayFiles {
    private StrayFiles() {
    }

    /** What a stray is: a staging directory, its lock file, or a temporary output. */
    public enum Kind { STAGING, STAGING_LOCK, TEMPORARY_OUTPUT }

    /**
     * One stray file or directory.
     *
     * @param owner null when the name carries none
     * @param ownerAlive whether the owner still runs (then it is not stray yet); true for an unknown owner
     */
    public record Stray(Path path, Kind kind, Owner owner, boolean ownerAlive) {
        boolean removable() {
            return owner != null && !ownerAlive;
        }
    }

    private static final String STAGING = ".staging-";
    private static final String LOCK = ".lock";
    private static final Pattern STAGING_NAME = Pattern.compile("\\.staging-(\\d+)-(\\d+)-\\d+(\\.lock)?");
    private static final Pattern LEGACY_STAGING = Pattern.compile("\\.staging-\\d+");
    private static final Pattern TEMP_NAME = Pattern.compile("\\..+\\.(\\d+)-(\\d+)\\.\\d+\\.tmp");
    private static final Pattern LEGACY_TEMP = Pattern.compile("\\..+\\.\\d+\\.\\d+\\.tmp");
    private static final AtomicLong NAMES = new AtomicLong();

    /** A staging directory and the channel that holds its lock for as long as it lives. */
    record Staging(Path dir, Path lockFile, FileChannel lock) {
    }

    /** Makes a new staging directory in {@code root}: its lock file first (created new and locked), then it. */
    static Staging newStaging(Path root) throws IOException {
        while (true) {
            String name = STAGING + Owner.current().tag() + "-" + NAMES.incrementAndGet();
            Path lockFile = root.resolve(name + LOCK);
            FileChannel ch;
            try {
                ch = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
            } catch (FileAlreadyExistsException e) {
                continue;
            }
            try {
                ch.lock();
                return new Staging(Files.createDirectory(root.resolve(name)), lockFile, ch);
            } catch (IOException | RuntimeException e) {
                ch.close();
                Files.deleteIfExists(lockFile);
                if (e instanceof FileAlreadyExistsException) {
                    continue;
                }
                throw e;
            }
        }
    }

    /** The name of a temporary output for {@code target} in its directory; the caller creates and locks it. */
    public static String temporaryOutputName(String target) {
        return "." + target + "." + Owner.current().tag() + "." + NAMES.incrementAndGet() + ".tmp";
    }

    /** The staging directories and their lock files in the store at {@code root}. */
    public static List<Stray> inStore(Path root) throws IOException {
        List<Stray> out = new ArrayList<>();
        for (Path p : list(root)) {
            String name = p.getFileName().toString();
            if (!name.startsWith(STAGING)) {
                continue;
            }
            Matcher m = STAGING_NAME.matcher(name);
            boolean lockFile = name.endsWith(LOCK);
            Kind kind = lockFile ? Kind.STAGING_LOCK : Kind.STAGING;
            if (m.matches()) {
                Owner owner = new Owner(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
                Path lock = lockFile ? p : p.resolveSibling(name + LOCK);
                out.add(new Stray(p, kind, owner, owner.alive() || lockHeld(lock)));
            } else if (LEGACY_STAGING.matcher(name).matches() || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                out.add(new Stray(p, kind, null, true));
            }
        }
        return out;
    }

    /** The temporary outputs in {@code dir} (where images, dumps and per-layer images are written). */
    public static List<Stray> temporaryOutputs(Path dir) throws IOException {
        List<Stray> out = new ArrayList<>();
        for (Path p : list(dir)) {
            String name = p.getFileName().toString();
            if (!name.startsWith(".") || !name.endsWith(".tmp")) {
                continue;
            }
            Matcher m = TEMP_NAME.matcher(name);
            if (m.matches()) {
                Owner owner = new Owner(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
                out.add(new Stray(p, Kind.TEMPORARY_OUTPUT, owner, owner.alive() || lockHeld(p)));
            } else if (LEGACY_TEMP.matcher(name).matches()) {
                out.add(new Stray(p, Kind.TEMPORARY_OUTPUT, null, true));
            }
        }
        return out;
    }

    /**
     * Removes the strays whose owner is dead, directories before their lock files; best effort (another
     * process may be removing them too). Returns how many were removed.
     */
    public static int removeDead(List<Stray> strays) {
        int removed = 0;
        for (Kind kind : new Kind[] {Kind.STAGING, Kind.TEMPORARY_OUTPUT, Kind.STAGING_LOCK}) {
            for (Stray s : strays) {
                if (s.kind() == kind && s.removable()) {
                    try {
                        deleteTree(s.path());
                        removed++;
                    } catch (IOException e) {
                        // Left for the next run (or fsck) to report.
                    }
                }
            }
        }
        return removed;
    }

    /**
     * Deletes a file or a directory tree. Files vanishing meanwhile are fine, and a directory that gains
     * entries while it is emptied (a worker still writing into a staging directory while the process is being
     * stopped) is emptied again, a few times.
     */
    public static void deleteTree(Path root) throws IOException {
        for (int attempt = 0;; attempt++) {
            try {
                deleteOnce(root);
                return;
            } catch (DirectoryNotEmptyException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    private static void deleteOnce(Path root) throws IOException {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // already gone
        }
    }

    /**
     * True when another process holds the lock on {@code file}. Only called for owners {@code /proc} does not
     * show, never for this process's own files: closing a second channel on a file would release this
     * process's lock on it.
     */
    private static boolean lockHeld(Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return true; // cannot tell: keep it
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }
}
