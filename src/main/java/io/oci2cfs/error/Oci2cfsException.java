package io.oci2cfs.error;

import java.io.IOException;

/**
 * A failure of a known kind. The message is one line that names the input (or path) and the reason; the cause,
 * when there is one, is kept. It stays an {@link IOException} so that every I/O signature can carry it.
 */
public abstract class Oci2cfsException extends IOException {
    private static final long serialVersionUID = 1L;

    protected Oci2cfsException(String message, Throwable cause) {
        super(message, cause);
    }

    /** What kind of failure this is, and so what the caller can do about it. */
    public abstract FailureKind kind();

    /**
     * {@code failure} as an exception of its own kind whose message names {@code input} in front (unless it
     * already does), with the failure as its cause. Runtime exceptions and errors, defects rather than
     * failures of the input or the environment, are rethrown as they are.
     */
    public static Oci2cfsException naming(String input, Throwable failure) {
        Throwable t = FailureKind.unwrap(failure);
        FailureKind kind = FailureKind.of(t);
        if (kind == FailureKind.INTERNAL) {
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error error) {
                throw error;
            }
        }
        String text = ErrorText.of(t);
        String message = text.startsWith(input + ": ") ? text : input + ": " + text;
        return switch (kind) {
            case USAGE -> new UsageException(message, t);
            case BAD_INPUT -> new BadInputException(message, t);
            case UNSUPPORTED_TREE -> new UnsupportedTreeException(message, t);
            default -> new EnvironmentException(message, t);
        };
    }
}
