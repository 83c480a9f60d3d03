package io.oci2cfs.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.erofs.ErofsReader;
import io.oci2cfs.erofs.ErofsWriter;
import io.oci2cfs.erofs.FormatVersion;
import io.oci2cfs.testutil.Conformance;
import io.oci2cfs.testutil.Images;
import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.Node;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** composefs-dump(5) parsing: escapes, optional fields, hardlinks, xattrs, strictness, errors, round trips. */
class DumpReaderTest {
    private static final String ROOT = "/ 4096 40755 2 0 0 0 0.0 - - -\n";
    private static final String DIGEST = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    /**
     * The vectors {@link DumpWriter} does not reproduce byte for byte: the lenient ones, and special*.dump whose
     * xattrs are not in name order (the reader sorts them). Every other vector is in canonical form.
     */
    private static final Set<String> NOT_CANONICAL = Set.of("special.dump", "special_v1.dump", "no-newline.dump",
            "longlink.dump", "honggfuzz-longlink-unterminated.dump");

    static Node strict(String dump) throws IOException {
        return DumpReader.read(dump.getBytes(StandardCharsets.ISO_8859_1), true);
    }

    static Node lenient(String dump) throws IOException {
        return DumpReader.read(dump.getBytes(StandardCharsets.ISO_8859_1), false);
    }

    static Node child(Node dir, String name) {
        Node n = dir.child(ByteString.of(name.getBytes(StandardCharsets.ISO_8859_1)));
        assertThat(n).as("child %s of %s", name, dir.path()).isNotNull();
        return n;
    }

    static byte[] image(Node root) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ErofsWriter.write(root, FormatVersion.DEFAULT, out);
        return out.toByteArray();
    }

    static String dumpOf(Node root) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DumpWriter.write(root, out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void everyEscapeDecodesInPathContentPayloadAndXattrs() throws IOException {
        Node root = strict(ROOT
                + "/a\\x20b\\\\c\\td\\ne\\rf 3 100644 1 0 0 0 0.0 - \\x2d\\n\\\\ - user.k\\x3d=v\\tw\\xFF\\xfe\n"
                + "/l 3 120777 1 0 0 0 0.0 \\x2d\\x2D\\x41 - -\n");
        Node f = child(root, "a b\\c\td\ne\rf");
        assertThat(latin1(f.content())).isEqualTo("-\n\\");
        assertThat(f.payload()).isNull();
        assertThat(f.digest()).isNull();
        assertThat(f.xattrs()).containsExactly(java.util.Map.entry(ByteString.of("user.k="),
                ByteString.wrap("v\tw\u00ff\u00fe".getBytes(StandardCharsets.ISO_8859_1))));
        assertThat(child(root, "l").payload().toString()).isEqualTo("--A");
    }

    @Test
    void loneDashIsAbsentButEscapedDashIsADash() throws IOException {
        Node root = strict(ROOT
                + "/absent 0 100644 1 0 0 0 0.0 - - -\n"
                + "/dash 1 100644 1 0 0 0 0.0 \\x2d \\x2d -\n"
                + "/dashdash 2 100644 1 0 0 0 0.0 - -- -\n");
        Node absent = child(root, "absent");
        assertThat(absent.payload()).isNull();
        assertThat(absent.content()).isNull();
        Node dash = child(root, "dash");
        assertThat(dash.payload().toString()).isEqualTo("-");
        assertThat(latin1(dash.content())).isEqualTo("-");
        assertThat(latin1(child(root, "dashdash").content())).isEqualTo("--");
        // and the writer escapes a lone "-" again, so the dump reads back the same
        assertThat(dumpOf(root)).contains("/dash 1 100644 1 0 0 0 0.0 \\x2d \\x2d -\n");
    }

    @Test
    void nulEndsNamesAndPayloadsButNotXattrValuesOrContent() throws IOException {
        Node root = strict(ROOT + "/ab\\x00cd 3 100644 1 0 0 0 0.0 - x\\x00y - user.v=a\\x00b\n");
        Node f = child(root, "ab");
        assertThat(f.content()).containsExactly('x', 0, 'y');
        assertThat(f.xattrs().get(ByteString.of("user.v")).toByteArray()).containsExactly('a', 0, 'b');
    }

    @Test
    void missingOptionalFieldsMeanAbsentAndGiveTheSameImage() throws IOException {
        Node missing = lenient(ROOT + "/f 0 100644 1 0 0 0 0.0\n/g 0 100644 1 0 0 0 0.0 -\n");
        Node explicit = strict(ROOT + "/f 0 100644 1 0 0 0 0.0 - - -\n/g 0 100644 1 0 0 0 0.0 - - -\n");
        for (String name : new String[] {"f", "g"}) {
            Node f = child(missing, name);
            assertThat(f.payload() == null || f.payload().length() == 0).as(name).isTrue();
            assertThat(f.content()).isNull();
            assertThat(f.digest()).isNull();
            assertThat(f.xattrs()).isEmpty();
        }
        assertThat(image(missing)).isEqualTo(image(explicit));
    }

    @Test
    void digestAndPayloadOfAnExternalFile() throws IOException {
        Node f = child(strict(ROOT + "/f 10000 100644 1 0 0 0 0.0 00/1122 - " + DIGEST.toUpperCase() + "\n"), "f");
        assertThat(f.size()).isEqualTo(10000);
        assertThat(f.payload().toString()).isEqualTo("00/1122");
        assertThat(java.util.HexFormat.of().formatHex(f.digest())).isEqualTo(DIGEST);
        assertThat(f.content()).isNull();
    }

    @Test
    void hardlinksResolveForwardAndThroughOtherLinksKeepingTheTargetNlink() throws IOException {
        Node root = strict(ROOT
                + "/c 0 @100644 0 0 0 0 0.0 /a - -\n"            // link to a link, before either exists
                + "/a zzz @100644 x y z w v //b - -\n"          // every field but PAYLOAD is ignored
                + "/b 5 100644 7 1 2 0 0.0 - hello -\n");
        Node a = child(root, "a");
        Node b = child(root, "b");
        Node c = child(root, "c");
        assertThat(a.isHardlink()).isTrue();
        assertThat(c.isHardlink()).isTrue();
        assertThat(a.resolve()).isSameAs(b);
        assertThat(c.resolve()).isSameAs(b);
        assertThat(b.nlink()).isEqualTo(7);
        assertThat(dumpOf(root)).isEqualTo(ROOT
                + "/a 5 @100644 7 1 2 0 0.0 /b hello -\n"
                + "/b 5 100644 7 1 2 0 0.0 - hello -\n"
                + "/c 5 @100644 7 1 2 0 0.0 /b hello -\n");
    }

    @Test
    void hardlinksAreResolvedLastLineFirst() {
        assertThatThrownBy(() -> strict(ROOT
                + "/x 0 @100644 1 0 0 0 0.0 /missing1 - -\n"
                + "/y 0 @100644 1 0 0 0 0.0 /missing2 - -\n"))
                .isInstanceOf(DumpException.class)
                .hasMessage("line 3: No target at /missing2 for hardlink");
    }

    @Test
    void xattrsSplitAtTheFirstEqualsAndLaterDuplicatesWin() throws IOException {
        Node f = child(strict(ROOT + "/f 0 100644 1 0 0 0 0.0 - - - user.a=b=c user.d=1 user.e= user.d=22 \n"), "f");
        assertThat(f.xattrs()).hasSize(3);
        assertThat(f.xattrs().get(ByteString.of("user.a")).toString()).isEqualTo("b=c");
        assertThat(f.xattrs().get(ByteString.of("user.d")).toString()).isEqualTo("22");
        assertThat(f.xattrs().get(ByteString.of("user.e")).length()).isZero();
        assertThat(dumpOf(f.parent())).endsWith(" user.a=b\\x3dc user.d=22 user.e=\n");
    }

    @Test
    void lenientModeAcceptsWhatStrictModeRefuses() throws IOException {
        Node root = lenient(ROOT
                + "/f 0 100644 1 0 0 12345 0.0 - - -\n"
                + "/l 99 120777 1 0 0 0 0.0 target - -\n"
                + "/m 6 120777 1 0 0 0 0.0 target2 - -");
        assertThat(child(root, "f").rdev()).isZero();
        assertThat(child(root, "l").size()).isEqualTo(6);
        assertThat(child(root, "m").payload().toString()).isEqualTo("target2");
        assertThat(child(root, "m").size()).isEqualTo(7);
    }

    static Stream<Arguments> badDumps() {
        String f = "/f 0 100644 1 0 0 0 0.0 - - -";
        return Stream.of(
                Arguments.of(ROOT + "\n", 2, "Invalid empty path"),
                Arguments.of(f + "\n", 1, "Root node not present"),
                Arguments.of("/ 0 100644 1 0 0 0 0.0 - - -\n", 1, "Root must be a directory"),
                Arguments.of(ROOT + ROOT, 2, "Can't have multiple roots"),
                Arguments.of(ROOT + "/x/y 0 100644 1 0 0 0 0.0 - - -\n", 2, "Parent directory missing for /x/y"),
                Arguments.of(ROOT + f + "\n/f/y 0 100644 1 0 0 0 0.0 - - -\n", 3, "Parent must be a directory"),
                Arguments.of(ROOT + "/d/.. 0 40755 1 0 0 0 0.0 - - -\n", 2, "Parent directory missing"),
                Arguments.of(ROOT + "/. 0 40755 1 0 0 0 0.0 - - -\n", 2, "Invalid . or .. in path"),
                Arguments.of(ROOT + f + "\n" + f + "\n", 3, "already exist"),
                Arguments.of(ROOT + "/f 0 644 1 0 0 0 0.0 - - -\n", 2, "Invalid mode 644"),
                Arguments.of(ROOT + "/f abc 100644 1 0 0 0 0.0 - - -\n", 2, "Invalid integer abc"),
                Arguments.of(ROOT + "/f 0 100644 1 0 0 0 17 - - -\n", 2, "Invalid integer"),
                Arguments.of(ROOT + "/f\\q 0 100644 1 0 0 0 0.0 - - -\n", 2, "Unsupported escape type q"),
                Arguments.of(ROOT + "/f\\x4 0 100644 1 0 0 0 0.0 - - -\n", 2, "No hex characters after hex escape"),
                Arguments.of(ROOT + "/f\\xzz 0 100644 1 0 0 0 0.0 - - -\n", 2, "Invalid hex characters"),
                Arguments.of(ROOT + "/f\\ 0 100644 1 0 0 0 0.0 - - -\n", 2, "No character after escape"),
                Arguments.of(ROOT + "/f 3 100644 1 0 0 0 0.0 - ab -\n", 2, "Invalid content size 2, must match size 3"),
                Arguments.of(ROOT + "/l 1 120777 1 0 0 0 0.0 - - -\n", 2, "Invalid symlink"),
                Arguments.of(ROOT + f + " user.x\n", 2, "Missing = in xattr"),
                Arguments.of(ROOT + f + " user.x=1  \n", 2, "Missing = in xattr"),
                Arguments.of(ROOT + f + " =v\n", 2, "Can't set xattr"),
                Arguments.of(ROOT + "/f 9 100644 1 0 0 0 0.0 - - abc\n", 2, "Invalid digest abc"),
                Arguments.of(ROOT + "/f 0 100644 1 0 0 0 0.0 - - -\0\n", 2, "Invalid embedded NUL character"),
                Arguments.of(ROOT + "/d 0 @40755 1 0 0 0 0.0 / - -\n", 2, "Directories can't be hardlinked"),
                Arguments.of(ROOT + "/h 0 @100644 1 0 0 0 0.0 - - -\n", 2, "No target path for the hardlink"),
                Arguments.of(ROOT + f + "\n/h 0 @100644 1 0 0 0 0.0 /nope - -\n", 3, "No target at /nope for hardlink"),
                Arguments.of(ROOT + "/h 0 @100644 1 0 0 0 0.0 /h - -\n", 2, "Self-referential hardlink /h"),
                Arguments.of(ROOT + "/a 0 @100644 1 0 0 0 0.0 /b - -\n/b 0 @100644 1 0 0 0 0.0 /a - -\n", 2,
                        "Hardlink loop through /b"),
                // strict only:
                Arguments.of(ROOT + f, 2, "Missing trailing newline"),
                Arguments.of(ROOT + "/f 0 100644 1 0 0 7 0.0 - - -\n", 2, "Non-zero devnum on non-device"),
                Arguments.of(ROOT + "/l 5 120777 1 0 0 0 0.0 abc - -\n", 2, "Invalid symlink size 3, must match size 5"),
                Arguments.of(ROOT + "/l 3 120777 1 0 0 0 0.0 abc xyz -\n", 2, "Symlink cannot have content"));
    }

    @ParameterizedTest(name = "line {1}: {2}")
    @MethodSource("badDumps")
    void errorsNameTheLineAndTheReason(String dump, int line, String reason) {
        assertThatThrownBy(() -> strict(dump))
                .isInstanceOfSatisfying(DumpException.class, e -> {
                    assertThat(e.line()).isEqualTo(line);
                    assertThat(e.getMessage()).startsWith("line " + line + ": ").contains(reason)
                            .doesNotContain("\n");
                });
    }

    @Test
    void anEmptyDumpIsRefusedAsAWhole() {
        assertThatThrownBy(() -> strict("")).isInstanceOf(DumpException.class).hasMessage("No files in dump file");
    }

    static Stream<Path> goodVectors() throws IOException {
        return Images.goodVectors();
    }

    static boolean strictFor(Path dump) {
        return !Conformance.LENIENT.contains(dump.getFileName().toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodVectors")
    void dumpWriterReproducesCanonicalVectors(Path dump) throws IOException {
        byte[] text = Conformance.readDump(dump);
        Node tree = DumpReader.read(text, strictFor(dump));
        String ours = dumpOf(tree);
        if (NOT_CANONICAL.contains(dump.getFileName().toString())) {
            assertThat(ours).isNotEqualTo(latin1(text));
            assertThat(image(strict(ours))).isEqualTo(image(tree));
        } else {
            assertThat(ours).isEqualTo(latin1(text));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodVectors")
    void ourDumpOfAnImageRebuildsTheSameImage(Path dump) throws IOException {
        Integer v = Conformance.pinnedVersion(dump);
        FormatVersion versions = v == null ? FormatVersion.DEFAULT : FormatVersion.exactly(v);
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ErofsWriter.write(DumpReader.read(Conformance.readDump(dump), strictFor(dump)), versions, a);
        String dumped = dumpOf(ErofsReader.read(ByteBuffer.wrap(a.toByteArray())));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ErofsWriter.write(strict(dumped), versions, b);
        assertThat(b.toByteArray()).as(dump.getFileName().toString()).isEqualTo(a.toByteArray());
    }
}
