package io.oci2cfs.registry;

import io.oci2cfs.registry.config.TlsMaterial;
import java.util.List;

/**
 * How to speak TLS to one registry host.
 *
 * @param verify check the server's certificate chain and name; false for {@code --tls-verify=false}
 * @param material extra CAs and a client certificate (certs.d)
 */
record TlsConfig(boolean verify, TlsMaterial material) {
    static TlsConfig standard() {
        return new TlsConfig(true, new TlsMaterial(List.of(), null, List.of()));
    }
}
