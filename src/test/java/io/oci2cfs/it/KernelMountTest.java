package io.oci2cfs.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.linux.Xattrs;
import io.oci2cfs.testutil.Cli;
import io.oci2cfs.testutil.ErofsTools;
import io.oci2cfs.testutil.Proc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image through the kernel: mounted with EROFS and composed with the object store by overlayfs (as
 * composefs does), the tree must look exactly like the directory it was made from. Needs root, loop devices,
 * and the erofs and overlay filesystems; skips and says so otherwise.
 */
class KernelMountTest {
    private static final long T0 = 1_600_000_000L;

    @TempDir
    Path tmp;

    private static void sh(String... cmd) {
        Proc.Result r = Proc.run(cmd);
        assertThat(r.code()).as("%s: %s", List.of(cmd), r).isZero();
    }

    private static FileTime time(int i) {
        return FileTime.from(Instant.ofEpochSecond(T0 + i * 1000L, 123_456_789L + i));
    }

    private static void file(Path p, int size, String mode, int i) throws IOException {
        byte[] b = new byte[size];
        for (int k = 0; k < size; k++) {
            b[k] = (byte) (k * 13 + i + (k >> 12));
        }
        Files.write(p, b);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        Files.setLastModifiedTime(p, time(i));
    }

    private static void xattr(Path p, String name, String value) throws IOException {
        Files.getFileAttributeView(p, UserDefinedFileAttributeView.class)
                .write(name.substring("user.".length()), ByteBuffer.wrap(value.getBytes()));
    }

    /** Files of several sizes, symlinks, a fifo, user xattrs, modes, owners and nanosecond mtimes. */
    private Path sourceTree() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src/sub/deep"));
        src = src.getParent().getParent();
        file(src.resolve("empty"), 0, "rw-r--r--", 1);
        file(src.resolve("small"), 10, "rw-------", 2);
        file(src.resolve("exact64"), 64, "rw-r-----", 3);
        file(src.resolve("over64"), 65, "rwxr-xr-x", 4);
        file(src.resolve("big"), 200_000, "rwxr-xr-x", 5);
        file(src.resolve("ab"), 100, "rw-r--r--", 6); // the name of a root whiteout: no whiteout is made
        file(src.resolve("sub/deep/file"), 5000, "r--r--r--", 7);
        file(src.resolve("sub/same-as-big"), 0, "rw-r--r--", 8);
        Files.copy(src.resolve("big"), src.resolve("sub/same-as-big"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(src.resolve("sub/same-as-big"), time(8));
        xattr(src.resolve("small"), "user.a", "1");
        xattr(src.resolve("big"), "user.b", "x=y z");
        xattr(src.resolve("sub"), "user.empty", "");
        sh("chown", "1234:5678", src.resolve("over64").toString());
        sh("chown", "70000:70001", src.resolve("big").toString());
        sh("chown", "42:43", src.resolve("sub").toString());
        sh("chmod", "4755", src.resolve("big").toString()); // after chown, which clears set-user-ID
        sh("mkfifo", "-m", "0640", src.resolve("fifo").toString());
        Files.createSymbolicLink(src.resolve("sub/rel-link"), Path.of("../big"));
        Files.createSymbolicLink(src.resolve("abs-link"), Path.of("/nonexistent/target"));
        sh("touch", "-h", "-d", "@" + (T0 + 9) + ".5", src.resolve("sub/rel-link").toString());
        sh("touch", "-h", "-d", "@" + (T0 + 10) + ".25", src.resolve("fifo").toString());
        Files.setLastModifiedTime(src.resolve("sub/deep"), time(11));
        Files.setLastModifiedTime(src.resolve("sub"), time(12));
        Files.setPosixFilePermissions(src, PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(src, time(13));
        return src;
    }

    private static boolean kernelHas(String fs) {
        if (Proc.has("modprobe")) {
            Proc.run("modprobe", fs);
        }
        try {
            return Files.readString(Path.of("/proc/filesystems")).contains("\t" + fs + "\n");
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void overlayOfTheImageAndStoreShowsTheSourceTree() throws IOException {
        assumeTrue(Proc.isRoot(), "not root: the kernel mount test is skipped");
        assumeTrue(kernelHas("erofs") && kernelHas("overlay"),
                "the kernel has no erofs or overlay filesystem: the kernel mount test is skipped");
        Path src = sourceTree();
        Path store = tmp.resolve("store");
        Path image = tmp.resolve("tree.cfs");
        Proc.Result mk = Cli.run("mkcomposefs", "--digest-store=" + store, src.toString(), image.toString());
        assertThat(mk.code()).as("%s", mk).isZero();
        ErofsTools.fsck(image);

        Path m1 = Files.createDirectory(tmp.resolve("m1"));
        Path m2 = Files.createDirectory(tmp.resolve("m2"));
        List<Path> mounted = new ArrayList<>();
        try {
            Proc.Result erofs = Proc.run("mount", "-t", "erofs", "-o", "loop,ro", image.toString(), m1.toString());
            assumeTrue(erofs.code() == 0, "cannot loop-mount EROFS here (" + erofs.stderr().trim() + "): skipped");
            mounted.add(0, m1);
            String opts = "ro,metacopy=on,redirect_dir=on,lowerdir=" + m1 + "::" + store;
            Proc.Result overlay = Proc.run("mount", "-t", "overlay", "overlay", "-o", opts, m2.toString());
            assertThat(overlay.code()).as("overlay with a data-only lower layer (%s): %s", opts, overlay).isZero();
            mounted.add(0, m2);

            assertSameTree(src, m2);
            // the image holds the 00..ff root whiteouts (but not "ab", a real file) and overlayfs hides them
            try (Stream<Path> s = Files.list(m1)) {
                List<Path> whiteouts = s.filter(p -> p.getFileName().toString().matches("[0-9a-f]{2}")).toList();
                assertThat(whiteouts).hasSize(256);
                for (Path w : whiteouts) {
                    boolean real = w.getFileName().toString().equals("ab");
                    assertThat(Files.isRegularFile(w, LinkOption.NOFOLLOW_LINKS)).as(w.toString()).isEqualTo(real);
                }
            }
        } finally {
            for (Path m : mounted) {
                if (Proc.run("umount", m.toString()).code() != 0) {
                    Proc.run("umount", "-l", m.toString());
                }
            }
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertSameTree(Path src, Path mnt) throws IOException {
        assertSameEntry(src, mnt);
        if (!Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<String> names = names(src);
        assertThat(names(mnt)).as("entries of %s", mnt).isEqualTo(names);
        for (String n : names) {
            assertSameTree(src.resolve(n), mnt.resolve(n));
        }
    }

    private static void assertSameEntry(Path src, Path mnt) throws IOException {
        Map<String, Object> a = Files.readAttributes(src, "unix:*", LinkOption.NOFOLLOW_LINKS);
        Map<String, Object> b = Files.readAttributes(mnt, "unix:*", LinkOption.NOFOLLOW_LINKS);
        String what = mnt.toString();
        assertThat(Integer.toOctalString((Integer) b.get("mode"))).as("mode of %s", what)
                .isEqualTo(Integer.toOctalString((Integer) a.get("mode")));
        assertThat(b.get("uid")).as("uid of %s", what).isEqualTo(a.get("uid"));
        assertThat(b.get("gid")).as("gid of %s", what).isEqualTo(a.get("gid"));
        assertThat(((FileTime) b.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS)).as("mtime of %s", what)
                .isEqualTo(((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS));
        assertThat(Xattrs.list(mnt)).as("xattrs of %s", what).isEqualTo(Xattrs.list(src));
        if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        assertThat(b.get("size")).as("size of %s", what).isEqualTo(a.get("size"));
        assertThat(b.get("nlink")).as("nlink of %s", what).isEqualTo(a.get("nlink"));
        if (Files.isSymbolicLink(src)) {
            assertThat(Files.readSymbolicLink(mnt)).as(what).isEqualTo(Files.readSymbolicLink(src));
        } else if (Files.isRegularFile(src, LinkOption.NOFOLLOW_LINKS)) {
            assertThat(Files.mismatch(src, mnt)).as("first differing byte of %s", what).isEqualTo(-1L);
        }
    }
}
