package io.oci2cfs.cli;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Turns exceptions into the one-line messages users see. */
final class Errors {
    private Errors() {
    }

    static String describe(Throwable e) {
        e = reactor.core.Exceptions.unwrap(e);
        while ((e instanceof UncheckedIOException || e.getClass() == RuntimeException.class) && e.getCause() != null) {
            e = e.getCause();
        }
        String m = e.getMessage();
        if (e instanceof NoSuchFileException) {
            return m + ": no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return m + ": permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return m + ": not a directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return m + ": already exists";
        }
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return m.replace('\n', ' ');
    }
}
