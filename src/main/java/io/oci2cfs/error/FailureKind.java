package io.oci2cfs.error;

import java.io.IOException;
import java.io.UncheckedIOException;
import reactor.core.Exceptions;

/**
 * The kinds of failure and the exit code the command line gives each. The codes leave 1 to commands whose own
 * contract defines it (a batch with failed jobs) and 2 to usage errors, as picocli does.
 */
public enum FailureKind {
    /** Wrong options or arguments on the command line. */
    USAGE(2),
    /** {@link BadInputException}. */
    BAD_INPUT(3),
    /** {@link UnsupportedTreeException}. */
    UNSUPPORTED_TREE(4),
    /** {@link EnvironmentException}, and any other I/O failure. */
    ENVIRONMENT(5),
    /** A defect of oci2cfs itself: an unexpected runtime exception. */
    INTERNAL(70);

    private final int exitCode;

    FailureKind(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /**
     * The kind of {@code failure}, looking through Reactor's and {@link UncheckedIOException}'s wrappers. An
     * {@link IOException} outside the hierarchy comes from the JDK's file or network calls, so it is the
     * environment's; anything else unchecked is ours.
     */
    public static FailureKind of(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof Oci2cfsException known) {
            return known.kind();
        }
        return t instanceof IOException ? ENVIRONMENT : INTERNAL;
    }

    /** The failure without the wrappers that only carry it across an API that cannot throw it. */
    public static Throwable unwrap(Throwable failure) {
        Throwable t = Exceptions.unwrap(failure);
        while ((t instanceof UncheckedIOException || t.getClass() == RuntimeException.class) && t.getCause() != null) {
            t = Exceptions.unwrap(t.getCause());
        }
        return t;
    }
}
