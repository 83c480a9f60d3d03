package io.oci2cfs.registry.auth;

/**
 * A credential and where it came from, for error messages.
 *
 * @param source e.g. {@code --creds} or {@code /root/.docker/config.json (credHelpers: test)}
 */
public record FoundCredential(Credential credential, String source) {
}
