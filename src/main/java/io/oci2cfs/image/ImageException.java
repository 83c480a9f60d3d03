package io.oci2cfs.image;

import io.oci2cfs.error.BadInputException;

/** A bad input image; the message is one line naming the input and the reason. */
public class ImageException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }

    /** This error with {@code input} named in front, unless it already names it. */
    ImageException in(String input) {
        String message = getMessage();
        if (message.startsWith(input + ": ")) {
            return this;
        }
        return new ImageException(input + ": " + message, this);
    }
}
