package io.oci2cfs.store;

import io.oci2cfs.error.EnvironmentException;
import io.oci2cfs.fsverity.FsVerityHasher;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A batch of new objects that becomes visible all at once.
 *
 * <p>New objects are written into a private staging directory inside the store, laid out like the store
 * ({@code xx/<62 hex>}, so that nothing there is ever misnamed), without a sync per file. {@link #commit}
 * makes the ones the caller keeps durable in one pass, moves them into place and drops the rest, so a
 * conversion whose upper layers delete files leaves no unreferenced objects behind; {@link #close} without
 * commit drops everything staged. Other processes using the same store never see a staged object.
 *
 * <p>From its start until {@link #close} a transaction holds the store lock shared ({@link StoreLock}), so that
 * gc cannot delete an object it has found in the store: callers close it once the image that references its
 * objects is written.
 */
public final class Transaction implements AutoCloseable {
    private final ObjectStore store;
    private final Path staging;
    /** Held while the staging directory exists: tells other processes its owner is alive (StrayFiles). */
    private final StrayFiles.Staging stagingLock;
    private final ExitCleanup.Registration exitCleanup;
    /** Why the store cannot be written (a read-only mount, say), or null: it may still hold every object needed. */
    private final String readOnly;
    /**
     * Digests staged in this batch and digests found in the store. Each maps to itself: its array is the one
     * the digest is returned as, whichever file it came from, so an image where many files share contents
     * holds each digest once (a million small files of thirty thousand contents: 46 MB less).
     */
    private final ConcurrentHashMap<ObjectDigest, ObjectDigest> staged = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ObjectDigest, ObjectDigest> inStore = new ConcurrentHashMap<>();
    /** Staged digests the caller will keep ({@link #keep}): moved here from {@link #staged}, so a keep set costs nothing. */
    private final ConcurrentHashMap<ObjectDigest, ObjectDigest> kept = new ConcurrentHashMap<>();
    /** What the store held when this batch first looked: one listing per prefix instead of a stat per object. */
    private final PrefixListing listing;
    private final AtomicLong reused = new AtomicLong();
    private final AtomicLong bytesReused = new AtomicLong();
    private final AtomicLong bytesAdded = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    /** Bytes staged but not published: dropped unkept, or found published by another batch. */
    private final AtomicLong bytesDropped = new AtomicLong();
    private boolean finished;
    private final AtomicLong tempNames = new AtomicLong();
    private final boolean umaskKeepsMode;
    private final ConcurrentHashMap<Path, Path> stagingDirs = new ConcurrentHashMap<>();
    private final EarlyWriteback writeback;
    /** Held shared from the first look at the store until {@link #close}: see {@link StoreLock}. */
    private final StoreLock.Hold storeLock;
    /** Deletes, from the commit on, the staged objects nobody keeps; {@link #close} waits for it. */
    private Thread dropper;
    /** The commit's renames and the unlinks of what nobody keeps run here, as many at once as the caller allows. */
    private final ForkJoinPool workers;
    /** Unlinks in flight at once: they wait for the device, not for a CPU. */
    private static final int UNLINK_THREADS = 8;
    private volatile IOException dropFailure;
    /**
     * The first object that was claimed but not staged. Other files may already carry its digest (they found
     * it claimed), so the batch must not commit: it would publish a missing or partial object.
     */
    private volatile IOException stagingFailure;
    private static final Set<java.nio.file.attribute.PosixFilePermission> OBJECT_MODE =
            PosixFilePermissions.fromString("rw-r--r--");

    /**
     * What a commit did: objects added, objects that were already there, bytes written (staged, including
     * objects dropped or found published meanwhile by another batch), the bytes of the objects that were
     * already there, and the bytes of the objects added.
     */
    public record Summary(long added, long reused, long bytesWritten, long bytesReused, long bytesAdded) {
    }

    Transaction(ObjectStore store, int threads) throws IOException {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.store = store;
        if (Files.exists(store.root()) && !Files.isDirectory(store.root())) {
            throw new IOException(store.root() + ": not a directory");
        }
        Files.createDirectories(store.root());
        this.storeLock = StoreLock.shared(store.root());
        this.listing = new PrefixListing(store.root());
        StrayFiles.Staging lock;
        String whyReadOnly = null;
        try {
            // What killed runs left: their owners are gone, so nothing else will ever remove it.
            StrayFiles.removeDead(StrayFiles.inStore(store.root()));
            try {
                lock = StrayFiles.newStaging(store.root());
            } catch (java.nio.file.FileSystemException e) {
                if (!(e instanceof java.nio.file.AccessDeniedException)
                        && !"Read-only file system".equals(e.getReason())) {
                    throw e;
                }
                // Objects the store lacks are still hashed (and staged elsewhere) so that the commit can name them.
                whyReadOnly = e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getReason();
                lock = StrayFiles.newStaging(Path.of(System.getProperty("java.io.tmpdir")));
            }
        } catch (IOException | RuntimeException e) {
            storeLock.close();
            throw e;
        }
        this.stagingLock = lock;
        this.readOnly = whyReadOnly;
        this.staging = stagingLock.dir();
        this.exitCleanup = ExitCleanup.register(this::removeAtExit);
        try {
            Path probe = staging.resolve(".mode-probe");
            try (FileChannel ignored = create(probe)) {
                umaskKeepsMode = Files.getPosixFilePermissions(probe).equals(OBJECT_MODE);
            }
            Files.delete(probe);
        } catch (IOException | RuntimeException e) {
            try {
                removeStaging();
            } finally {
                storeLock.close();
            }
            throw e;
        }
        writeback = new EarlyWriteback(staging);
        workers = new ForkJoinPool(threads);
    }

    /**
     * At JVM exit (SIGINT, SIGTERM) while this batch is open: deletes its staging directory under the feet of
     * the workers, without waiting for them. Objects already published stay: each is complete under its name.
     */
    private void removeAtExit() {
        try {
            removeStaging();
        } catch (IOException e) {
            // StrayFiles removes the rest at the next run: the lock dies with the process.
        }
    }

    /** Deletes the staging directory, then its lock file, then lets the lock go. */
    private void removeStaging() throws IOException {
        try {
            StrayFiles.deleteTree(staging);
            Files.deleteIfExists(stagingLock.lockFile());
        } finally {
            stagingLock.lock().close();
            exitCleanup.close();
        }
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

    /** The store's directory, for messages. */
    public Path storeRoot() {
        return store.root();
    }

    /** Stores a whole object held in memory; nothing is written when the store or this batch has it. */
    public byte[] put(byte[] data, int len) throws IOException {
        ObjectDigest digest = new ObjectDigest(FsVerityHasher.digestOf(data, len));
        ObjectDigest known = claim(digest, len);
        if (known != null) {
            return known.bytes();
        }
        Path path = staged(digest);
        try {
            // The digest is known before writing, so the file goes straight to its staged name.
            try (FileChannel ch = create(path)) {
                ByteBuffer b = ByteBuffer.wrap(data, 0, len);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
            fixMode(path);
        } catch (IOException e) {
            throw notStaged(digest, e);
        }
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
    private Path staged(ObjectDigest d) throws IOException {
        return directoryOnce(stagingDirs, staging.resolve(d.directoryName())).resolve(d.fileName());
    }

    /**
     * Creates {@code dir} the first time any thread asks; computeIfAbsent holds back the others asking for it
     * until it exists, so none of them tries to create a file in a directory that is not there yet.
     */
    private static Path directoryOnce(ConcurrentHashMap<Path, Path> made, Path dir) throws IOException {
        try {
            return made.computeIfAbsent(dir, d -> {
                try {
                    // Not createDirectories: a staging directory deleted at exit must not come back.
                    return Files.isDirectory(d) ? d : Files.createDirectory(d);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Records that a claimed digest has no staged object, which stops {@link #commit()}; returns {@code e}. */
    private IOException notStaged(ObjectDigest digest, IOException e) {
        if (stagingFailure == null) {
            stagingFailure = new IOException("object " + digest.hex() + " was not stored: " + e.getMessage(), e);
        }
        return e;
    }

    /**
     * Null when the caller is the first to bring {@code digest} and must stage the object; otherwise the
     * canonical instance of the digest, which this batch has staged already or the store holds.
     */
    private ObjectDigest claim(ObjectDigest digest, long size) {
        ObjectDigest known = known(digest, size);
        return known != null ? known : staged.putIfAbsent(digest, digest);
    }

    /**
     * The canonical instance of a digest this batch has staged or the store holds; null for a new one.
     * {@code size} is the object's, counted once when the store turns out to hold it.
     */
    private ObjectDigest known(ObjectDigest digest, long size) {
        ObjectDigest c = staged.get(digest);
        if (c == null) {
            c = kept.get(digest);
        }
        if (c == null) {
            c = inStore.get(digest);
        }
        if (c == null && listing.mayHold(digest.bytes()) && store.contains(digest.bytes())) {
            c = inStore.putIfAbsent(digest, digest);
            if (c == null) {
                reused.incrementAndGet();
                bytesReused.addAndGet(size);
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
     * Publishes the objects marked with {@link #keep}: fsync, move into {@code xx/<62 hex>}, fsync again.
     * The other staged objects are deleted in the background; {@link #close} waits for that.
     */
    public Summary commit() throws IOException {
        if (finished) {
            throw new IllegalStateException("transaction already finished");
        }
        if (stagingFailure != null) {
            throw new IOException(store.root() + ": " + stagingFailure.getMessage(), stagingFailure);
        }
        if (readOnly != null && !kept.isEmpty()) {
            throw new EnvironmentException(store.root() + ": the store cannot be written (" + readOnly
                    + ") and lacks " + kept.size() + " of the objects needed");
        }
        writeback.close();
        dropUnkept();
        enableVerity();
        // Durability once for the whole batch: the staged data first, then the renames that publish it.
        syncFilesystem(false);
        long added = publishByPrefix();
        if (added > 0) {
            syncFilesystem(true);
        }
        finish();
        return new Summary(added, reused.get(), bytesWritten.get(), bytesReused.get(), bytesAdded.get());
    }

    private void finish() {
        finished = true;
        writeback.close();
        staged.clear();
        kept.clear();
        inStore.clear();
    }

    /**
     * Moves the staged objects nobody keeps out of the prefix directories, so that those hold only objects to
     * publish, and deletes them on other threads meanwhile. The unlinks are what costs: on ext4 mounted with
     * {@code discard}, each unlink of a file whose blocks are on disk waits for the device, while a rename does not
     * (figures: docs/performance.md).
     */
    private void dropUnkept() throws IOException {
        if (staged.isEmpty()) {
            return;
        }
        Path drop = Files.createDirectory(staging.resolve(".drop"));
        List<ObjectDigest> unkept = new ArrayList<>(staged.keySet());
        List<Path> dropped = unkept.stream().map(d -> drop.resolve(d.hex())).toList();
        forEachParallel(java.util.stream.IntStream.range(0, unkept.size()).boxed(), i -> {
            Path from = staged(unkept.get(i));
            bytesDropped.addAndGet(Files.size(from));
            Files.move(from, dropped.get(i), StandardCopyOption.ATOMIC_MOVE);
        });
        dropper = new Thread(() -> {
            try {
                deleteFromThreads(dropped);
            } catch (IOException e) {
                dropFailure = e;
            }
        }, "oci2cfs-drop-unkept");
        dropper.start();
    }

    /**
     * Unlinks on a pool of their own: on a {@code discard} mount each unlink waits for the device, so a few in
     * flight overlap their waits whatever the CPU count, and on {@link #workers} they would hold up the
     * commit's renames, which run at the same time.
     */
    private static void deleteFromThreads(List<Path> files) throws IOException {
        ForkJoinPool unlinkers = new ForkJoinPool(UNLINK_THREADS);
        try {
            forEachParallel(unlinkers, files.stream(), Files::deleteIfExists);
        } finally {
            unlinkers.shutdown();
        }
    }

    /**
     * Moves each staged prefix directory into the store whole when the store has none of that name (a new
     * store: 256 renames instead of one per object), and otherwise renames its objects one by one.
     */
    private long publishByPrefix() throws IOException {
        java.util.Map<String, List<ObjectDigest>> byPrefix = new java.util.HashMap<>();
        for (ObjectDigest d : kept.keySet()) {
            byPrefix.computeIfAbsent(d.directoryName(), k -> new ArrayList<>()).add(d);
        }
        AtomicLong added = new AtomicLong();
        forEachParallel(byPrefix.entrySet().stream(), e -> {
            Path from = staging.resolve(e.getKey());
            Path to = store.root().resolve(e.getKey());
            if (Files.notExists(to) && renameDirectory(from, to)) {
                added.addAndGet(e.getValue().size());
                return;
            }
            Files.createDirectories(to);
            for (ObjectDigest d : e.getValue()) {
                if (publish(staged(d), to.resolve(d.fileName()))) {
                    added.incrementAndGet();
                } else {
                    // Another process published it since this batch looked.
                    reused.incrementAndGet();
                }
            }
        });
        // Every staged object was either published or dropped, so what was added needs no stat per object.
        bytesAdded.set(bytesWritten.get() - bytesDropped.get());
        return added.get();
    }

    /** Moves a staged object to {@code target} unless the store has it already; false then. */
    private boolean publish(Path from, Path target) throws IOException {
        switch (io.oci2cfs.linux.RenameNoReplace.move(from, target)) {
            case MOVED:
                return true;
            case TARGET_EXISTS:
                bytesDropped.addAndGet(Files.size(from));
                return false;
            default:
                if (Files.exists(target)) {
                    bytesDropped.addAndGet(Files.size(from));
                    return false;
                }
                Files.move(from, target, StandardCopyOption.ATOMIC_MOVE);
                return true;
        }
    }

    /** False when another process has made {@code to} meanwhile (and put objects there). */
    private static boolean renameDirectory(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private interface IoAction<T> {
        void run(T t) throws IOException;
    }

    /**
     * Runs {@code action} on {@link #workers} for every element: renames in different directories do not
     * contend. A parallel stream started inside a pool runs on that pool, not on the common one.
     */
    private <T> void forEachParallel(Stream<T> items, IoAction<T> action) throws IOException {
        forEachParallel(workers, items, action);
    }

    private static <T> void forEachParallel(ForkJoinPool pool, Stream<T> items, IoAction<T> action)
            throws IOException {
        try {
            pool.submit(() -> items.parallel().forEach(t -> {
                try {
                    action.run(t);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            })).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.io.UncheckedIOException u) {
                throw u.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while moving objects");
        }
    }

    /**
     * Turns on fs-verity for the objects about to be published, as mkcomposefs does for its digest store, so
     * that images can be mounted with {@code verity=require}. Best effort: the first object the filesystem
     * refuses (no verity support there) stops the attempts.
     */
    private void enableVerity() throws IOException {
        for (ObjectDigest d : kept.keySet()) {
            if (!io.oci2cfs.linux.FsVerity.enable(staged(d))) {
                return;
            }
        }
    }

    /** Makes the kept objects durable: staged ones before they are published, published ones after. */
    private void syncFilesystem(boolean published) throws IOException {
        try {
            io.oci2cfs.linux.SyncFs.sync(staging);
        } catch (IOException | UnsatisfiedLinkError | NoClassDefFoundError e) {
            // No syncfs here: fall back to one fsync per kept file and per directory holding them.
            Set<Path> dirs = new java.util.HashSet<>();
            for (ObjectDigest d : kept.keySet()) {
                Path p = published ? store.pathOf(d.bytes()) : staged(d);
                dirs.add(p.getParent());
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
            dirs.forEach(ObjectStore::fsyncDirectory);
            ObjectStore.fsyncDirectory(published ? store.root() : staging);
        }
    }

    /**
     * Drops whatever is still staged (all of it when {@link #commit} was not called), waiting for the
     * deletions the commit started, and releases the store lock.
     */
    @Override
    public void close() throws IOException {
        if (!finished) {
            finish();
        }
        try {
            if (dropper != null) {
                joinDropper();
            }
        } finally {
            try {
                removeStaging();
            } finally {
                workers.shutdown();
                storeLock.close();
            }
        }
    }

    private void joinDropper() throws IOException {
        boolean interrupted = false;
        while (dropper.isAlive()) {
            try {
                dropper.join();
            } catch (InterruptedException e) {
                // Leaving now would leave the staging directory half deleted.
                interrupted = true;
            }
        }
        dropper = null;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        IOException failure = dropFailure;
        dropFailure = null;
        if (failure != null) {
            throw failure;
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
            ObjectDigest known = claim(digest, hasher.size());
            if (known == null) {
                try {
                    fixMode(tmp);
                    Files.move(tmp, staged(digest), StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw notStaged(digest, e);
                }
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
