package io.oci2cfs.store;

import io.oci2cfs.fsverity.FsVerityHasher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A directory of objects {@code xx/<62 hex>} keyed by fs-verity digest.
 *
 * <p>New objects are not fsynced one by one; {@link #sync()} makes every object this instance created
 * durable at once, which callers do before publishing an image that references them.
 */
public final class ObjectStore {
    private static final String TMP_PREFIX = ".tmp-";

    private final Path root;
    private final ConcurrentLinkedQueue<Path> unsynced = new ConcurrentLinkedQueue<>();

    public ObjectStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** The object's path relative to the store: {@code xx/<62 hex>}, also the image's redirect payload. */
    public static String relativePath(byte[] digest) {
        String hex = HexFormat.of().formatHex(digest);
        return hex.substring(0, 2) + "/" + hex.substring(2);
    }

    public Path pathOf(byte[] digest) {
        return root.resolve(relativePath(digest));
    }

    public boolean contains(byte[] digest) {
        return Files.isRegularFile(pathOf(digest));
    }

    /** Starts a batch of objects that become visible together at its commit. */
    public Transaction begin() throws IOException {
        return new Transaction(this);
    }

    /** Starts a new object whose digest is known only once all its bytes were written. */
    public ObjectWriter newObject() throws IOException {
        Files.createDirectories(root);
        Path tmp = Files.createTempFile(root, TMP_PREFIX, "");
        return new ObjectWriter(this, tmp);
    }

    /** Copies a whole stream into the store and returns its digest. */
    public StoredObject add(InputStream in) throws IOException {
        try (ObjectWriter w = newObject()) {
            byte[] buf = new byte[128 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                w.write(buf, 0, n);
            }
            return w.commit();
        }
    }

    /** Copies a file whose digest is already known, unless the store has it. */
    public StoredObject addFile(Path file, byte[] digest) throws IOException {
        Path target = pathOf(digest);
        if (Files.isRegularFile(target)) {
            return new StoredObject(digest, Files.size(target), false);
        }
        try (InputStream in = Files.newInputStream(file)) {
            StoredObject stored = add(in);
            if (!java.util.Arrays.equals(stored.digest(), digest)) {
                throw new IOException(file + ": changed while being copied (fs-verity digest "
                        + FsVerityHasher.hex(stored.digest()) + ", expected " + FsVerityHasher.hex(digest) + ")");
            }
            return stored;
        }
    }

    /** Makes every object created through this instance durable: file data first, then the directories. */
    public void sync() throws IOException {
        java.util.Set<Path> dirs = new java.util.HashSet<>();
        for (Path p; (p = unsynced.poll()) != null; ) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                ch.force(true);
            }
            dirs.add(p.getParent());
        }
        dirs.add(root);
        for (Path d : dirs) {
            fsyncDirectory(d);
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some filesystems refuse fsync on a directory handle; the data files were already synced.
        }
    }

    /** Moves a finished temporary file under its digest; returns false when the store already had it. */
    boolean publish(Path tmp, byte[] digest) throws IOException {
        Path target = pathOf(digest);
        if (Files.isRegularFile(target)) {
            Files.deleteIfExists(tmp);
            return false;
        }
        Files.createDirectories(target.getParent());
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("object store " + root + " does not support atomic rename", e);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(tmp);
            return false;
        }
        unsynced.add(target);
        return true;
    }

    /** Removes temporary files left by a crashed run; objects under their digest are kept. */
    public void removeStaleTemporaries() throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (var s = Files.list(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().startsWith(TMP_PREFIX)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** A stored object: its digest, size, and whether this write created it. */
    public record StoredObject(byte[] digest, long size, boolean created) {
    }

    /** Receives one object's bytes; {@link #commit()} names it by digest, {@link #close()} without commit drops it. */
    public static final class ObjectWriter implements AutoCloseable {
        private final ObjectStore store;
        private final Path tmp;
        private final FileChannel channel;
        private final FsVerityHasher hasher = new FsVerityHasher();
        private boolean finished;

        ObjectWriter(ObjectStore store, Path tmp) throws IOException {
            this.store = store;
            this.tmp = tmp;
            this.channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
        }

        public void write(byte[] b, int off, int len) throws IOException {
            hasher.update(b, off, len);
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }

        public StoredObject commit() throws IOException {
            finished = true;
            channel.close();
            byte[] digest = hasher.digest();
            boolean created = store.publish(tmp, digest);
            return new StoredObject(digest, hasher.size(), created);
        }

        @Override
        public void close() throws IOException {
            if (!finished) {
                finished = true;
                channel.close();
                Files.deleteIfExists(tmp);
            }
        }
    }


}
