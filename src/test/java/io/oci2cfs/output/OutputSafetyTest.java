package io.oci2cfs.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.testutil.Cli;
import io.oci2cfs.testutil.Proc;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs never destroy what was at their paths: a failure after the image is written leaves the old image,
 * special files and directories are refused before any work, and bad paths are named in one line.
 */
class OutputSafetyTest {
    private static final String BASIC = "oci:oci-fixtures/basic";
    private static final byte[] OLD = "the image that was there\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    private Proc.Result convert(Path image, String... options) {
        List<String> args = new ArrayList<>(List.of("convert", BASIC, image.toString(), "--objects",
                tmp.resolve("objects").toString()));
        args.addAll(List.of(options));
        return Cli.run(args.toArray(new String[0]));
    }

    private static void assertFailedWith(Proc.Result r, String... parts) {
        assertThat(r.code()).as(r.stderr()).isNotZero();
        assertThat(r.stderr().strip()).as("one line").doesNotContain("\n").contains(parts);
    }

    /** Files whose names our temporary outputs or staging directories would have. */
    private static List<Path> leftovers(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")
                    || p.getFileName().toString().startsWith(".staging-")).toList();
        }
    }

    private Path oldImage() throws IOException {
        Path image = tmp.resolve("app.cfs");
        Files.write(image, OLD);
        return image;
    }

    @Test
    void dumpIntoAMissingDirectoryKeepsTheOldImage() throws Exception {
        Path image = oldImage();
        Proc.Result r = convert(image, "--dump", tmp.resolve("missing/app.dump").toString());
        assertFailedWith(r, "--dump", "missing", "does not exist");
        assertThat(Files.readAllBytes(image)).isEqualTo(OLD);
        assertThat(leftovers(tmp)).isEmpty();
    }

    @Test
    void perLayerDirectoryThatIsAFileKeepsTheOldImage() throws Exception {
        Path image = oldImage();
        Path file = Files.writeString(tmp.resolve("layers"), "x");
        Proc.Result r = convert(image, "--per-layer", file.toString());
        assertFailedWith(r, "--per-layer", file.toString(), "not a directory");
        assertThat(Files.readAllBytes(image)).isEqualTo(OLD);
    }

    @Test
    void imagePathThatIsADirectoryIsRefusedAndKept() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("dir.cfs"));
        assertFailedWith(convert(dir), dir.toString(), "is a directory");
        assertThat(dir).isEmptyDirectory();
        assertFailedWith(Cli.run("mkcomposefs", "--from-file", "-", dir.toString()), "is a directory");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void fifoAndSocketAtTheImagePathAreRefusedAndKept() throws Exception {
        assumeTrue(Proc.has("mkfifo"), "no mkfifo: skipped");
        Path fifo = tmp.resolve("fifo.cfs");
        assertThat(Proc.run("mkfifo", fifo.toString()).code()).isZero();
        assertFailedWith(convert(fifo), fifo.toString(), "is a FIFO");
        assertThat((Integer) Files.getAttribute(fifo, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000)
                .isEqualTo(0010000);

        Path socket = tmp.resolve("socket.cfs");
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(socket));
            assertFailedWith(convert(socket), socket.toString(), "is a socket");
            assertThat((Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000)
                    .isEqualTo(0140000);
        }
    }

    @Test
    void deviceNodeIsRefusedAndKept() throws Exception {
        assumeTrue(Proc.isRoot() && Proc.has("mknod"), "not root: the device node case is skipped");
        Path dev = tmp.resolve("null");
        Proc.Result made = Proc.run("mknod", dev.toString(), "c", "1", "3");
        assumeTrue(made.code() == 0, "cannot make a device node here: " + made.stderr());
        assertFailedWith(convert(dev), dev.toString(), "is a character device");
        assertFailedWith(Cli.run("mkcomposefs", "--from-file", "-", dev.toString()), "is a character device");
        assertThat((Integer) Files.getAttribute(dev, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000)
                .isEqualTo(0020000);
    }

    @Test
    void symlinkAtTheImagePathIsFollowedAndItsTargetReplaced() throws Exception {
        Path versions = Files.createDirectory(tmp.resolve("versions"));
        Path target = Files.write(versions.resolve("v3.cfs"), OLD);
        Path link = Files.createSymbolicLink(tmp.resolve("current.cfs"), Path.of("versions/v3.cfs"));
        Proc.Result r = convert(link);
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readAllBytes(target)).isNotEqualTo(OLD);
        Path plain = tmp.resolve("plain.cfs");
        assertThat(convert(plain).code()).isZero();
        assertThat(Files.readAllBytes(target)).isEqualTo(Files.readAllBytes(plain));

        Path dangling = Files.createSymbolicLink(tmp.resolve("next.cfs"), Path.of("versions/v4.cfs"));
        assertThat(convert(dangling).code()).isZero();
        assertThat(Files.isSymbolicLink(dangling)).isTrue();
        assertThat(Files.readAllBytes(versions.resolve("v4.cfs"))).isEqualTo(Files.readAllBytes(plain));
        assertThat(leftovers(tmp)).isEmpty();
    }

    @Test
    void pathsAreCheckedBeforeAnyWork() throws Exception {
        Path image = oldImage();
        Path objects = tmp.resolve("objects");
        assertFailedWith(Cli.run("convert", BASIC, image.toString(), "--objects", ""), "empty path");
        assertFailedWith(Cli.run("convert", BASIC, "", "--objects", objects.toString()), "image", "empty path");
        assertFailedWith(convert(image, "--dump", ""), "--dump", "empty path");
        assertFailedWith(convert(image, "--per-layer", ""), "--per-layer", "empty path");
        assertFailedWith(convert(tmp.resolve("missing/app.cfs")), "missing", "does not exist");
        assertFailedWith(convert(image, "--dump", image.toString()), "is the image");
        Path alias = Files.createSymbolicLink(tmp.resolve("alias.cfs"), image.getFileName());
        assertFailedWith(convert(image, "--dump", alias.toString()), "is the image");
        assertFailedWith(Cli.run("convert", BASIC, "-", "--objects", objects.toString()), "stdout");
        assertThat(Files.readAllBytes(image)).isEqualTo(OLD);

        Files.createDirectories(objects.resolve("ab"));
        assertFailedWith(convert(objects.resolve("ab/app.cfs")), "inside the object store");
        assertFailedWith(convert(image, "--dump", objects.resolve("app.dump").toString()), "inside the object store");

        Path file = Files.writeString(tmp.resolve("store-file"), "x");
        assertFailedWith(Cli.run("convert", BASIC, image.toString(), "--objects", file.toString()),
                file.toString(), "not a directory");
        assertFailedWith(Cli.run("mkcomposefs", "--from-file", "-", image.toString(), "--digest-store", file.toString()),
                file.toString(), "not a directory");
        assertFailedWith(Cli.run("mkcomposefs", "--from-file", "-", ""), "empty path");
        assertThat(Files.readAllBytes(image)).isEqualTo(OLD);
        assertThat(objects.resolve("ab")).isEmptyDirectory();
        assertThat(leftovers(tmp)).isEmpty();
    }

    /** A disk that fills up while the dump is written: the old image and the old dump stay, nothing is left. */
    @Test
    void diskFullWhileWritingTheDumpKeepsEveryOldFile() throws Exception {
        assumeTrue(Proc.isRoot(), "not root: the full-disk case (a small tmpfs) is skipped");
        Path small = Files.createDirectory(tmp.resolve("small"));
        Proc.Result mounted = Proc.run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", small.toString());
        assumeTrue(mounted.code() == 0, "cannot mount a tmpfs here: " + mounted.stderr());
        try {
            Path dump = Files.write(small.resolve("app.dump"), OLD);
            try (OutputStream filler = Files.newOutputStream(small.resolve("filler"))) {
                byte[] block = new byte[4096];
                while (true) {
                    filler.write(block);
                    filler.flush();
                }
            } catch (IOException full) {
                // the tmpfs is full now
            }
            Path image = oldImage();
            Proc.Result r = convert(image, "--dump", dump.toString());
            assertFailedWith(r, "--dump", dump.toString(), "No space left on device");
            assertThat(Files.readAllBytes(image)).isEqualTo(OLD);
            assertThat(Files.readAllBytes(dump)).isEqualTo(OLD);
            assertThat(leftovers(tmp)).isEmpty();
        } finally {
            Proc.run("umount", small.toString());
        }
    }

    @Test
    void readOnlyImageDirectoryIsRefusedBeforeAnyWork() throws Exception {
        assumeTrue(Proc.isRoot(), "not root: the read-only mount case is skipped");
        Path ro = Files.createDirectory(tmp.resolve("ro"));
        Proc.Result mounted = Proc.run("mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", ro.toString());
        assumeTrue(mounted.code() == 0, "cannot mount a tmpfs here: " + mounted.stderr());
        try {
            assertFailedWith(convert(ro.resolve("app.cfs")), ro.toString(), "not writable");
            assertThat(tmp.resolve("objects")).doesNotExist();
        } finally {
            Proc.run("umount", ro.toString());
        }
    }
}
