package io.oci2cfs.cli;

import io.oci2cfs.fsverity.HashAlgorithm;
import io.oci2cfs.signing.VerityEnabler;
import io.oci2cfs.signing.VeritySigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What convert (and any command that writes images) does after an image is written: sign it into
 * {@code IMAGE.sig} and enable fs-verity on it and its objects. The key is loaded before the conversion, so
 * that a bad key or password fails before anything is written.
 */
final class SigningOptions {
    @Mixin
    SignKeyOptions keys;

    @Option(names = "--sign-hash", paramLabel = "ALG", defaultValue = "sha256", converter = HashOption.class,
            description = "fs-verity hash the signature covers: sha256 (default) or sha512.")
    HashAlgorithm hash;

    @Option(names = "--enable-verity", description = "Enable fs-verity on the objects and the image (with the "
            + "signature, if any) where the filesystem supports it.")
    boolean enableVerity;

    private VeritySigner signer;

    /** Loads the key and certificate, if given; call before writing anything. */
    void load() throws IOException {
        signer = keys.load();
    }

    /**
     * Signs {@code image} and enables verity as asked; says on stderr what the filesystem would not do. When
     * signing fails, the image is removed: no unsigned image is left where a signed one was asked for.
     */
    void apply(Path image, Path objects) throws IOException {
        byte[] signature = null;
        if (signer != null) {
            try {
                signature = Files.readAllBytes(signer.signBeside(image, hash));
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(image);
                throw e;
            }
        }
        if (enableVerity) {
            VerityEnabler.Outcome o = VerityEnabler.enable(image, objects, hash, signature);
            o.unsupported().forEach(line -> System.err.println("--enable-verity: " + line));
        }
    }
}
