package io.oci2cfs.erofs;

import io.oci2cfs.error.UnsupportedTreeException;

/** The tree cannot be written as a composefs image; the message says why. */
public final class UnrepresentableTreeException extends UnsupportedTreeException {
    public UnrepresentableTreeException(String message) {
        super(message);
    }
}
