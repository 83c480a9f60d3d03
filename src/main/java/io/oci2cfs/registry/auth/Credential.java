package io.oci2cfs.registry.auth;

import java.util.Objects;

/** A credential for one registry. Secrets never appear in {@code toString()}. */
public sealed interface Credential {

    /** No credential: the registry's anonymous token flow, if any. */
    record Anonymous() implements Credential {
    }

    /** A user name and password, for Basic auth or the token server. */
    record Basic(String user, String password) implements Credential {
        public Basic {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Basic[user=" + user + ", password=<redacted>]";
        }
    }

    /** An OAuth2 refresh token ({@code identitytoken} in auth files, user {@code <token>} from helpers). */
    record IdentityToken(String user, String token) implements Credential {
        public IdentityToken {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return "IdentityToken[user=" + user + ", token=<redacted>]";
        }
    }

    /** A bearer token sent as is ({@code --registry-token}). */
    record BearerToken(String token) implements Credential {
        public BearerToken {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return "BearerToken[<redacted>]";
        }
    }
}
