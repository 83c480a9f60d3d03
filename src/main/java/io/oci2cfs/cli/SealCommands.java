package io.oci2cfs.cli;

import io.oci2cfs.error.UsageException;
import io.oci2cfs.fsverity.HashAlgorithm;
import io.oci2cfs.image.ImageReference;
import io.oci2cfs.image.Platform;
import io.oci2cfs.image.SourceKind;
import io.oci2cfs.registry.DockerReference;
import io.oci2cfs.registry.RegistryClient;
import io.oci2cfs.seal.RegistrySeal;
import io.oci2cfs.seal.SealFormat;
import io.oci2cfs.seal.SealVerifier;
import io.oci2cfs.seal.Sealer;
import io.oci2cfs.signing.SignatureVerifier;
import io.oci2cfs.signing.VeritySigner;
import io.oci2cfs.store.StrayFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code oci2cfs seal} and {@code oci2cfs verify-seal} (see io.oci2cfs.seal and docs/sealing.md). */
final class SealCommands {
    private SealCommands() {
    }

    /** An {@code oci:DIR[:REF]} reference: sealing reads OCI layout directories (and pushes to registries). */
    static ImageReference layout(String text, String what) throws UsageException {
        ImageReference ref = ImageReference.parse(text);
        if (ref.kind() != SourceKind.OCI_LAYOUT) {
            throw new UsageException(what + " " + text + ": sealing works on OCI layout directories, "
                    + "oci:DIR[:REF]");
        }
        return ref;
    }

    /** Whether {@code text} names a registry image, {@code docker://...}. */
    static boolean isDocker(String text) {
        return text.startsWith(DockerReference.TRANSPORT);
    }

    static DockerReference docker(String text) throws UsageException {
        try {
            return DockerReference.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    /** Which image of the layout, and how many hashing workers. */
    static final class Selection {
        @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Manifest to take from an index.")
        String platform;

        @Option(names = "--threads", paramLabel = "N", description = "Hashing workers.")
        int threads = Runtime.getRuntime().availableProcessors();

        Platform platform() {
            return platform == null ? Platform.host() : Platform.parse(platform);
        }
    }

    @Command(name = "seal", description = "Write a sealed copy of an image (composefs digests in its manifest and "
            + "config) into an OCI layout or a registry, with a signature artifact when given a key.")
    static final class Seal implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SOURCE", description = "oci:DIR[:REF]")
        String source;

        @Option(names = "--output", required = true, paramLabel = "oci:DIR[:REF]|docker://REF",
                description = "Where to write it: an OCI layout, or a registry to push it to.")
        String output;

        @Mixin
        RegistryFlags registry;

        @Option(names = "--hash", paramLabel = "ALG", defaultValue = "sha512", converter = HashOption.class,
                description = "fs-verity hash: sha512 (default, as the sealing specification recommends) or sha256.")
        HashAlgorithm hash;

        @Mixin
        SignKeyOptions keys;

        @Mixin
        Selection selection;

        @Override
        public Integer call() throws IOException {
            ImageReference in = layout(source, "SOURCE");
            Sealer.Result r;
            if (isDocker(output)) {
                DockerReference to = docker(output);
                VeritySigner signer = keys.load();
                // the same sealed image as for oci:DIR, written aside and then pushed blob by blob
                Path staged = Files.createTempDirectory("oci2cfs-seal");
                try (RegistryClient client = new RegistryClient(registry.options())) {
                    r = Sealer.seal(in.path(), in.ref(), selection.platform(), hash, signer, staged, null,
                            selection.threads);
                    RegistrySeal.push(staged, r, client, to);
                } finally {
                    StrayFiles.deleteTree(staged);
                }
            } else {
                ImageReference out = layout(output, "--output");
                VeritySigner signer = keys.load();
                r = Sealer.seal(in.path(), in.ref(), selection.platform(), hash, signer, out.path(), out.ref(),
                        selection.threads);
            }
            System.out.println("sealed " + r.manifest() + " " + SealFormat.mergedAnnotation(hash) + "="
                    + r.digests().merged() + (r.artifact() == null ? "" : " signatures " + r.artifact()));
            return 0;
        }
    }

    @Command(name = "verify-seal", description = "Recompute a sealed image's composefs digests and check its "
            + "annotations, label and signatures.")
    static final class VerifySeal implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SOURCE", description = "oci:DIR[:REF] or docker://REF")
        String source;

        @Option(names = "--cert", paramLabel = "CERT", description = "Require and check the signatures with these "
                + "certificates (PEM or DER).")
        Path cert;

        @Mixin
        Selection selection;

        @Mixin
        RegistryFlags registry;

        @Override
        public Integer call() throws IOException {
            SignatureVerifier certificates = cert == null ? null : SignatureVerifier.load(cert);
            SealVerifier.Report r;
            if (isDocker(source)) {
                DockerReference from = docker(source);
                // pulled into a layout of its own, with the signature artifacts the registry lists as referrers
                Path fetched = Files.createTempDirectory("oci2cfs-verify-seal");
                try (RegistryClient client = new RegistryClient(registry.options())) {
                    RegistrySeal.fetch(client, from, selection.platform(), fetched);
                    r = SealVerifier.verify(fetched, RegistrySeal.FETCHED, selection.platform(), certificates,
                            selection.threads);
                } finally {
                    StrayFiles.deleteTree(fetched);
                }
            } else {
                ImageReference in = layout(source, "SOURCE");
                r = SealVerifier.verify(in.path(), in.ref(), selection.platform(), certificates, selection.threads);
            }
            if (!r.ok()) {
                r.problems().forEach(System.err::println);
                return 1;
            }
            System.out.println(source + ": seal holds (" + SealFormat.algorithmName(r.digests().algorithm())
                    + " merged " + r.digests().merged() + ", " + r.digests().layers().size() + " layers"
                    + (certificates == null ? "" : ", " + r.signatures() + " signatures verified") + ")");
            return 0;
        }
    }
}
