package io.oci2cfs.seal;

import io.oci2cfs.error.BadInputException;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.fsverity.HashAlgorithm;
import io.oci2cfs.image.ImageReference;
import io.oci2cfs.image.LayoutManifest;
import io.oci2cfs.image.Platform;
import io.oci2cfs.image.SourceKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a conversion owes a sealed source: the image it built must have the digest the config's
 * {@link SealFormat#LABEL} names. Only OCI layout directories are looked at.
 */
public final class SealedSource {
    private SealedSource() {
    }

    /** The sealed digest of the image {@code source} names, or null when it is not a sealed OCI layout. */
    static String sealedDigest(String source, Platform platform) throws IOException {
        ImageReference ref = ImageReference.parse(source);
        boolean layout = ref.kind() == SourceKind.OCI_LAYOUT
                || (ref.kind() == null && Files.isRegularFile(ref.path().resolve("oci-layout")));
        if (!layout) {
            return null;
        }
        LayoutManifest m = LayoutManifest.select(ref.path(), ref.ref(), platform);
        return SealJson.parse(m.config(), "config").path("config").path("Labels").path(SealFormat.LABEL)
                .asText(null);
    }

    /**
     * Requires {@code image}, built from {@code source}, to have the sealed digest (when the source is sealed);
     * otherwise deletes it and fails.
     */
    public static void requireSealedDigest(String source, Platform platform, Path image) throws IOException {
        String sealed = sealedDigest(source, platform);
        if (sealed == null) {
            return;
        }
        HashAlgorithm alg = sealed.length() == HashAlgorithm.SHA512.digestSize() * 2 ? HashAlgorithm.SHA512
                : HashAlgorithm.SHA256;
        String built = FsVerityHasher.hex(FsVerityHasher.digestOf(image, alg));
        if (!built.equals(sealed)) {
            Files.deleteIfExists(image);
            throw new BadInputException(source + ": the image built has the " + alg + " digest " + built
                    + ", the seal (" + SealFormat.LABEL + ") says " + sealed
                    + " (options that change the tree, such as --hardlinks break, break the seal)");
        }
    }
}
