package io.oci2cfs.pki;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The Bouncy Castle JCA provider, used by instance and never installed into {@link java.security.Security}, so
 * that a library user's provider list is left as it was.
 */
public final class BouncyCastle {
    private static final Provider PROVIDER = new BouncyCastleProvider();

    private BouncyCastle() {
    }

    public static Provider provider() {
        return PROVIDER;
    }
}
