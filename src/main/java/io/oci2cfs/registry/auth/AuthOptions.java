package io.oci2cfs.registry.auth;

import java.nio.file.Path;

/**
 * The credential options of the command line (podman's names).
 *
 * @param creds         {@code USER:PASS}, or null
 * @param registryToken a bearer token, or null
 * @param noCreds       access the registry anonymously
 * @param authFile      the only auth file to read, or null
 */
public record AuthOptions(String creds, String registryToken, boolean noCreds, Path authFile) {

    public static AuthOptions none() {
        throw new UnsupportedOperationException();
    }
}
