package io.oci2cfs.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.error.FailureKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store as the command line meets it: full, or mounted read-only. */
class StoreFailuresTest {
    @TempDir
    Path tmp;
    Path layer;

    @BeforeEach
    void layerWithA300KbFile() throws IOException {
        byte[] data = new byte[300_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + (i >> 8));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry e = new TarArchiveEntry("big.bin");
            e.setSize(data.length);
            out.putArchiveEntry(e);
            out.write(data);
            out.closeArchiveEntry();
        }
        layer = Files.write(tmp.resolve("layer.tar"), bytes.toByteArray());
    }

    private Path tmpfs(String name, String size) throws IOException {
        assumeTrue(System.getProperty("user.name").equals("root"), "mounting a tmpfs needs root; skipping");
        Path mnt = Files.createDirectories(tmp.resolve(name));
        Tools.output("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mnt.toString());
        return mnt;
    }

    @Test
    void aFullStoreIsNamedWithTheFileThatDidNotFit() throws IOException {
        Path mnt = tmpfs("small", "64k");
        try {
            Path image = tmp.resolve("i.cfs");
            Tools.CliResult r = Tools.cli("convert", layer.toString(), image.toString(), "--objects",
                    mnt.resolve("objects").toString());
            assertThat(r.exit()).isEqualTo(FailureKind.ENVIRONMENT.exitCode());
            assertThat(r.stderr()).isEqualTo("convert: layer " + layer + ": big.bin: cannot store it in "
                    + mnt.resolve("objects") + ": No space left on device\n");
            assertThat(image).doesNotExist();
        } finally {
            Tools.output("umount", mnt.toString());
        }
    }

    @Test
    void aFullStoreIsNamedWithTheFileThatDidNotFitFromADirectoryToo() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("tree"));
        Path big = Files.write(dir.resolve("big.bin"), new byte[300_000]);
        Path mnt = tmpfs("small", "64k");
        try {
            Tools.CliResult r = Tools.cli("mkcomposefs", "--digest-store=" + mnt.resolve("objects"), dir.toString(),
                    tmp.resolve("i.cfs").toString());
            assertThat(r.exit()).isNotZero();
            assertThat(r.stderr()).contains(big + ": cannot store it in " + mnt.resolve("objects")
                    + ": No space left on device");
        } finally {
            Tools.output("umount", mnt.toString());
        }
    }

    @Test
    void aReadOnlyStoreThatHoldsEveryObjectStillConverts() throws IOException {
        Path mnt = tmpfs("ro", "4m");
        try {
            Path objects = mnt.resolve("objects");
            Tools.CliResult first = Tools.cli("convert", layer.toString(), tmp.resolve("a.cfs").toString(),
                    "--objects", objects.toString());
            assertThat(first.exit()).as(first.stderr()).isZero();
            Tools.output("mount", "-o", "remount,ro", mnt.toString());

            Path image = tmp.resolve("b.cfs");
            Tools.CliResult again = Tools.cli("convert", layer.toString(), image.toString(), "--objects",
                    objects.toString());
            assertThat(again.exit()).as(again.stderr()).isZero();
            assertThat(again.stderr()).contains("0 objects new, 1 reused");
            assertThat(Files.readAllBytes(image)).isEqualTo(Files.readAllBytes(tmp.resolve("a.cfs")));
        } finally {
            Tools.output("umount", mnt.toString());
        }
    }
}
