package io.oci2cfs.seal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oci2cfs.error.ErrorText;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.fsverity.HashAlgorithm;
import io.oci2cfs.image.Digest;
import io.oci2cfs.image.LayoutManifest;
import io.oci2cfs.image.Platform;
import io.oci2cfs.signing.FormattedDigest;
import io.oci2cfs.signing.SignatureVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks a sealed image in an OCI layout: recomputes every composefs digest from the layer blobs and compares
 * it with the manifest's annotations and the config's label, and, when the layout holds a signature artifact
 * for the manifest, its digests and (given certificates) its signatures.
 */
public final class SealVerifier {
    private SealVerifier() {
    }

    /**
     * What was found.
     *
     * @param digests the recomputed digests, or null when the image is not sealed
     * @param signatures how many signatures were verified
     * @param problems one line each; empty when the seal holds
     */
    public record Report(Digest manifest, SealDigests digests, int signatures, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Verifies the image {@code ref} of the layout {@code dir}; {@code certificates} null checks the
     * signature artifact's digests but not its signatures (and does not require one).
     */
    public static Report verify(Path dir, String ref, Platform platform, SignatureVerifier certificates,
            int threads) throws IOException {
        LayoutManifest sealed = LayoutManifest.select(dir, ref, platform);
        String where = "manifest " + sealed.digest();
        List<String> problems = new ArrayList<>();
        ObjectNode manifest = SealJson.parse(sealed.manifest(), where);
        List<JsonNode> layers = new ArrayList<>();
        manifest.path("layers").forEach(layers::add);
        String label = SealJson.parse(sealed.config(), "config").path("config").path("Labels")
                .path(SealFormat.LABEL).asText(null);
        HashAlgorithm algorithm = sealedAlgorithm(layers, label);
        if (algorithm == null) {
            problems.add(where + ": not sealed (no " + SealFormat.LABEL + " label, no composefs.layer annotation)");
            return new Report(sealed.digest(), null, 0, problems);
        }
        SealDigests digests = SealDigests.compute(dir, ref, platform, sealed, algorithm, threads);
        for (int i = 0; i < layers.size(); i++) {
            JsonNode annotations = layers.get(i).path("annotations");
            expect(problems, where + " layer " + (i + 1) + " " + SealFormat.layerAnnotation(algorithm),
                    annotations.path(SealFormat.layerAnnotation(algorithm)).asText(null), digests.layers().get(i));
            String what = where + " layer " + (i + 1) + " " + SealFormat.mergedAnnotation(algorithm);
            String merged = annotations.path(SealFormat.mergedAnnotation(algorithm)).asText(null);
            if (i == layers.size() - 1) {
                expect(problems, what, merged, digests.merged());
            } else if (merged != null) {
                // Only the whole image's merged tree is rebuilt; a rolling digest below it cannot be vouched for.
                problems.add(what + ": a merged digest below the last layer is not checked, so not accepted");
            }
        }
        expect(problems, "config label " + SealFormat.LABEL, label, digests.merged());

        int signatures = 0;
        ObjectNode artifact = findArtifact(dir, sealed.digest(), problems);
        if (artifact != null) {
            signatures = checkArtifact(dir, artifact, sealed, algorithm, digests, certificates, problems);
        } else if (certificates != null) {
            problems.add(dir + ": no signature artifact (" + SealFormat.ARTIFACT_TYPE + ") refers to " + where);
        }
        return new Report(sealed.digest(), digests, signatures, List.copyOf(problems));
    }

    private static HashAlgorithm sealedAlgorithm(List<JsonNode> layers, String label) {
        if (!layers.isEmpty()) {
            for (HashAlgorithm a : HashAlgorithm.values()) {
                if (layers.get(0).path("annotations").has(SealFormat.layerAnnotation(a))) {
                    return a;
                }
            }
        }
        if (label != null) {
            return label.length() == HashAlgorithm.SHA512.digestSize() * 2 ? HashAlgorithm.SHA512 : HashAlgorithm.SHA256;
        }
        return null;
    }

    private static void expect(List<String> problems, String what, String actual, String expected) {
        if (actual == null) {
            problems.add(what + ": missing (the image's digest is " + expected + ")");
        } else if (!actual.equals(expected)) {
            problems.add(what + ": " + actual + " does not match the image's digest " + expected);
        }
    }

    /** The signature artifact in index.json whose subject is {@code manifest}, or null. */
    private static ObjectNode findArtifact(Path dir, Digest manifest, List<String> problems) throws IOException {
        ObjectNode index = SealJson.parse(Files.readAllBytes(dir.resolve("index.json")), dir + "/index.json");
        for (JsonNode entry : index.path("manifests")) {
            if (!SealFormat.ARTIFACT_TYPE.equals(entry.path("artifactType").asText(null))) {
                continue;
            }
            Digest d = Digest.parse(entry.path("digest").asText());
            ObjectNode artifact = SealJson.parse(readBlob(dir, d), "signature artifact " + d);
            if (manifest.toString().equals(artifact.path("subject").path("digest").asText(null))) {
                return artifact;
            }
        }
        return null;
    }

    private static int checkArtifact(Path dir, ObjectNode artifact, LayoutManifest sealed, HashAlgorithm algorithm,
            SealDigests digests, SignatureVerifier certificates, List<String> problems) throws IOException {
        String where = "signature artifact for manifest " + sealed.digest();
        String declared = artifact.path("annotations").path(SealFormat.ALGORITHM).asText(null);
        if (!SealFormat.algorithmName(algorithm).equals(declared)) {
            problems.add(where + ": " + SealFormat.ALGORITHM + " is " + declared + ", the seal's is "
                    + SealFormat.algorithmName(algorithm));
            return 0;
        }
        List<Expected> expected = new ArrayList<>();
        expected.add(new Expected(SealFormat.SignatureType.MANIFEST,
                FsVerityHasher.hex(FsVerityHasher.digestOf(sealed.manifest(), algorithm))));
        expected.add(new Expected(SealFormat.SignatureType.CONFIG,
                FsVerityHasher.hex(FsVerityHasher.digestOf(sealed.config(), algorithm))));
        digests.layers().forEach(l -> expected.add(new Expected(SealFormat.SignatureType.LAYER, l)));
        expected.add(new Expected(SealFormat.SignatureType.MERGED, digests.merged()));

        List<JsonNode> layers = new ArrayList<>();
        artifact.path("layers").forEach(layers::add);
        List<Expected> present = present(expected, layers, where, problems);
        if (present == null) {
            return 0;
        }
        int verified = 0;
        for (int i = 0; i < layers.size(); i++) {
            JsonNode layer = layers.get(i);
            Expected e = present.get(i);
            String what = where + " layer " + (i + 1) + " (" + e.type().annotation() + ")";
            expect(problems, what + " " + SealFormat.SIGNED_DIGEST,
                    layer.path("annotations").path(SealFormat.SIGNED_DIGEST).asText(null), e.hex());
            if (certificates != null) {
                try {
                    byte[] sig = readBlob(dir, Digest.parse(layer.path("digest").asText()));
                    certificates.verify(sig, new FormattedDigest(algorithm, HexFormat.of().parseHex(e.hex())));
                    verified++;
                } catch (IOException | IllegalArgumentException ex) {
                    problems.add(what + ": " + ErrorText.of(ex));
                }
            }
        }
        return verified;
    }

    private record Expected(SealFormat.SignatureType type, String hex) {
    }

    /**
     * The expected entries the artifact's layers stand for, matched group by group in the specification's
     * order (a group may be omitted, except {@code layer}); null, with a problem, when they do not line up.
     */
    private static List<Expected> present(List<Expected> expected, List<JsonNode> layers, String where,
            List<String> problems) {
        List<Expected> out = new ArrayList<>();
        int e = 0;
        for (int i = 0; i < layers.size(); i++) {
            String type = layers.get(i).path("annotations").path(SealFormat.SIGNATURE_TYPE).asText("");
            while (e < expected.size() && !expected.get(e).type().annotation().equals(type)) {
                if (expected.get(e).type() == SealFormat.SignatureType.LAYER) {
                    problems.add(where + ": layer " + (i + 1) + " is of type '" + type + "' where a 'layer' "
                            + "signature is due (one per image layer, in manifest order)");
                    return null;
                }
                e++;
            }
            if (e == expected.size()) {
                problems.add(where + ": layer " + (i + 1) + " of type '" + type + "' is out of order or extra");
                return null;
            }
            out.add(expected.get(e++));
        }
        long layerSigs = out.stream().filter(x -> x.type() == SealFormat.SignatureType.LAYER).count();
        long imageLayers = expected.stream().filter(x -> x.type() == SealFormat.SignatureType.LAYER).count();
        if (layerSigs != imageLayers) {
            problems.add(where + ": " + layerSigs + " 'layer' signatures for " + imageLayers + " image layers");
            return null;
        }
        return out;
    }

    private static byte[] readBlob(Path dir, Digest d) throws IOException {
        try {
            return Files.readAllBytes(dir.resolve(d.blobPath()));
        } catch (NoSuchFileException e) {
            throw new IOException(dir + ": blob " + d + " is missing", e);
        }
    }
}
