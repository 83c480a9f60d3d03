package io.oci2cfs.convert;

import static org.assertj.core.api.Assertions.assertThat;

import io.oci2cfs.fsverity.FsVerityHasher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.TreeSet;
import java.util.stream.Stream;

/** What an object store holds, and the checks every store must pass whatever happened to it. */
final class StoreCheck {
    /** Puts one object into the store through a transaction, as another image would have. */
    static void addObject(java.nio.file.Path objects, byte[] data) throws java.io.IOException {
        try (io.oci2cfs.store.Transaction tx = new io.oci2cfs.store.ObjectStore(objects).begin()) {
            tx.commit(java.util.Set.of(new io.oci2cfs.store.ObjectDigest(tx.put(data, data.length))));
        }
    }

    private StoreCheck() {
    }

    /** The store's files but its lock file, relative ({@code xx/<62 hex>}), sorted; empty if the store does not exist. */
    static TreeSet<String> files(Path store) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        if (!Files.exists(store)) {
            return out;
        }
        try (Stream<Path> walk = Files.walk(store)) {
            walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !p.equals(store.resolve(io.oci2cfs.store.StoreLock.FILE_NAME)))
                    .forEach(p -> out.add(store.relativize(p).toString()));
        }
        return out;
    }

    /**
     * Every file is a regular {@code xx/<62 hex>} file named by its fs-verity digest, mode 0644, and no
     * {@code .staging-*} directory is left (the lock file aside).
     */
    static void assertConsistent(Path store) throws IOException {
        if (!Files.exists(store)) {
            return;
        }
        try (Stream<Path> s = Files.list(store)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("top level of " + store)
                    .allMatch(n -> n.matches("[0-9a-f]{2}") || n.equals(io.oci2cfs.store.StoreLock.FILE_NAME));
        }
        for (String rel : files(store)) {
            Path p = store.resolve(rel);
            assertThat(rel).matches("[0-9a-f]{2}/[0-9a-f]{62}");
            assertThat(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).as(rel).isTrue();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(rel).isEqualTo("rw-r--r--");
            assertThat(rel.replace("/", "")).as("fs-verity digest of " + rel).isEqualTo(verityDigest(p));
        }
    }

    static String verityDigest(Path file) throws IOException {
        FsVerityHasher h = new FsVerityHasher();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                h.update(buf, 0, n);
            }
        }
        return FsVerityHasher.hex(h.digest());
    }
}
