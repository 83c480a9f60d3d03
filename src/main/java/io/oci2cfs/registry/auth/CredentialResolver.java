package io.oci2cfs.registry.auth;

import io.oci2cfs.registry.config.Environment;
import java.io.IOException;

/** Finds the credential for a registry and repository in podman's order. */
public final class CredentialResolver {

    public CredentialResolver(AuthOptions options, Environment env) {
        throw new UnsupportedOperationException();
    }

    public FoundCredential lookup(String registryHost, String repository) throws IOException {
        throw new UnsupportedOperationException();
    }
}
