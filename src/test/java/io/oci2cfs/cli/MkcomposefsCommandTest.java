package io.oci2cfs.cli;

import static io.oci2cfs.testutil.Images.sha256;
import static io.oci2cfs.testutil.Images.vector;
import static org.assertj.core.api.Assertions.assertThat;

import io.oci2cfs.erofs.ErofsReader;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.store.ObjectDigest;
import io.oci2cfs.testutil.Cli;
import io.oci2cfs.testutil.Conformance;
import io.oci2cfs.testutil.ErofsTools;
import io.oci2cfs.testutil.Images;
import io.oci2cfs.testutil.Proc;
import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code oci2cfs mkcomposefs} through {@link Main#run}, checked against the vectors and the real tools. */
class MkcomposefsCommandTest {
    /** The smallest image, docs/composefs-erofs-format.md §16.1: its image sha256 and fs-verity digest. */
    private static final String SMALLEST_DUMP = "/ 4096 40755 2 0 0 0 0.0 - - -\n";
    private static final String SMALLEST_SHA256 = "c3dc5b0fc4afb0693a95e017fe5815e1f88f204d485df617541b5ea659aefb8b";
    private static final String SMALLEST_DIGEST = "8f589e8f57ecb88823736b0d857ddca1e1068a23e264fad164b28f7038eb3682";

    @TempDir
    Path tmp;

    private String expectedSha(String vector) throws IOException {
        return Conformance.expectedSha256(vector(vector));
    }

    private Path mk(String... args) {
        Proc.Result r = Cli.run(args);
        assertThat(r.code()).as("mkcomposefs %s: %s", List.of(args), r).isZero();
        return Path.of(args[args.length - 1]);
    }

    private static List<String> args(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof List<?> l) {
                l.forEach(x -> out.add(x.toString()));
            } else {
                out.add(p.toString());
            }
        }
        return out;
    }

    @Test
    void fromFileWritesTheReferenceImage() throws IOException {
        Path image = mk("mkcomposefs", "--from-file", "--min-version=0", "--max-version=0",
                vector("special.dump").toString(), tmp.resolve("special.cfs").toString());
        assertThat(sha256(image)).isEqualTo(expectedSha("special.dump"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(image))).isEqualTo("rw-r--r--");
        assertThat(Images.listFiles(tmp)).containsExactly("special.cfs");
        ErofsTools.fsck(image);
    }

    static Stream<Arguments> versionCases() {
        return Stream.of(
                // special.dump holds a whiteout, so the default range 0..1 picks version 1
                Arguments.of("special.dump", List.of(), "special_v1.dump", 1),
                Arguments.of("special.dump", List.of("--max-version", "0"), "special.dump", 0),
                Arguments.of("special.dump", List.of("--min-version", "1"), "special_v1.dump", 1),
                Arguments.of("special.dump", List.of("--min-version=1", "--max-version=0"), "special_v1.dump", 1),
                Arguments.of("special.dump", List.of("--min-version=0", "--max-version=1"), "special_v1.dump", 1),
                // no whiteout: the default range stays at 0, as no-newline.dump.version says
                Arguments.of("no-newline.dump", List.of(), "no-newline.dump", 0),
                Arguments.of("no-newline.dump", List.of("--min-version", "0"), "no-newline.dump", 0));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("versionCases")
    void versionFlagsPickTheRecordedVersion(String dump, List<String> flags, String expected, int version)
            throws IOException {
        Integer pinned = Conformance.pinnedVersion(vector(expected));
        assertThat(pinned).as("%s.version", expected).isEqualTo(version);
        Path image = tmp.resolve("out.cfs");
        mk(args("mkcomposefs", "--from-file", flags, vector(dump), image).toArray(String[]::new));
        assertThat(sha256(image)).isEqualTo(expectedSha(expected));
        assertThat(Files.readAllBytes(image)[12]).as("header composefs_version").isEqualTo((byte) version);
    }

    @Test
    void versionAboveTheLatestIsRefused() {
        Path image = tmp.resolve("out.cfs");
        Proc.Result r = Cli.run("mkcomposefs", "--from-file", "--max-version=2", vector("special.dump").toString(),
                image.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.stderr()).contains("version");
        assertThat(image).doesNotExist();
    }

    @Test
    void stdinToFileAndFileToStdout() throws IOException {
        byte[] dump = Files.readAllBytes(vector("special.dump"));
        Path image = tmp.resolve("stdin.cfs");
        Proc.Result in = Cli.runWithInput(dump, "mkcomposefs", "--from-file", "--max-version=0", "-", image.toString());
        assertThat(in.code()).as("%s", in).isZero();
        assertThat(in.stdout()).isEmpty();
        assertThat(sha256(image)).isEqualTo(expectedSha("special.dump"));

        Proc.Result out = Cli.run("mkcomposefs", "--from-file", "--max-version=0", vector("special.dump").toString(), "-");
        assertThat(out.code()).as("%s", out).isZero();
        assertThat(sha256(out.stdout())).isEqualTo(expectedSha("special.dump"));
        assertThat(Images.listFiles(tmp)).containsExactly("stdin.cfs");
    }

    @Test
    void printDigestIsTheFsverityDigestOfTheImage() throws IOException {
        Path dump = tmp.resolve("smallest.dump");
        Files.writeString(dump, SMALLEST_DUMP);
        Path image = tmp.resolve("smallest.cfs");
        Proc.Result r = Cli.run("mkcomposefs", "--from-file", "--print-digest", dump.toString(), image.toString());
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).isEqualTo(SMALLEST_DIGEST + "\n");
        assertThat(sha256(image)).isEqualTo(SMALLEST_SHA256);
        String tool = ErofsTools.fsverityDigest(image);
        if (tool != null) {
            assertThat(tool).isEqualTo(SMALLEST_DIGEST);
        }
        ErofsTools.fsck(image);
    }

    @Test
    void printDigestOnlyWritesNothingAndRefusesAnImage() throws IOException {
        Path dump = vector("special.dump");
        Path reference = mk("mkcomposefs", "--from-file", dump.toString(), tmp.resolve("ref.cfs").toString());
        String digest = FsVerityHasher.hex(FsVerityHasher.digestOf(Files.readAllBytes(reference)));
        List<String> before = Images.listFiles(tmp);

        Proc.Result only = Cli.run("mkcomposefs", "--from-file", "--print-digest-only", dump.toString());
        assertThat(only.code()).as("%s", only).isZero();
        assertThat(only.out()).isEqualTo(digest + "\n");
        assertThat(Images.listFiles(tmp)).isEqualTo(before);

        Path image = tmp.resolve("refused.cfs");
        Proc.Result refused = Cli.run("mkcomposefs", "--from-file", "--print-digest-only", dump.toString(),
                image.toString());
        assertThat(refused.code()).isNotZero();
        assertThat(refused.out()).isEmpty();
        assertThat(refused.stderr()).contains("--print-digest-only");
        assertThat(image).doesNotExist();
    }

    static Stream<Arguments> shouldFail() {
        return Stream.of(
                Arguments.of("should-fail-big-inline.dump", "Inline content size 5004 exceeds maximum 5000"),
                Arguments.of("should-fail-dir-hardlink.dump", "Directories can't be hardlinked"),
                Arguments.of("should-fail-dot-name.dump", "Invalid . or .. in path"),
                Arguments.of("should-fail-dotdot-name.dump", "Invalid . or .. in path"),
                Arguments.of("should-fail-empty-link-name.dump", "Invalid symlink"),
                Arguments.of("should-fail-empty-name.dump", "Can't add child"),
                Arguments.of("should-fail-empty-xattr-key.dump", "Can't set xattr"),
                Arguments.of("should-fail-honggfuzz-long-xattr.dump", "Can't set xattr"),
                Arguments.of("should-fail-long-link.dump", "Invalid symlink"),
                Arguments.of("should-fail-long-xattr-key.dump", "Too many xattrs"),
                Arguments.of("should-fail-long-xattr-value.dump", "Invalid mode 644"),
                Arguments.of("should-fail-no-ftype.dump", "Invalid mode 0"),
                Arguments.of("should-fail-self-hardlink.dump", "Self-referential hardlink /037blockdev"),
                Arguments.of("should-fail-too-big.dump", "file too large"));
    }

    @Test
    void everyShouldFailVectorIsCovered() throws IOException {
        assertThat(Conformance.vectors("should-fail-*.dump").map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrderElementsOf(shouldFail().map(a -> (String) a.get()[0]).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shouldFail")
    void aBadDumpLeavesNoFileAndSaysWhy(String name, String reason) throws IOException {
        Path dump = vector(name);
        Path out = Files.createDirectory(tmp.resolve("out"));
        Proc.Result r = Cli.run("mkcomposefs", "--from-file", dump.toString(), out.resolve("x.cfs").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.stderr()).endsWith("\n");
        assertThat(r.stderr().lines()).singleElement().asString().contains(dump.toString()).contains(reason);
        assertThat(Images.listFiles(out)).isEmpty();
    }

    @Test
    void cfsParseStrictInTheEnvironmentMakesParsingStrict() throws IOException {
        Path unterminated = Files.writeString(tmp.resolve("unterminated.dump"), SMALLEST_DUMP.strip());
        Path dump = vector("no-newline.dump"); // its root also has RDEV 10, so strict parsing stops at line 1
        Path image = tmp.resolve("x.cfs");
        for (Map.Entry<Path, String> c : Map.of(unterminated, "line 1: Missing trailing newline",
                dump, "line 1: Non-zero devnum on non-device").entrySet()) {
            Proc.Result strict = Proc.oci2cfs(Map.of("CFS_PARSE_STRICT", "1"), null,
                    args("mkcomposefs", "--from-file", c.getKey(), image).toArray(String[]::new));
            assertThat(strict.code()).isNotZero();
            assertThat(strict.stderr().lines()).singleElement().asString()
                    .contains(c.getKey().toString()).contains(c.getValue());
            assertThat(image).doesNotExist();
        }
        assertThat(Images.listFiles(tmp)).containsExactly("unterminated.dump");
        List<String> cmd = args("mkcomposefs", "--from-file", Images.versionFlags(dump), dump, image);

        Map<String, String> unset = new HashMap<>();
        unset.put("CFS_PARSE_STRICT", null);
        Proc.Result lenient = Proc.oci2cfs(unset, null, cmd.toArray(String[]::new));
        assertThat(lenient.code()).as("%s", lenient).isZero();
        assertThat(sha256(image)).isEqualTo(expectedSha("no-newline.dump"));
    }

    /** Sizes of the regular files of the directory-mode tree; "dup" repeats the content of "big". */
    private static final Map<String, Integer> FILES = Map.of("empty", 0, "ten", 10, "sixty-four", 64,
            "sixty-five", 65, "big", 100_000, "dup", 100_000, "sub/five-k", 5000);

    private static byte[] contentOf(String name, int size) {
        byte[] b = new byte[size];
        String seed = name.equals("dup") ? "big" : name;
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (seed.hashCode() * 31 + i * 7 + (i >> 9));
        }
        return b;
    }

    private Path sourceTree() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("sub"));
        for (Map.Entry<String, Integer> e : FILES.entrySet()) {
            Files.write(src.resolve(e.getKey()), contentOf(e.getKey(), e.getValue()));
        }
        Files.createSymbolicLink(src.resolve("link"), Path.of("sub/five-k"));
        return src;
    }

    @Test
    void directoryModeFillsTheDigestStore() throws IOException {
        Path src = sourceTree();
        Path store = tmp.resolve("store");
        // an object that is already in the store must be kept as it is (mode, time, inode)
        byte[] sixtyFive = contentOf("sixty-five", 65);
        Path existing = store.resolve(new ObjectDigest(FsVerityHasher.digestOf(sixtyFive)).path());
        Files.createDirectories(existing.getParent());
        Files.write(existing, sixtyFive);
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(existing, FileTime.fromMillis(1_000_000_000_000L));
        Object inode = Files.getAttribute(existing, "unix:ino");

        Path image = mk("mkcomposefs", "--digest-store=" + store, src.toString(), tmp.resolve("dir.cfs").toString());

        Map<String, byte[]> expected = new HashMap<>();
        for (Map.Entry<String, Integer> e : FILES.entrySet()) {
            byte[] c = contentOf(e.getKey(), e.getValue());
            if (c.length > 64) {
                expected.put(new ObjectDigest(FsVerityHasher.digestOf(c)).path(), c);
            }
        }
        assertThat(expected.keySet()).hasSize(3); // sixty-five, big (= dup), sub/five-k
        List<String> objects = Images.listFiles(store).stream().filter(p -> p.length() > 2)
                .filter(p -> !p.equals(io.oci2cfs.store.StoreLock.FILE_NAME)).toList();
        assertThat(objects).containsExactlyInAnyOrderElementsOf(expected.keySet())
                .allMatch(p -> p.matches("[0-9a-f]{2}/[0-9a-f]{62}"));
        for (String rel : objects) {
            Path obj = store.resolve(rel);
            assertThat(Files.readAllBytes(obj)).as(rel).isEqualTo(expected.get(rel));
            String tool = ErofsTools.fsverityDigest(obj);
            if (tool != null) {
                assertThat(rel.replace("/", "")).isEqualTo(tool);
            }
            if (!obj.equals(existing)) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(obj))).as(rel)
                        .isEqualTo("rw-r--r--");
            }
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(existing))).isEqualTo("rw-------");
        assertThat(Files.getLastModifiedTime(existing).toMillis()).isEqualTo(1_000_000_000_000L);
        assertThat(Files.getAttribute(existing, "unix:ino")).isEqualTo(inode);
        assertThat(Images.listFiles(store)).as("no staging left; the lock file only")
                .noneMatch(p -> p.startsWith(".") && !p.equals(io.oci2cfs.store.StoreLock.FILE_NAME));
        assertThat(Images.listFiles(image.getParent()).stream().filter(p -> !p.startsWith("s")))
                .containsExactly("dir.cfs");

        Node root = ErofsReader.read(image);
        for (Map.Entry<String, Integer> e : FILES.entrySet()) {
            Node n = root;
            for (String part : e.getKey().split("/")) {
                n = n.child(ByteString.of(part));
            }
            byte[] c = contentOf(e.getKey(), e.getValue());
            if (c.length > 64) {
                assertThat(n.payload().toString()).as(e.getKey())
                        .isEqualTo(new ObjectDigest(FsVerityHasher.digestOf(c)).path());
                assertThat(n.content()).isNull();
            } else {
                assertThat(n.payload()).as(e.getKey()).isNull();
                assertThat(n.content()).isEqualTo(c.length == 0 ? null : c);
            }
        }
        ErofsTools.fsck(image);
    }

    @Test
    void hardlinksFlagKeepsOneInode() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.write(src.resolve("a"), contentOf("a", 100));
        Files.createLink(src.resolve("b"), src.resolve("a"));

        Node split = ErofsReader.read(mk("mkcomposefs", src.toString(), tmp.resolve("split.cfs").toString()));
        Node a = split.child(ByteString.of("a"));
        Node b = split.child(ByteString.of("b"));
        assertThat(a.isHardlink() || b.isHardlink()).as("mkcomposefs splits hardlinks").isFalse();
        assertThat(a.nlink()).isEqualTo(1);
        assertThat(b.nlink()).isEqualTo(1);

        Path kept = mk("mkcomposefs", "--hardlinks", src.toString(), tmp.resolve("kept.cfs").toString());
        Node root = ErofsReader.read(kept);
        Node ka = root.child(ByteString.of("a"));
        Node kb = root.child(ByteString.of("b"));
        assertThat(ka.resolve()).isSameAs(kb.resolve());
        assertThat(ka.resolve().nlink()).isEqualTo(2);
        assertThat(Files.size(kept)).isLessThanOrEqualTo(Files.size(tmp.resolve("split.cfs")));
        ErofsTools.fsck(kept);
        ErofsTools.fsck(tmp.resolve("split.cfs"));
    }
}
