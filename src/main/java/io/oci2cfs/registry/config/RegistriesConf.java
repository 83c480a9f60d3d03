package io.oci2cfs.registry.config;

import java.io.IOException;
import java.util.List;

/** containers-registries.conf(5) version 2: mirrors, {@code blocked} and {@code insecure} per prefix. */
public final class RegistriesConf {

    public static RegistriesConf load(Environment env) throws IOException {
        throw new UnsupportedOperationException();
    }

    public static RegistriesConf empty() {
        throw new UnsupportedOperationException();
    }

    /** Mirrors in order, then the primary; throws a one-line IOException if the reference is blocked. */
    public List<Endpoint> endpoints(String host, String repository, boolean byDigest) throws IOException {
        throw new UnsupportedOperationException();
    }
}
