package io.oci2cfs.layer;

import io.oci2cfs.error.BadInputException;

/** A layer blob that is not a well-formed (optionally compressed) tar archive. */
public class LayerFormatException extends BadInputException {
    public LayerFormatException(String message) {
        super(message);
    }

    public LayerFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
