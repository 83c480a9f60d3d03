package io.oci2cfs.store;

import io.oci2cfs.fsverity.FsVerityHasher;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A batch of new objects that becomes visible all at once.
 *
 * <p>New objects are written into a private staging directory inside the store (named by digest, so that
 * nothing there is ever misnamed) without a sync per file. {@link #commit} makes the ones the caller keeps
 * durable in one pass, renames them into place and drops the rest, so a conversion whose upper layers delete
 * files leaves no unreferenced objects behind; {@link #close} without commit drops everything staged. Other
 * processes using the same store never see a staged object.
 */
public final class Transaction implements AutoCloseable {
    private final ObjectStore store;
    private final Path staging;
    /**
     * Digests staged in this batch and digests found in the store. Each maps to itself: its array is the one
     * the digest is returned as, whichever file it came from, so an image where many files share contents
     * holds each digest once (a million small files of thirty thousand contents: 46 MB less).
     */
    private final ConcurrentHashMap<ObjectDigest, ObjectDigest> staged = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ObjectDigest, ObjectDigest> inStore = new ConcurrentHashMap<>();
    /** Staged digests the caller will keep ({@link #keep}): moved here from {@link #staged}, so a keep set costs nothing. */
    private final ConcurrentHashMap<ObjectDigest, ObjectDigest> kept = new ConcurrentHashMap<>();
    private final AtomicLong reused = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private boolean finished;
    private final AtomicLong tempNames = new AtomicLong();
    private final boolean umaskKeepsMode;
    private final ConcurrentHashMap<Path, Path> stagingDirs = new ConcurrentHashMap<>();
    private final EarlyWriteback writeback;
    private static final Set<java.nio.file.attribute.PosixFilePermission> OBJECT_MODE =
            PosixFilePermissions.fromString("rw-r--r--");

    /** What a commit did: objects added, objects that were already there, bytes written to the store. */
    public record Summary(long added, long reused, long bytesWritten) {
    }

    Transaction(ObjectStore store) throws IOException {
        this.store = store;
        Files.createDirectories(store.root());
        this.staging = Files.createTempDirectory(store.root(), ".staging-");
        Path probe = staging.resolve(".mode-probe");
        try (FileChannel ignored = create(probe)) {
            umaskKeepsMode = Files.getPosixFilePermissions(probe).equals(OBJECT_MODE);
        }
        Files.delete(probe);
        writeback = new EarlyWriteback(staging);
    }

    /** Objects are created 0644; only when the umask takes bits away does each need a chmod afterwards. */
    private static FileChannel create(Path p) throws IOException {
        return FileChannel.open(p, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OBJECT_MODE));
    }

    private void fixMode(Path p) throws IOException {
        if (!umaskKeepsMode) {
            Files.setPosixFilePermissions(p, OBJECT_MODE);
        }
    }

    /** Stores a whole object held in memory; nothing is written when the store or this batch has it. */
    public byte[] put(byte[] data, int len) throws IOException {
        ObjectDigest digest = new ObjectDigest(FsVerityHasher.digestOf(data, len));
        ObjectDigest known = known(digest);
        if (known == null) {
            known = staged.putIfAbsent(digest, digest);
        }
        if (known != null) {
            return known.bytes();
        }
        String hex = digest.hex();
        // The digest is known before writing, so the file goes straight to its staged name.
        try (FileChannel ch = create(staged(hex))) {
            ByteBuffer b = ByteBuffer.wrap(data, 0, len);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
        fixMode(staged(hex));
        bytesWritten.addAndGet(len);
        writeback.written(len);
        return digest.bytes();
    }

    /** Starts an object streamed in chunks; its digest is known at {@link StreamedObject#finish()}. */
    public StreamedObject stream() throws IOException {
        return new StreamedObject(staging.resolve(".w-" + tempNames.incrementAndGet()));
    }

    /**
     * Where an object is staged: under its two-digit prefix, as in the store, so that parallel workers do not
     * all create files in one directory (its lock serializes them).
     */
    private Path staged(String hex) throws IOException {
        return directoryOnce(stagingDirs, staging.resolve(hex.substring(0, 2))).resolve(hex);
    }

    /**
     * Creates {@code dir} the first time any thread asks; computeIfAbsent holds back the others asking for it
     * until it exists, so none of them tries to create a file in a directory that is not there yet.
     */
    private static Path directoryOnce(ConcurrentHashMap<Path, Path> made, Path dir) throws IOException {
        try {
            return made.computeIfAbsent(dir, d -> {
                try {
                    return Files.createDirectories(d);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The canonical instance of a digest this batch has staged or the store holds; null for a new one. */
    private ObjectDigest known(ObjectDigest digest) {
        ObjectDigest c = staged.get(digest);
        if (c == null) {
            c = kept.get(digest);
        }
        if (c == null) {
            c = inStore.get(digest);
        }
        if (c == null && store.contains(digest.bytes())) {
            c = inStore.putIfAbsent(digest, digest);
            if (c == null) {
                reused.incrementAndGet();
                c = digest;
            }
        }
        return c;
    }

    /**
     * Marks an object for {@link #commit()} to publish. Digests this batch did not stage (already in the
     * store, or never put) are ignored. Call once the puts are done.
     */
    public void keep(byte[] digest) {
        ObjectDigest d = staged.remove(new ObjectDigest(digest));
        if (d != null) {
            kept.put(d, d);
        }
    }

    /** Marks the objects {@code keep} holds, then {@link #commit()}s. */
    public Summary commit(Set<ObjectDigest> keep) throws IOException {
        for (ObjectDigest d : keep) {
            keep(d.bytes());
        }
        return commit();
    }

    /**
     * Publishes the objects marked with {@link #keep}: fsync, rename into {@code xx/<62 hex>}, fsync the
     * directories; everything else staged is deleted.
     */
    public Summary commit() throws IOException {
        if (finished) {
            throw new IllegalStateException("transaction already finished");
        }
        writeback.close();
        enableVerity();
        // Durability once for the whole batch: the staged data first, then the renames that publish it.
        syncFilesystem();
        // Renames in different prefix directories do not contend, so they run on all cores.
        ConcurrentHashMap<Path, Path> madeDirs = new ConcurrentHashMap<>();
        long added;
        try {
            added = kept.keySet().parallelStream().filter(d -> {
                try {
                    return publish(d, madeDirs);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).count();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        if (added > 0) {
            syncFilesystem();
        }
        close();
        return new Summary(added, reused.get(), bytesWritten.get());
    }

    /** Renames one staged object into {@code xx/<62 hex>}; false when the store already has it. */
    private boolean publish(ObjectDigest d, ConcurrentHashMap<Path, Path> madeDirs) throws IOException {
        Path target = store.pathOf(d.bytes());
        directoryOnce(madeDirs, target.getParent());
        if (Files.exists(target)) {
            return false;
        }
        Files.move(staged(d.hex()), target, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    /**
     * Turns on fs-verity for the objects about to be published, as mkcomposefs does for its digest store, so
     * that images can be mounted with {@code verity=require}. Best effort: the first object the filesystem
     * refuses (no verity support there) stops the attempts.
     */
    private void enableVerity() throws IOException {
        for (ObjectDigest d : kept.keySet()) {
            if (!io.oci2cfs.linux.FsVerity.enable(staged(d.hex()))) {
                return;
            }
        }
    }

    private void syncFilesystem() throws IOException {
        try {
            io.oci2cfs.linux.SyncFs.sync(staging);
        } catch (IOException | UnsatisfiedLinkError | NoClassDefFoundError e) {
            // No syncfs here: fall back to one fsync per staged file and per directory.
            for (ObjectDigest d : kept.keySet()) {
                Path p = staged(d.hex());
                if (Files.exists(p)) {
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                }
            }
            ObjectStore.fsyncDirectory(staging);
            ObjectStore.fsyncDirectory(store.root());
        }
    }

    /** Drops whatever is still staged (all of it when {@link #commit} was not called). */
    @Override
    public void close() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        writeback.close();
        // The caller may keep this open while it writes the image; what was staged is of no use by then.
        staged.clear();
        kept.clear();
        inStore.clear();
        try (Stream<Path> s = Files.walk(staging)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * An object whose bytes arrive in chunks; hashed and written as they come. {@link #close()} without
     * {@link #finish()} drops it.
     */
    public final class StreamedObject extends java.io.OutputStream {
        private final Path tmp;
        private final FileChannel channel;
        private final FsVerityHasher hasher = new FsVerityHasher();
        private boolean done;

        private StreamedObject(Path tmp) throws IOException {
            this.tmp = tmp;
            this.channel = create(tmp);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            hasher.update(b, off, len);
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            writeback.written(len);
        }

        /** Names the object by its digest (dropping it when it is already known) and returns the digest. */
        public byte[] finish() throws IOException {
            done = true;
            channel.close();
            ObjectDigest digest = new ObjectDigest(hasher.digest());
            ObjectDigest known = known(digest);
            if (known == null) {
                known = staged.putIfAbsent(digest, digest);
            }
            if (known == null) {
                fixMode(tmp);
                Files.move(tmp, staged(digest.hex()), StandardCopyOption.ATOMIC_MOVE);
                bytesWritten.addAndGet(hasher.size());
                return digest.bytes();
            }
            Files.deleteIfExists(tmp);
            return known.bytes();
        }

        @Override
        public void close() throws IOException {
            if (!done) {
                done = true;
                channel.close();
                Files.deleteIfExists(tmp);
            }
        }
    }
}
