package io.oci2cfs.pki;

import io.oci2cfs.error.BadInputException;
import java.nio.file.Path;

/** A key, certificate or signature file that cannot be used; the message is one line naming the file. */
public class PkiException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public PkiException(Path file, String reason) {
        super(file + ": " + reason);
    }

    public PkiException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
    }

    public PkiException(String message) {
        super(message);
    }

    public PkiException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The message of {@code e} on one line, or its type when it has none: the reason part of an error line. */
    public static String reason(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ');
    }
}
