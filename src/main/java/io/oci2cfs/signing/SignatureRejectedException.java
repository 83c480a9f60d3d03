package io.oci2cfs.signing;

import io.oci2cfs.pki.PkiException;

/** A signature that is refused: malformed, made by a key the verifier does not trust, or over other data. */
public final class SignatureRejectedException extends PkiException {
    private static final long serialVersionUID = 1L;

    public SignatureRejectedException(String message) {
        super(message);
    }

    public SignatureRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
