package io.oci2cfs.cli;

import io.oci2cfs.mount.ComposefsMount;
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

        @Override
        public Integer call() throws Exception {
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
