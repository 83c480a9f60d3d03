package io.oci2cfs.erofs;

import io.oci2cfs.error.BadInputException;

/** A file given as a composefs image that is not one, or is damaged; the message says where. */
public final class CorruptImageException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public CorruptImageException(String message) {
        super(message);
    }
}
