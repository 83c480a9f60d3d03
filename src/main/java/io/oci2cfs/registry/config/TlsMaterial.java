package io.oci2cfs.registry.config;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * TLS settings for one registry from its certs.d directory.
 *
 * @param extraCas    CAs trusted in addition to the system roots
 * @param clientKey   the client key, or null without a client certificate; never printed
 * @param clientChain the client certificate first, then any intermediates from the same file; empty without one
 */
public record TlsMaterial(List<X509Certificate> extraCas, PrivateKey clientKey, List<X509Certificate> clientChain) {

    private static final TlsMaterial NONE = new TlsMaterial(List.of(), null, List.of());

    public TlsMaterial {
        extraCas = List.copyOf(extraCas);
        clientChain = List.copyOf(clientChain);
        if ((clientKey == null) != clientChain.isEmpty()) {
            throw new IllegalArgumentException("a client key needs a client certificate and the other way round");
        }
    }

    public static TlsMaterial none() {
        return NONE;
    }

    boolean hasClientCertificate() {
        return clientKey != null;
    }

    @Override
    public String toString() {
        return "TlsMaterial[extraCas=" + extraCas.stream().map(c -> c.getSubjectX500Principal().getName()).toList()
                + ", client=" + (clientKey == null ? "none"
                        : clientChain.get(0).getSubjectX500Principal().getName() + " with a "
                                + clientKey.getAlgorithm() + " key <redacted>")
                + "]";
    }
}
