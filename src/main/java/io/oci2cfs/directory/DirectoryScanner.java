package io.oci2cfs.directory;

import io.oci2cfs.error.EnvironmentException;
import io.oci2cfs.error.UnsupportedTreeException;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.linux.RawPaths;
import io.oci2cfs.linux.Xattrs;
import io.oci2cfs.store.ObjectDigest;
import io.oci2cfs.store.ObjectStore;
import io.oci2cfs.store.Transaction;
import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.ContentRef;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Limits;
import io.oci2cfs.tree.Node;
import io.oci2cfs.tree.TreeFilters;
import io.oci2cfs.tree.TreeOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Walks a directory into a tree the way libcomposefs's {@code lcfs_build} and mkcomposefs's digest pass do.
 *
 * <p>Names and symlink targets are read as raw bytes (see {@link RawPaths}), so names that are not UTF-8
 * are kept exactly.
 */
public final class DirectoryScanner {

    private final TreeOptions options;
    private final int threads;
    private final List<FileJob> files = new ArrayList<>();
    private final Map<List<Object>, Node> inodes = new HashMap<>();
    /** Where the walk hands each regular file to the hashing workers. */
    private FluxSink<FileJob> found;

    /** One read buffer per worker thread, not one per file: a tree has tens of thousands of files. */
    private static final ThreadLocal<byte[]> READ_BUFFER = ThreadLocal.withInitial(() -> new byte[1 << 16]);

    /** A regular file whose digest (and maybe content) is still to be read. */
    public record FileJob(Node node, Path path) {
    }

    /** The tree, and each external regular file with the path its data comes from. */
    public record Scanned(Node root, List<FileJob> externalFiles) {
    }

    private DirectoryScanner(TreeOptions options, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.options = options;
        this.threads = threads;
    }

    /**
     * Reads the tree under {@code dir}, applying {@code options} to each entry as it reads it (xattrs that
     * {@code --skip-xattrs} drops are not even read, as in libcomposefs), and hashes its files on {@code threads}
     * threads.
     */
    public static Scanned scan(Path dir, TreeOptions options, int threads) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + ": not a directory");
        }
        DirectoryScanner s = new DirectoryScanner(options, threads);
        Node root = s.load(dir, stat(dir));
        // Each regular file is hashed on a worker as soon as the walk has found it, so reading the metadata
        // and hashing the contents overlap instead of running one after the other.
        parallel(Flux.create(sink -> {
            s.found = sink;
            try {
                s.walk(dir, root);
                sink.complete();
            } catch (IOException e) {
                sink.error(new UncheckedIOException(e));
            }
        }), threads, DirectoryScanner::hash);
        List<FileJob> external = new ArrayList<>();
        for (FileJob f : s.files) {
            if (f.node.content() == null && f.node.size() > 0) {
                external.add(f);
            }
        }
        return new Scanned(root, external);
    }

    /**
     * Copies each external file into the store under its digest (in parallel) and publishes them together;
     * objects the store already has are left as they are.
     */
    public static void fillStore(Scanned scanned, ObjectStore store, int threads) throws IOException {
        try (Transaction tx = store.begin(threads)) {
            tx.commit(stage(scanned, tx, threads));
        }
    }

    /**
     * Stages each external file in {@code tx} (in parallel) and returns their digests. A file that changed
     * since it was hashed fails.
     */
    public static java.util.Set<ObjectDigest> stage(Scanned scanned, Transaction tx, int threads) throws IOException {
        java.util.Set<ObjectDigest> digests = java.util.concurrent.ConcurrentHashMap.newKeySet();
        parallel(Flux.fromIterable(scanned.externalFiles()), threads, f -> {
            try (InputStream in = Files.newInputStream(f.path()); Transaction.StreamedObject o = tx.stream()) {
                byte[] buf = READ_BUFFER.get();
                for (int n; (n = in.read(buf)) > 0; ) {
                    try {
                        o.write(buf, 0, n);
                    } catch (IOException e) {
                        throw notStored(f.path(), tx, e);
                    }
                }
                byte[] digest;
                try {
                    digest = o.finish();
                } catch (IOException e) {
                    throw notStored(f.path(), tx, e);
                }
                if (!java.util.Arrays.equals(digest, f.node().digest())) {
                    throw new IOException(f.path() + ": changed while being copied into the store");
                }
                digests.add(new ObjectDigest(digest));
            }
        });
        return digests;
    }

    /** A write to the store that failed: the JDK's message (say "No space left on device") names no file. */
    private static IOException notStored(Path file, Transaction tx, IOException e) {
        return new EnvironmentException(file + ": cannot store it in " + tx.storeRoot() + ": " + e.getMessage(), e);
    }

    private void walk(Path dir, Node node) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(entries::add);
        }
        // Sorted by raw name, so that which name of a hardlinked inode comes first does not depend on readdir.
        java.util.TreeMap<ByteString, Path> sorted = new java.util.TreeMap<>();
        for (Path p : entries) {
            sorted.put(RawPaths.bytes(p.getFileName()), p);
        }
        for (Map.Entry<ByteString, Path> entry : sorted.entrySet()) {
            if (found != null && found.isCancelled()) {
                return; // a worker failed: its error is the one reported
            }
            Path p = entry.getValue();
            ByteString name = entry.getKey();
            try {
                Limits.checkName(name);
            } catch (Limits.Exceeded e) {
                throw new UnsupportedTreeException(p + ": " + e.getMessage(), e);
            }
            Map<String, Object> st = stat(p);
            int mode = (Integer) st.get("mode");
            if (!TreeFilters.keeps(mode, options)) {
                continue;
            }
            List<Object> inode = List.of(st.get("dev"), st.get("ino"));
            boolean linkable = !options.breakHardlinks() && !FileMode.isDir(mode);
            Node first = linkable ? inodes.get(inode) : null;
            if (first != null) {
                first.nlink(first.nlink() + 1);
                node.addChild(name, Node.hardlink(first.mode(), first));
                continue;
            }
            Node child = node.addChild(name, load(p, st));
            if (linkable) {
                inodes.put(inode, child);
            }
            if (child.isDirectory()) {
                walk(p, child);
            }
        }
    }

    /**
     * One lstat for everything the scan uses. Not "unix:*": that also resolves the owner and group names (a
     * passwd and group lookup per file), which took most of the scan's time.
     */
    private static Map<String, Object> stat(Path p) throws IOException {
        return Files.readAttributes(p, "unix:mode,ino,dev,uid,gid,rdev,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
    }

    private Node load(Path p, Map<String, Object> st) throws IOException {
        int mode = (Integer) st.get("mode");
        Node n = new Node(mode).uid((Integer) st.get("uid")).gid((Integer) st.get("gid"))
                .rdev((int) (long) (Long) st.get("rdev")).size((Long) st.get("size"));
        FileTime t = (FileTime) st.get("lastModifiedTime");
        long nanos = t.to(TimeUnit.NANOSECONDS);
        n.mtime(Math.floorDiv(nanos, 1_000_000_000L), (int) Math.floorMod(nanos, 1_000_000_000L));
        if (FileMode.isLink(mode)) {
            ByteString target = RawPaths.bytes(Files.readSymbolicLink(p));
            if (target.length() == 0) {
                throw new UnsupportedTreeException(p + ": symlink target is empty");
            }
            n.payload(target).size(target.length());
        }
        if (!options.skipXattrs()) {
            for (Map.Entry<ByteString, ByteString> x : Xattrs.list(p).entrySet()) {
                n.setXattr(x.getKey(), x.getValue());
            }
        }
        TreeFilters.applyToInode(n, options);
        try {
            if (FileMode.isLink(mode)) {
                Limits.checkSymlinkTarget(n.payload());
            }
            Limits.checkXattrs(n.xattrs());
        } catch (Limits.Exceeded e) {
            throw new UnsupportedTreeException(p + ": " + e.getMessage(), e);
        }
        if (FileMode.isReg(mode) && n.size() > 0) {
            // handed over once the walk is done with the node: from here on the walk only counts its further
            // names (nlink), a field its worker does not touch
            FileJob job = new FileJob(n, p);
            files.add(job);
            found.next(job);
        }
        return n;
    }

    private static void hash(FileJob f) throws IOException {
        Node n = f.node();
        FsVerityHasher h = FsVerityHasher.forThisThread();
        byte[] small = null;
        try (InputStream in = Files.newInputStream(f.path())) {
            if (n.size() <= ContentRef.INLINE_MAX) {
                small = in.readAllBytes();
                h.update(small, 0, small.length);
            } else {
                byte[] buf = READ_BUFFER.get();
                for (int k; (k = in.read(buf)) >= 0; ) {
                    h.update(buf, 0, k);
                }
            }
        }
        if (h.size() != n.size()) {
            throw new IOException(f.path() + ": changed size while being read (" + n.size() + " -> "
                    + h.size() + ")");
        }
        byte[] digest = h.digest();
        n.digest(digest).payloadFromDigest();
        n.content(small);
    }

    private interface IoTask {
        void run(FileJob f) throws IOException;
    }

    private static void parallel(Flux<FileJob> jobs, int threads, IoTask task) throws IOException {
        Scheduler pool = Schedulers.newParallel("oci2cfs-hash", threads);
        try {
            jobs.parallel(threads).runOn(pool).doOnNext(f -> {
                try {
                    task.run(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sequential().blockLast();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            pool.dispose();
        }
    }
}
