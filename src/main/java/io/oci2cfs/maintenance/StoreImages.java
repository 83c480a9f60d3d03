package io.oci2cfs.maintenance;

import io.oci2cfs.dump.TreeListing;
import io.oci2cfs.erofs.ErofsReader;
import io.oci2cfs.store.ObjectDigest;
import io.oci2cfs.tree.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The images a maintenance run is about, the objects they reference, and the store's object directories. */
public final class StoreImages {
    private StoreImages() {
    }

    /** Every {@code *.cfs} file below {@code dir}, sorted. */
    public static List<Path> below(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a directory");
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".cfs") && Files.isRegularFile(p)).sorted()
                    .toList();
        }
    }

    /** The objects one image references, as store-relative paths {@code xx/<62 hex>}. */
    static Set<String> objectsOf(Path image) throws IOException {
        Set<String> out = new HashSet<>();
        try {
            for (ByteString o : TreeListing.objects(ErofsReader.read(image))) {
                out.add(ObjectDigest.storeRelative(o.toString()));
            }
        } catch (IOException e) {
            throw new IOException(image + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The objects all {@code images} reference; fails on the first image it cannot read. */
    static Set<String> objectsOf(List<Path> images) throws IOException {
        Set<String> out = new HashSet<>();
        for (Path p : images) {
            out.addAll(objectsOf(p));
        }
        return out;
    }

    /** The store's prefix directories {@code xx}, sorted. */
    static List<Path> prefixDirs(Path store) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(store)) {
            s.filter(p -> ObjectDigest.isDirectoryName(p.getFileName().toString())
                    && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .sorted().forEach(out::add);
        }
        return out;
    }
}
