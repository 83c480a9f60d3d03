package io.oci2cfs.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest {@code algorithm:hex}. Only the algorithms registered by the OCI image-spec
 * (descriptor.md, "Registered algorithms") are accepted, with their exact lowercase hex length; this also
 * makes {@link #blobPath()} safe to resolve inside a layout.
 */
public record Digest(String algorithm, String hex) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]+");

    public Digest {
        int length = switch (algorithm) {
            case "sha256" -> 64;
            case "sha512" -> 128;
            default -> throw new IllegalArgumentException("unsupported digest algorithm '" + algorithm + "'");
        };
        if (hex.length() != length || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("malformed " + algorithm + " digest '" + hex + "'");
        }
    }

    /** Parses {@code sha256:<64 hex>}; throws {@link IllegalArgumentException} naming the problem. */
    public static Digest parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("malformed digest '" + text + "'");
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    public static Digest of(MessageDigest finished) {
        String algorithm = switch (finished.getAlgorithm()) {
            case "SHA-256" -> "sha256";
            case "SHA-512" -> "sha512";
            default -> throw new IllegalArgumentException(finished.getAlgorithm());
        };
        return new Digest(algorithm, HexFormat.of().formatHex(finished.digest()));
    }

    public static Digest sha256(byte[] data) {
        MessageDigest md = newMessageDigest("sha256");
        md.update(data);
        return of(md);
    }

    public MessageDigest newMessageDigest() {
        return newMessageDigest(algorithm);
    }

    private static MessageDigest newMessageDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where an OCI image layout keeps this blob: {@code blobs/<alg>/<hex>} (image-layout.md). */
    public String blobPath() {
        return "blobs/" + algorithm + "/" + hex;
    }

    /** The digest named by a layout path {@code blobs/<alg>/<hex>}, or null if the path is not one. */
    static Digest fromBlobPath(String path) {
        String[] parts = path.split("/", -1);
        if (parts.length != 3 || !parts[0].equals("blobs")) {
            return null;
        }
        try {
            return new Digest(parts[1], parts[2]);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
