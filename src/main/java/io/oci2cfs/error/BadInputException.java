package io.oci2cfs.error;

/** The input (an image, a layer, a dump, a reference, an image file to read) is malformed or refused; the message names it and its defect. */
public class BadInputException extends Oci2cfsException {
    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message, null);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public final FailureKind kind() {
        return FailureKind.BAD_INPUT;
    }
}
