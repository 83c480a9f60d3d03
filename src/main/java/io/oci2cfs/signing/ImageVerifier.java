package io.oci2cfs.signing;

import io.oci2cfs.error.UsageException;
import io.oci2cfs.error.ErrorText;
import io.oci2cfs.erofs.ErofsReader;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.fsverity.HashAlgorithm;
import io.oci2cfs.linux.FsVerity;
import io.oci2cfs.tree.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Checks a composefs image before it is trusted: its fs-verity digest against an expected one (what
 * mount.composefs's {@code digest=} option requires of the image file) or against a signature, and that the
 * object store backs every file it refers to.
 */
public final class ImageVerifier {
    private ImageVerifier() {
    }

    /** What {@link #verify} found: the signature's proof when it held, and one line per problem. */
    public record Report(SignatureVerifier.Verified signature, int objectsChecked, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Verifies {@code signatureFile} over {@code image} and, when {@code objects} is not null, the objects
     * the image refers to. Every problem becomes one line of the report; nothing is thrown for a bad image.
     */
    public static Report verify(Path image, Path signatureFile, SignatureVerifier verifier, Path objects) {
        List<String> problems = new ArrayList<>();
        SignatureVerifier.Verified verified = null;
        try {
            verified = verifier.verify(image, signatureFile);
        } catch (IOException e) {
            problems.add(ErrorText.of(e));
        }
        int checked = 0;
        if (objects != null) {
            if (!Files.isDirectory(objects)) {
                problems.add(objects + ": object store is not a directory");
            } else {
                try {
                    Node root = ErofsReader.read(image);
                    checked = ObjectVerifier.count(root);
                    problems.addAll(ObjectVerifier.verify(root, objects));
                } catch (IOException | RuntimeException e) {
                    problems.add(image + ": not a readable composefs image (" + ErrorText.of(e) + ")");
                }
            }
        }
        return new Report(verified, checked, List.copyOf(problems));
    }

    /**
     * Requires {@code image} to have the fs-verity digest {@code expectedHex}: 64 hex digits for SHA-256 (the
     * composefs image digest), 128 for SHA-512. The kernel's digest is taken where verity is enabled.
     */
    public static void requireDigest(Path image, String expectedHex) throws IOException {
        String expected = expectedHex.toLowerCase(Locale.ROOT);
        HashAlgorithm alg = switch (expected.length()) {
            case 64 -> HashAlgorithm.SHA256;
            case 128 -> HashAlgorithm.SHA512;
            default -> throw new UsageException("digest '" + expectedHex
                    + "': not 64 (sha256) or 128 (sha512) hex digits");
        };
        try {
            HexFormat.of().parseHex(expected);
        } catch (IllegalArgumentException e) {
            throw new UsageException("digest '" + expectedHex + "': not hexadecimal");
        }
        String actual = FsVerityHasher.hex(FsVerity.measure(image, alg));
        if (!actual.equals(expected)) {
            throw new SignatureRejectedException(image + ": fs-verity " + alg + " digest is " + actual + ", not the expected "
                    + expected);
        }
    }
}
