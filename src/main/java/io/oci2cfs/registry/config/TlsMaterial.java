package io.oci2cfs.registry.config;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** Extra CAs (added to the system roots) and an optional client key with its certificate chain. */
public record TlsMaterial(List<X509Certificate> extraCas, PrivateKey clientKey, List<X509Certificate> clientChain) {

    public static TlsMaterial none() {
        throw new UnsupportedOperationException();
    }
}
