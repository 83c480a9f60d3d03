package io.oci2cfs.registry.config;

import java.io.IOException;
import java.nio.file.Path;

/** containers-certs.d(5): per-registry directories of CAs and client certificates. */
public final class CertsDirs {

    private CertsDirs() {
    }

    public static TlsMaterial forHost(String hostPort, Path certDirOverride, Environment env) throws IOException {
        throw new UnsupportedOperationException();
    }
}
