package io.oci2cfs.seal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.fsverity.HashAlgorithm;
import io.oci2cfs.image.Digest;
import io.oci2cfs.image.LayoutManifest;
import io.oci2cfs.image.MediaTypes;
import io.oci2cfs.image.Platform;
import io.oci2cfs.signing.FormattedDigest;
import io.oci2cfs.signing.VeritySigner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Writes a sealed copy of an image into an OCI layout: the same layer blobs, a config carrying
 * {@link SealFormat#LABEL}, a manifest whose layer descriptors carry the composefs digests and, with a signer,
 * the signature artifact referring to the sealed manifest.
 */
public final class Sealer {
    private Sealer() {
    }

    /**
     * What was written.
     *
     * @param manifest the sealed manifest's digest
     * @param artifact the signature artifact's digest, or null without a signer
     */
    public record Result(Digest manifest, Digest artifact, SealDigests digests) {
    }

    /**
     * Seals the image {@code ref} (or the only one) of the layout {@code sourceDir} for {@code platform} into
     * the layout {@code outDir}, named {@code outRef} there when not null.
     */
    public static Result seal(Path sourceDir, String ref, Platform platform, HashAlgorithm algorithm,
            VeritySigner signer, Path outDir, String outRef, int threads) throws IOException {
        LayoutManifest source = LayoutManifest.select(sourceDir, ref, platform);
        SealDigests digests = SealDigests.compute(sourceDir, ref, platform, source, algorithm, threads);

        ObjectNode config = SealJson.parse(source.config(), "config");
        SealJson.object(SealJson.object(config, "config"), "Labels").put(SealFormat.LABEL, digests.merged());
        byte[] configBytes = SealJson.bytes(config);

        try (LayoutWriter out = new LayoutWriter(outDir)) {
            return write(out, sourceDir, source, configBytes, digests, algorithm, signer, outRef);
        }
    }

    /** The sealed manifest (and the signature artifact) of {@code source} with the sealed config, into {@code out}. */
    private static Result write(LayoutWriter out, Path sourceDir, LayoutManifest source, byte[] configBytes,
            SealDigests digests, HashAlgorithm algorithm, VeritySigner signer, String outRef) throws IOException {
        ObjectNode manifest = SealJson.parse(source.manifest(), "manifest " + source.digest());
        Digest configDigest = out.put(configBytes);
        ObjectNode configDescriptor = SealJson.object(manifest, "config");
        configDescriptor.put("digest", configDigest.toString());
        configDescriptor.put("size", configBytes.length);
        ArrayNode layers = manifest.withArray("layers");
        for (int i = 0; i < layers.size(); i++) {
            ObjectNode layer = (ObjectNode) layers.get(i);
            Digest blob = Digest.parse(layer.path("digest").asText());
            out.copy(sourceDir.resolve(blob.blobPath()), blob);
            ObjectNode annotations = SealJson.object(layer, "annotations");
            annotations.put(SealFormat.layerAnnotation(algorithm), digests.layers().get(i));
            if (i == layers.size() - 1) {
                annotations.put(SealFormat.mergedAnnotation(algorithm), digests.merged());
            }
        }
        byte[] manifestBytes = SealJson.bytes(manifest);
        Digest manifestDigest = out.put(manifestBytes);
        ObjectNode entry = LayoutWriter.descriptor(MediaTypes.OCI_MANIFEST, manifestDigest, manifestBytes.length,
                outRef);
        if (source.platform() != null) {
            entry.set("platform", platformJson(source.platform()));
        }
        out.index(entry);

        Digest artifact = null;
        if (signer != null) {
            byte[] artifactBytes = signatureArtifact(out, signer, algorithm, digests, manifestBytes, configBytes,
                    LayoutWriter.descriptor(MediaTypes.OCI_MANIFEST, manifestDigest, manifestBytes.length, null));
            artifact = out.put(artifactBytes);
            ObjectNode artifactEntry = LayoutWriter.descriptor(MediaTypes.OCI_MANIFEST, artifact,
                    artifactBytes.length, null);
            artifactEntry.put("artifactType", SealFormat.ARTIFACT_TYPE);
            out.index(artifactEntry);
        }
        out.commit();
        return new Result(manifestDigest, artifact, digests);
    }

    /** The signature artifact's manifest: one PKCS#7 layer per signed digest, in the specification's order. */
    private static byte[] signatureArtifact(LayoutWriter out, VeritySigner signer, HashAlgorithm algorithm,
            SealDigests digests, byte[] manifestBytes, byte[] configBytes, ObjectNode subject) throws IOException {
        ObjectNode artifact = SealJson.MAPPER.createObjectNode();
        artifact.put("schemaVersion", 2);
        artifact.put("mediaType", MediaTypes.OCI_MANIFEST);
        artifact.put("artifactType", SealFormat.ARTIFACT_TYPE);
        artifact.set("config", LayoutWriter.descriptor(SealFormat.EMPTY_MEDIA_TYPE, out.put(SealFormat.EMPTY),
                SealFormat.EMPTY.length, null));
        ArrayNode layers = artifact.putArray("layers");
        addSignature(out, layers, signer, SealFormat.SignatureType.MANIFEST, algorithm,
                FsVerityHasher.hex(FsVerityHasher.digestOf(manifestBytes, algorithm)));
        addSignature(out, layers, signer, SealFormat.SignatureType.CONFIG, algorithm,
                FsVerityHasher.hex(FsVerityHasher.digestOf(configBytes, algorithm)));
        for (String layer : digests.layers()) {
            addSignature(out, layers, signer, SealFormat.SignatureType.LAYER, algorithm, layer);
        }
        addSignature(out, layers, signer, SealFormat.SignatureType.MERGED, algorithm, digests.merged());
        artifact.set("subject", subject);
        artifact.putObject("annotations").put(SealFormat.ALGORITHM, SealFormat.algorithmName(algorithm));
        return SealJson.bytes(artifact);
    }

    private static void addSignature(LayoutWriter out, ArrayNode layers, VeritySigner signer,
            SealFormat.SignatureType type, HashAlgorithm algorithm, String hex) throws IOException {
        byte[] sig = signer.sign(new FormattedDigest(algorithm, HexFormat.of().parseHex(hex)));
        ObjectNode d = LayoutWriter.descriptor(SealFormat.SIGNATURE_MEDIA_TYPE, out.put(sig), sig.length, null);
        ObjectNode annotations = d.putObject("annotations");
        annotations.put(SealFormat.SIGNATURE_TYPE, type.annotation());
        annotations.put(SealFormat.SIGNED_DIGEST, hex);
        layers.add(d);
    }

    private static JsonNode platformJson(Platform p) {
        ObjectNode o = SealJson.MAPPER.createObjectNode();
        o.put("architecture", p.architecture());
        o.put("os", p.os());
        if (p.variant() != null) {
            o.put("variant", p.variant());
        }
        return o;
    }

}
