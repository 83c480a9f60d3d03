package io.oci2cfs.cli;

import io.oci2cfs.error.UsageException;
import io.oci2cfs.mount.ComposefsMount;
import io.oci2cfs.signing.ImageVerifier;
import io.oci2cfs.signing.SignatureVerifier;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code oci2cfs mount IMAGE --objects DIR MOUNTPOINT} and {@code oci2cfs umount MOUNTPOINT}. */
final class MountCommand {
    private MountCommand() {
    }

    @Command(name = "mount", description = "Mount a composefs image read-only (needs root).")
    static final class Mount implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "IMAGE")
        Path image;

        @Parameters(index = "1", paramLabel = "MOUNTPOINT")
        Path mountpoint;

        @Option(names = "--objects", required = true, paramLabel = "DIR", description = "The object store.")
        Path objects;

        @Option(names = "--verity", description = "Require fs-verity on every object (overlayfs verity=require).")
        boolean verity;

        @Option(names = "--digest", paramLabel = "HEX",
                description = "Refuse to mount unless the image has this fs-verity digest (composefs digest=).")
        String digest;

        @Option(names = "--sig", paramLabel = "SIG", description = "Refuse to mount unless SIG is a signature of "
                + "the image by a certificate of --cert.")
        Path sig;

        @Option(names = "--cert", paramLabel = "CERT", description = "Trusted certificates for --sig, PEM or DER.")
        Path cert;

        @Override
        public Integer call() throws Exception {
            if ((sig == null) != (cert == null)) {
                throw new UsageException("--sig and --cert go together");
            }
            // Checked in user space before the mount, as the kernel here cannot: the image file must not change
            // between this check and the mount (keep it where only root writes).
            if (digest != null) {
                ImageVerifier.requireDigest(image, digest);
            }
            if (sig != null) {
                SignatureVerifier.load(cert).verify(image, sig);
            }
            ComposefsMount.mount(image, objects, mountpoint, verity);
            return 0;
        }
    }

    @Command(name = "umount", description = "Unmount a composefs image mounted by oci2cfs mount.")
    static final class Umount implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MOUNTPOINT")
        Path mountpoint;

        @Override
        public Integer call() throws Exception {
            ComposefsMount.unmount(mountpoint);
            return 0;
        }
    }
}
