package io.oci2cfs.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A directory of objects {@code xx/<62 hex>} keyed by fs-verity digest. Objects are added through a
 * {@link Transaction}, which makes them visible only once they are complete and durable.
 */
public final class ObjectStore {
    private final Path root;

    public ObjectStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** Where the object with this digest lives: {@link ObjectDigest#path()} under the store. */
    public Path pathOf(byte[] digest) {
        return root.resolve(new ObjectDigest(digest).path());
    }

    public boolean contains(byte[] digest) {
        return Files.isRegularFile(pathOf(digest));
    }

    /** Starts a batch of objects that become visible together at its commit, published by one thread per CPU. */
    public Transaction begin() throws IOException {
        return begin(Runtime.getRuntime().availableProcessors());
    }

    /** Starts a batch whose commit moves and deletes objects on {@code threads} threads. */
    public Transaction begin(int threads) throws IOException {
        return new Transaction(this, threads);
    }

    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some filesystems refuse fsync on a directory handle; the data files were already synced.
        }
    }
}
