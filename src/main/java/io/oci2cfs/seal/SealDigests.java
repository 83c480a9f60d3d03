package io.oci2cfs.seal;

import io.oci2cfs.error.Blocking;
import io.oci2cfs.error.Oci2cfsException;
import com.fasterxml.jackson.databind.JsonNode;
import io.oci2cfs.convert.ConvertOptions;
import io.oci2cfs.convert.ConvertResult;
import io.oci2cfs.convert.Converter;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.fsverity.HashAlgorithm;
import io.oci2cfs.image.Digest;
import io.oci2cfs.image.LayoutManifest;
import io.oci2cfs.image.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.io.file.PathUtils;

/**
 * The composefs digests of a sealed image, computed from its layer blobs: one per layer (the layer alone, as
 * an overlayfs upper directory) and one of the merged image, with one fs-verity algorithm. The images are
 * built in a private temporary directory with oci2cfs's defaults (mkcomposefs 1.0.8 format, hardlinks kept)
 * and removed afterwards.
 *
 * @param layers lowercase hex, in manifest order
 * @param merged lowercase hex
 */
public record SealDigests(HashAlgorithm algorithm, List<String> layers, String merged) {
    public SealDigests {
        layers = List.copyOf(layers);
    }

    /**
     * Builds the images of {@code manifest}, an image of the layout {@code dir} selected by {@code ref} and
     * {@code platform}, and takes their digests.
     */
    static SealDigests compute(Path dir, String ref, Platform platform, LayoutManifest manifest,
            HashAlgorithm algorithm, int threads) throws IOException {
        Path work = Files.createTempDirectory("oci2cfs-seal-");
        try {
            Path objects = work.resolve("objects");
            ConvertOptions options = ConvertOptions.builder().platform(platform).threads(threads).build();
            String source = "oci:" + dir + (ref == null ? "" : ":" + ref);
            ConvertResult merged = convert(source, work.resolve("merged.cfs"), objects, options);
            List<String> layers = new ArrayList<>();
            List<JsonNode> descriptors = new ArrayList<>();
            SealJson.parse(manifest.manifest(), "manifest " + manifest.digest()).path("layers").forEach(descriptors::add);
            for (int i = 0; i < descriptors.size(); i++) {
                Path blob = dir.resolve(Digest.parse(descriptors.get(i).path("digest").asText()).blobPath());
                // A single layer tarball converted with --per-layer: its per-layer image is the layer alone,
                // over nothing, with whiteouts and opaque directories as overlayfs markers.
                Path layerDir = work.resolve("layer-" + i);
                ConvertResult alone;
                try {
                    alone = convert(blob.toString(), work.resolve("layer-" + i + ".cfs"), objects,
                            options.toBuilder().perLayerDir(layerDir).build());
                } catch (IOException e) {
                    throw Oci2cfsException.naming("layer " + (i + 1) + " of " + descriptors.size()
                            + " cannot be sealed on its own (docs/sealing.md)", e);
                }
                layers.add(digest(alone.layerImages().get(0), algorithm));
            }
            return new SealDigests(algorithm, layers, digest(merged.image(), algorithm));
        } finally {
            PathUtils.deleteDirectory(work);
        }
    }

    private static ConvertResult convert(String source, Path image, Path objects, ConvertOptions options)
            throws IOException {
        return Blocking.block(Converter.convert(source, image, objects, options, InputStream.nullInputStream()));
    }

    private static String digest(Path image, HashAlgorithm algorithm) throws IOException {
        return FsVerityHasher.hex(FsVerityHasher.digestOf(image, algorithm));
    }
}
