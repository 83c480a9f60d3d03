package io.oci2cfs.registry.auth;

/** A credential for one registry. */
public sealed interface Credential {

    record Anonymous() implements Credential {
    }

    record Basic(String user, String password) implements Credential {
    }

    /** An OAuth2 refresh token ({@code identitytoken} in auth files, user {@code <token>} from helpers). */
    record IdentityToken(String user, String token) implements Credential {
    }

    /** A bearer token sent as is ({@code --registry-token}). */
    record BearerToken(String token) implements Credential {
    }
}
