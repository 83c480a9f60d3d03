package io.oci2cfs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.testutil.Cli;
import io.oci2cfs.testutil.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code oci2cfs mount} and {@code umount} against the real kernel, on a converted fixture. */
class MountCommandTest {
    @TempDir
    Path tmp;

    @Test
    void mountsShowsContentAndUnmountsCleanly() throws Exception {
        assumeTrue(Proc.isRoot(), "mounting needs root; skipped");
        String fs = Files.readString(Path.of("/proc/filesystems"));
        assumeTrue(fs.contains("\terofs\n") && fs.contains("\toverlay\n"),
                "the kernel lacks EROFS or overlayfs; skipped");
        Path image = tmp.resolve("basic.cfs");
        Path objects = tmp.resolve("objects");
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        assertThat(Cli.run("convert", "oci:oci-fixtures/basic", image.toString(), "--objects", objects.toString())
                .code()).isZero();
        Proc.Result mounted = Cli.run("mount", image.toString(), "--objects", objects.toString(), mnt.toString());
        assertThat(mounted.code()).as(mounted.stderr()).isZero();
        try {
            // A 65-byte file lives in the object store, a 64-byte one inline in the image (basic.tree).
            assertThat(Files.size(mnt.resolve("files/b65"))).isEqualTo(65);
            assertThat(Files.readAllBytes(mnt.resolve("files/b64"))).hasSize(64);
            assertThat(Files.readString(mnt.resolve("files/setuid"))).startsWith("#!/bin/sh");
            assertThat(Files.readString(Path.of("/proc/self/mounts"))).contains(mnt.toString());
        } finally {
            Proc.Result u = Cli.run("umount", mnt.toString());
            assertThat(u.code()).as(u.stderr()).isZero();
        }
        assertThat(Files.readString(Path.of("/proc/self/mounts"))).doesNotContain(mnt.toString())
                .doesNotContain(image.toString());
        assertThat(Files.list(mnt)).isEmpty();
    }

    @Test
    void missingImageIsOneLineError() {
        Proc.Result r = Cli.run("mount", tmp.resolve("nope.cfs").toString(), "--objects", tmp.toString(),
                tmp.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.stderr().strip()).contains("nope.cfs").doesNotContain("\n");
    }
}
