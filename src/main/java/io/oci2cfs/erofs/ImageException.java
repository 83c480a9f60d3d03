package io.oci2cfs.erofs;

import java.io.IOException;

/** The tree cannot be written (or an image cannot be read) as a composefs image; the message says why. */
public final class ImageException extends IOException {
    public ImageException(String message) {
        super(message);
    }
}
