package io.oci2cfs.error;

/** Options or arguments that do not make sense together or do not parse; the message says which. */
public class UsageException extends Oci2cfsException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message, null);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public final FailureKind kind() {
        return FailureKind.USAGE;
    }
}
