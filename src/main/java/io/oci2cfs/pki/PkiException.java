package io.oci2cfs.pki;

import io.oci2cfs.error.BadInputException;
import java.nio.file.Path;

/** A key, certificate or signature file that cannot be used; the message is one line naming the file. */
public class PkiException extends BadInputException {
    public PkiException(Path file, String reason) {
        super(file + ": " + reason);
    }

    public PkiException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
    }

    public PkiException(String message) {
        super(message);
    }
}
