package io.oci2cfs.image;

/**
 * A blob an image needs is not there. One-pass archive readers also use it to mean "not seen yet": the
 * blob may still come later in the archive.
 */
final class MissingBlobException extends ImageException {
    private static final long serialVersionUID = 1L;

    MissingBlobException(Digest digest, String what) {
        super("missing blob " + digest + " (" + what + ")");
    }
}
