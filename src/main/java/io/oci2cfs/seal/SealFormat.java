package io.oci2cfs.seal;

import io.oci2cfs.fsverity.HashAlgorithm;

/** The names the sealing specification and composefs-rs give to labels, annotations and media types. */
public final class SealFormat {
    /** Config label holding the merged image's fs-verity digest (composefs-rs {@code seal()}). */
    static final String LABEL = "containers.composefs.fsverity";
    static final String ARTIFACT_TYPE = "application/vnd.composefs.signature.v1";
    static final String SIGNATURE_MEDIA_TYPE = ARTIFACT_TYPE + "+pkcs7";
    static final String SIGNATURE_TYPE = "composefs.signature.type";
    static final String SIGNED_DIGEST = "composefs.digest";
    static final String ALGORITHM = "composefs.algorithm";
    /** The OCI empty descriptor's blob, {@code {}} (image-spec manifest.md, "Guidance for an Empty Descriptor"). */
    static final String EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json";
    public static final byte[] EMPTY = {'{', '}'};

    /** The signature groups, in the order the artifact's layers must list them. */
    public enum SignatureType {
        MANIFEST, CONFIG, LAYER, MERGED;

        String annotation() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private SealFormat() {
    }

    /** {@code sha256-12} or {@code sha512-12}: the algorithm with 4096-byte (2^12) blocks. */
    public static String algorithmName(HashAlgorithm algorithm) {
        return algorithm.cliName() + "-12";
    }

    static String layerAnnotation(HashAlgorithm algorithm) {
        return "composefs.layer." + algorithmName(algorithm);
    }

    public static String mergedAnnotation(HashAlgorithm algorithm) {
        return "composefs.merged." + algorithmName(algorithm);
    }

    /** The algorithm a {@code sha256-12} / {@code sha512-12} name stands for, or null. */
    public static HashAlgorithm algorithmOf(String name) {
        for (HashAlgorithm a : HashAlgorithm.values()) {
            if (algorithmName(a).equals(name)) {
                return a;
            }
        }
        return null;
    }
}
