package io.oci2cfs.mount;

import io.oci2cfs.error.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Mounts and unmounts composefs images with mount(8), as mount.composefs does.
 *
 * <p>The EROFS image is mounted on a private directory, the overlay is mounted with
 * {@code lowerdir=META::OBJECTS} (the object store as a data-only layer, Linux 6.5+) and
 * {@code metacopy=on,redirect_dir=on}, and the EROFS mount is then detached lazily: the overlay keeps it
 * alive, so unmounting the overlay releases everything, loop device included.
 */
public final class ComposefsMount {
    private ComposefsMount() {
    }

    /** Mounts {@code image} at {@code mountpoint}; with {@code verity} every object must pass fs-verity. */
    public static void mount(Path image, Path objects, Path mountpoint, boolean verity) throws IOException {
        if (!Files.isRegularFile(image)) {
            throw new BadInputException(image + ": no such image");
        }
        if (!Files.isDirectory(objects)) {
            throw new IOException(objects + ": object store is not a directory");
        }
        if (!Files.isDirectory(mountpoint)) {
            throw new IOException(mountpoint + ": mount point is not a directory");
        }
        Path meta = Files.createTempDirectory(privateRoot(), "meta-");
        try {
            run("mount", "-t", "erofs", "-o", "loop,ro", image.toAbsolutePath().toString(), meta.toString());
            try {
                String opts = "ro,metacopy=on,redirect_dir=on,lowerdir=" + escape(meta) + "::" + escape(objects)
                        + (verity ? ",verity=require" : "");
                run("mount", "-t", "overlay", "overlay", "-o", opts, mountpoint.toAbsolutePath().toString());
            } finally {
                run("umount", "-l", meta.toString());
            }
        } finally {
            Files.deleteIfExists(meta);
        }
    }

    public static void unmount(Path mountpoint) throws IOException {
        run("umount", mountpoint.toAbsolutePath().toString());
    }

    private static Path privateRoot() throws IOException {
        Path run = Path.of("/run/oci2cfs");
        try {
            return Files.createDirectories(run);
        } catch (IOException e) {
            return Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "oci2cfs-mounts"));
        }
    }

    /** overlayfs splits its layer list at {@code :} and {@code ,}; a backslash escapes them. */
    private static String escape(Path p) {
        return p.toAbsolutePath().toString().replace("\\", "\\\\").replace(":", "\\:").replace(",", "\\,");
    }

    private static void run(String... cmd) throws IOException {
        List<String> command = new ArrayList<>(List.of(cmd));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out.replace('\n', ' '));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + " interrupted");
        }
    }
}
