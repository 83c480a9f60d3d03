package io.oci2cfs.layer;

import java.io.IOException;

/** A layer blob that is not a well-formed (optionally compressed) tar archive. */
public class LayerFormatException extends IOException {
    public LayerFormatException(String message) {
        super(message);
    }

    public LayerFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
