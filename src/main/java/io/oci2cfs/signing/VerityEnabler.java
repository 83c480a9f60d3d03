package io.oci2cfs.signing;

import io.oci2cfs.dump.TreeListing;
import io.oci2cfs.erofs.ErofsReader;
import io.oci2cfs.fsverity.HashAlgorithm;
import io.oci2cfs.linux.FsVerity;
import io.oci2cfs.linux.VerityUnsupportedException;
import io.oci2cfs.store.ObjectDigest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns fs-verity on for a composefs image and the objects it refers to, where the kernel and the filesystems
 * support it: the objects with SHA-256 (the digest the image records and overlayfs's {@code verity=require}
 * compares), the image with the algorithm of its signature and the signature itself when there is one, so the
 * kernel checks it against its {@code .fs-verity} keyring. Files that have verity already are left as they are.
 */
public final class VerityEnabler {
    private VerityEnabler() {
    }

    /**
     * What was done.
     *
     * @param objects how many objects have verity now
     * @param image whether the image has verity now
     * @param unsupported one line per filesystem that has no fs-verity (objects, image), empty when none
     */
    public record Outcome(int objects, boolean image, List<String> unsupported) {
    }

    /** Enables verity on {@code image} (with {@code signature} over its {@code algorithm} digest, when not null) and its objects. */
    public static Outcome enable(Path image, Path objects, HashAlgorithm algorithm, byte[] signature)
            throws IOException {
        List<Path> paths = new ArrayList<>();
        TreeListing.objects(ErofsReader.read(image))
                .forEach(o -> paths.add(objects.resolve(ObjectDigest.storeRelative(o.toString()))));
        List<String> unsupported = new ArrayList<>();
        int enabled = 0;
        if (!paths.isEmpty()) {
            try {
                // The first object tells whether the store's filesystem has verity at all.
                FsVerity.enable(paths.get(0), HashAlgorithm.SHA256, null);
                enableAll(paths.subList(1, paths.size()));
                enabled = paths.size();
            } catch (VerityUnsupportedException e) {
                unsupported.add(objects + ": " + VerityUnsupportedException.REASON + "; objects left without fs-verity");
            }
        }
        boolean imageEnabled = false;
        try {
            FsVerity.enable(image, algorithm, signature);
            imageEnabled = true;
        } catch (VerityUnsupportedException e) {
            unsupported.add(image + ": " + VerityUnsupportedException.REASON + "; image left without fs-verity");
        }
        return new Outcome(enabled, imageEnabled, List.copyOf(unsupported));
    }

    private static void enableAll(List<Path> paths) throws IOException {
        try {
            paths.parallelStream().forEach(p -> {
                try {
                    FsVerity.enable(p, HashAlgorithm.SHA256, null);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
