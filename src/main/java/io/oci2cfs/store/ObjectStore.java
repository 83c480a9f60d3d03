package io.oci2cfs.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;

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
