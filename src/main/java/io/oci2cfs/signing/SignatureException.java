package io.oci2cfs.signing;

import io.oci2cfs.pki.PkiException;

/** A signature that is refused: malformed, made by a key the verifier does not trust, or over other data. */
public final class SignatureException extends PkiException {
    public SignatureException(String message) {
        super(message);
    }

    public SignatureException(String message, Throwable cause) {
        super(message);
        initCause(cause);
    }
}
