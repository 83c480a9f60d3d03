package io.oci2cfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.testutil.Cli;
import io.oci2cfs.testutil.Conformance;
import io.oci2cfs.testutil.ErofsTools;
import io.oci2cfs.testutil.Images;
import io.oci2cfs.testutil.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code oci2cfs info ls|dump|objects|missing-objects|measure-file} on images we build. */
class InfoCommandTest {
    private static final String SH = "9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
    private static final String OS_RELEASE = "b40f5f9b3a6d2c1e8f7a9b0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6";
    private static final String CAP = "\\x01\\x00\\x00\\x02\\x00\\x04" + "\\x00".repeat(14);

    @TempDir
    Path tmp;

    private static Proc.Result ok(Proc.Result r) {
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.stderr()).isEmpty();
        return r;
    }

    private static String obj(String hex) {
        return hex.substring(0, 2) + "/" + hex.substring(2);
    }

    private Path example() {
        Path image = tmp.resolve("example.cfs");
        ok(Cli.run("mkcomposefs", "--from-file", "src/test/resources/dumps/example.dump", image.toString()));
        ErofsTools.fsck(image);
        return image;
    }

    @Test
    void lsListsEveryEntryWithItsTargetOrObject() {
        assertThat(ok(Cli.run("info", "ls", example().toString())).out()).isEqualTo(""
                + "/bin\t-> usr/bin\n"
                + "/etc/\t\n"
                + "/etc/hostname\n"
                + "/etc/os-release\t@ " + obj(OS_RELEASE) + "\n"
                + "/tmp/\t\n"
                + "/usr/\t\n"
                + "/usr/bin/\t\n"
                + "/usr/bin/bash\t@ " + obj(SH) + "\n"
                + "/usr/bin/sh\t@ " + obj(SH) + "\n");
    }

    @Test
    void dumpPrintsTheImageAsADumpFile() {
        // Directory sizes and nlinks are the image's; the first name of an inode in the image owns it.
        String t = " 0 0 0 1700000000.0 ";
        assertThat(ok(Cli.run("info", "dump", example().toString())).out()).isEqualTo(""
                + "/ 4096 40755 5" + t + "- - - security.selinux=system_u:object_r:root_t:s0\n"
                + "/bin 7 120777 1" + t + "usr/bin - -\n"
                + "/etc 69 40755 2" + t + "- - -\n"
                + "/etc/hostname 8 100644 1" + t + "- example\\n -\n"
                + "/etc/os-release 5210 100644 1" + t + obj(OS_RELEASE) + " - " + OS_RELEASE
                + " user.origin=example\n"
                + "/tmp 27 41777 2" + t + "- - -\n"
                + "/usr 42 40755 3" + t + "- - -\n"
                + "/usr/bin 57 40755 2" + t + "- - -\n"
                + "/usr/bin/bash 125688 100755 1 0 0 0 1700000000.123456789 " + obj(SH) + " - " + SH
                + " security.capability=" + CAP + "\n"
                + "/usr/bin/sh 125688 @100755 1 0 0 0 1700000000.123456789 /usr/bin/bash - " + SH
                + " security.capability=" + CAP + "\n");
    }

    @Test
    void objectsAndMissingObjects() throws IOException {
        Path image = example();
        assertThat(ok(Cli.run("info", "objects", image.toString())).out())
                .isEqualTo(obj(SH) + "\n" + obj(OS_RELEASE) + "\n");
        Path store = tmp.resolve("store");
        Files.createDirectories(store.resolve(OS_RELEASE.substring(0, 2)));
        Files.writeString(store.resolve(obj(OS_RELEASE)), "x");
        assertThat(ok(Cli.run("info", "missing-objects", "--basedir", store.toString(), image.toString())).out())
                .isEqualTo(obj(SH) + "\n");
        // two images: the union, each object once
        assertThat(ok(Cli.run("info", "objects", image.toString(), image.toString())).out())
                .isEqualTo(obj(SH) + "\n" + obj(OS_RELEASE) + "\n");

        Proc.Result noStore = Cli.run("info", "missing-objects", "--basedir", tmp.resolve("nope").toString(),
                image.toString());
        assertThat(noStore.code()).isNotZero();
        assertThat(noStore.stderr()).contains("nope").contains("not a directory");
    }

    @Test
    void aSmallTreeListsItsStoreObjectsAndNoneIsMissing() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src/d"));
        Files.write(src.resolve("big"), new byte[5000]);
        Files.writeString(src.resolve("small"), "hello");
        Files.write(tmp.resolve("src/top"), "a".repeat(65).getBytes());
        Path store = tmp.resolve("store");
        Path image = tmp.resolve("tree.cfs");
        ok(Cli.run("mkcomposefs", "--digest-store", store.toString(), tmp.resolve("src").toString(),
                image.toString()));
        List<String> objects = Images.listFiles(store).stream().filter(p -> p.length() > 2)
                .filter(p -> !p.equals(io.oci2cfs.store.StoreLock.FILE_NAME)).toList();
        assertThat(objects).hasSize(2);
        assertThat(ok(Cli.run("info", "objects", image.toString())).out().lines().toList())
                .isEqualTo(objects);
        assertThat(ok(Cli.run("info", "missing-objects", "--basedir", store.toString(), image.toString())).out())
                .isEmpty();
        assertThat(ok(Cli.run("info", "ls", image.toString())).out().lines().map(l -> l.split("\t")[0]))
                .containsExactly("/d/", "/d/big", "/d/small", "/top");
        ErofsTools.fsck(image);
    }

    @Test
    void measureFilePrintsFsverityDigests() throws IOException {
        Path image = example();
        Path small = Files.writeString(tmp.resolve("small"), "hello world\n");
        Proc.Result r = ok(Cli.run("info", "measure-file", image.toString(), small.toString()));
        List<String> expected = new ArrayList<>();
        for (Path f : List.of(image, small)) {
            String ours = FsVerityHasher.hex(FsVerityHasher.digestOf(Files.readAllBytes(f)));
            String tool = ErofsTools.fsverityDigest(f);
            if (tool != null) {
                assertThat(ours).isEqualTo(tool);
            }
            expected.add(ours);
        }
        assertThat(r.out().lines().toList()).isEqualTo(expected);
        Proc.Result sha512 = ok(Cli.run("info", "measure-file", "--hash", "sha512", image.toString(),
                small.toString()));
        List<String> tool512 = new ArrayList<>();
        for (Path f : List.of(image, small)) {
            tool512.add(ErofsTools.fsverityDigest(f, "sha512"));
        }
        if (tool512.get(0) != null) {
            assertThat(sha512.out().lines().toList()).isEqualTo(tool512);
        }
        assertThat(sha512.out().lines()).hasSize(2).allSatisfy(l -> assertThat(l).hasSize(128));
        Proc.Result badHash = Cli.run("info", "measure-file", "--hash", "md5", small.toString());
        assertThat(badHash.code()).isNotZero();
        assertThat(badHash.stderr()).contains("unknown fs-verity hash algorithm 'md5'");
        Proc.Result missing = Cli.run("info", "measure-file", tmp.resolve("absent").toString());
        assertThat(missing.code()).isNotZero();
        assertThat(missing.stderr()).contains("absent");
    }

    static Stream<Path> goodVectors() throws IOException {
        return Images.goodVectors();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodVectors")
    void infoDumpPipedIntoMkcomposefsRebuildsTheSameImage(Path dump) throws IOException {
        byte[] text = Conformance.readDump(dump);
        List<String> flags = Images.versionFlags(dump);
        Path a = tmp.resolve("a.cfs");
        Path b = tmp.resolve("b.cfs");
        ok(Cli.runWithInput(text, cmd(flags, a)));
        assertThat(Images.sha256(a)).isEqualTo(Conformance.expectedSha256(dump));
        byte[] dumped = ok(Cli.run("info", "dump", a.toString())).stdout();
        ok(Cli.runWithInput(dumped, cmd(flags, b)));
        assertThat(Files.mismatch(a, b)).as("first differing byte").isEqualTo(-1L);
        ErofsTools.fsck(a);
    }

    private static String[] cmd(List<String> flags, Path image) {
        List<String> c = new ArrayList<>(List.of("mkcomposefs", "--from-file"));
        c.addAll(flags);
        c.add("-");
        c.add(image.toString());
        return c.toArray(String[]::new);
    }
}
