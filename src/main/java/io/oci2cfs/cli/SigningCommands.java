package io.oci2cfs.cli;

import io.oci2cfs.fsverity.HashAlgorithm;
import io.oci2cfs.output.OutputFiles;
import io.oci2cfs.pki.PemKeys;
import io.oci2cfs.signing.FormattedDigest;
import io.oci2cfs.signing.ImageVerifier;
import io.oci2cfs.signing.SignatureVerifier;
import io.oci2cfs.signing.VeritySigner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code oci2cfs sign} and {@code oci2cfs verify}: fs-verity built-in signatures (see io.oci2cfs.signing). */
final class SigningCommands {
    private SigningCommands() {
    }

    /** The key, certificate and hash of a signature, as sign and convert take them. */
    static VeritySigner loadSigner(Path key, Path cert, Path passwordFile) throws IOException {
        char[] password = passwordFile == null ? null : PemKeys.readPassword(passwordFile);
        return VeritySigner.load(key, cert, password);
    }

    @Command(name = "sign", description = "Sign a file's fs-verity digest (detached PKCS#7, as fsverity sign).")
    static final class Sign implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Option(names = "--key", required = true, paramLabel = "KEY", description = "PEM private key (RSA or EC).")
        Path key;

        @Option(names = "--cert", required = true, paramLabel = "CERT", description = "The key's certificate, PEM or DER.")
        Path cert;

        @Option(names = "--out", required = true, paramLabel = "SIG", description = "The DER signature to write.")
        Path out;

        @Option(names = "--hash", paramLabel = "ALG", defaultValue = "sha256", converter = HashOption.class,
                description = "fs-verity hash: sha256 (default) or sha512.")
        HashAlgorithm hash;

        @Option(names = "--key-password-file", paramLabel = "FILE", description = "Password of an encrypted key (first line).")
        Path passwordFile;

        @Override
        public Integer call() throws IOException {
            VeritySigner signer = loadSigner(key, cert, passwordFile);
            FormattedDigest digest = FormattedDigest.of(file, hash);
            OutputFiles.write("signature", out, signer.sign(digest));
            System.err.println("Signed " + file + " (" + digest + ") -> " + out);
            return 0;
        }
    }

    @Command(name = "verify", description = "Check a file's fs-verity signature and, for a composefs image, its objects.")
    static final class Verify implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Option(names = "--sig", required = true, paramLabel = "SIG", description = "The DER signature.")
        Path sig;

        @Option(names = "--cert", required = true, paramLabel = "CERT",
                description = "Trusted certificates, PEM (one or several) or DER.")
        Path cert;

        @Option(names = "--objects", paramLabel = "DIR",
                description = "Also check that this store holds every object of the image, with its digest.")
        Path objects;

        @Override
        public Integer call() throws IOException {
            ImageVerifier.Report r = ImageVerifier.verify(file, sig, SignatureVerifier.load(cert), objects);
            if (!r.ok()) {
                r.problems().forEach(System.err::println);
                return 1;
            }
            System.out.println(file + ": signature good (" + r.signature().digest() + ", signed by "
                    + r.signature().signerName() + ")" + (objects == null ? ""
                    : "; " + r.objectsChecked() + " objects present in " + objects + " with their digests"));
            return 0;
        }
    }
}
