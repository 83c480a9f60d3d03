package io.oci2cfs.error;

/** The input is well formed, but its tree cannot be written as a composefs image (a name, target or xattr beyond the kernel's limits, a tree mkcomposefs 1.0.8 refuses). */
public class UnsupportedTreeException extends Oci2cfsException {
    private static final long serialVersionUID = 1L;

    public UnsupportedTreeException(String message) {
        super(message, null);
    }

    public UnsupportedTreeException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public final FailureKind kind() {
        return FailureKind.UNSUPPORTED_TREE;
    }
}
