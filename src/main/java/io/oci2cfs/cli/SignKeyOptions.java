package io.oci2cfs.cli;

import io.oci2cfs.error.UsageException;
import io.oci2cfs.signing.VeritySigner;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --sign-key KEY --sign-cert CERT [--key-password-file F]}, for the commands that sign what they write. */
final class SignKeyOptions {
    @Option(names = "--sign-key", paramLabel = "KEY", description = "Sign with this PEM private key (RSA or EC).")
    Path key;

    @Option(names = "--sign-cert", paramLabel = "CERT", description = "The signing key's certificate (PEM or DER).")
    Path cert;

    @Option(names = "--key-password-file", paramLabel = "FILE", description = "Password of an encrypted key (first line).")
    Path passwordFile;

    /** The signer, or null when no key is given; loaded before anything is written. */
    VeritySigner load() throws IOException {
        if ((key == null) != (cert == null)) {
            throw new UsageException("--sign-key and --sign-cert go together");
        }
        return key == null ? null : SigningCommands.loadSigner(key, cert, passwordFile);
    }
}
