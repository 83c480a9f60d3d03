package io.oci2cfs.registry.auth;

import java.nio.file.Path;

/**
 * The credential options of the command line, with podman's and skopeo's names.
 *
 * @param creds         {@code --creds USER:PASS}, or null; {@code USER:} gives an empty password, a value
 *                      without {@code :} is refused (skopeo would prompt; we never do)
 * @param registryToken {@code --registry-token}, a bearer token, or null
 * @param noCreds       {@code --no-creds}: access the registry anonymously
 * @param authFile      {@code --authfile}: the only auth file to read, or null (then
 *                      {@code $REGISTRY_AUTH_FILE}, then the default files)
 */
public record AuthOptions(String creds, String registryToken, boolean noCreds, Path authFile) {

    private static final AuthOptions NONE = new AuthOptions(null, null, false, null);

    public static AuthOptions none() {
        return NONE;
    }

    @Override
    public String toString() {
        return "AuthOptions[creds=" + (creds == null ? "null" : creds.replaceFirst(":.*", ":<redacted>"))
                + ", registryToken=" + (registryToken == null ? "null" : "<redacted>") + ", noCreds=" + noCreds
                + ", authFile=" + authFile + "]";
    }
}
