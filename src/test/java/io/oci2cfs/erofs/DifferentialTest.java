package io.oci2cfs.erofs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.erofs.DifferentialCases.Case;
import io.oci2cfs.tree.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential test against mkcomposefs 1.0.8: every row of {@code differential/golden.tsv} is a generated
 * dump ({@link DumpGenerator}) whose image sha256 the reference produced (or "REFUSED"), recorded by
 * {@link GoldenRecorder}. The reference binary is not needed here.
 */
class DifferentialTest {
    static Stream<Case> cases() throws IOException {
        return DifferentialCases.load().stream();
    }

    @Test
    void goldenTableIsPresentAndLarge() throws IOException {
        List<Case> cases = DifferentialCases.load();
        assertThat(cases).hasSizeGreaterThan(300);
        assertThat(cases.stream().map(Case::profile).distinct()).containsExactlyInAnyOrderElementsOf(
                DumpGenerator.PROFILES);
        assertThat(cases.stream().filter(c -> c.sha256().equals(DifferentialCases.REFUSED))).isNotEmpty();
    }

    @Test
    void generatorIsDeterministic() {
        for (String p : DumpGenerator.PROFILES) {
            assertThat(DumpGenerator.generate(p, 7)).as(p).isEqualTo(DumpGenerator.generate(p, 7));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void imageMatchesReference(Case c) throws IOException {
        byte[] dump = DumpGenerator.generate(c.profile(), c.seed());
        byte[] image = DifferentialCases.build(dump, c.versions());
        if (c.sha256().equals(DifferentialCases.REFUSED)) {
            assertThat(image).as("mkcomposefs 1.0.8 refused %s, so must we", c).isNull();
        } else {
            assertThat(image).as("mkcomposefs 1.0.8 accepted %s, so must we", c).isNotNull();
            if (!DifferentialCases.sha256(image).equals(c.sha256())) {
                fail("the image for " + c + " is not the reference's\n" + ImageDiff.explain(dump, c.flags(), image));
            }
            assertThat(DifferentialCases.sha256(image)).as("sha256 of the image for %s", c).isEqualTo(c.sha256());
        }
    }

    /**
     * Quirk Q7 (docs/composefs-erofs-format.md §12.4), minimal form. mkcomposefs 1.0.8 refuses ("cannot write
     * file: Numerical result out of range") a format-v1 image in which a directory holds a whiteout and already carries
     * {@code user.overlay.opaque} with a value of 109 bytes or more; 108 bytes still work, and with
     * {@code --max-version=0} (no opaque marker is added) both work. Digests recorded from the reference.
     */
    @Test
    void q7LongOriginalOpaqueOnWhiteoutParent() throws IOException {
        assertThat(sha(q7Dump(108), FormatVersion.DEFAULT))
                .isEqualTo("56e2c873ee0962d76280e9637d144fec7fc85c342709c5e3975fbda0f24657d7");
        assertThat(sha(q7Dump(108), FormatVersion.fromFlags(null, 0)))
                .isEqualTo("7c95f0ab8ab51570c8e11fa4b72df218f7823706fe4306f8d7deb75350712f46");
        assertThat(sha(q7Dump(109), FormatVersion.fromFlags(null, 0)))
                .isEqualTo("ff5d39d421bc19bc41341882da85e3ef4591c8d18e7af25fbe71c2d61c231f58");
        assertThat(sha(q7Dump(109), FormatVersion.DEFAULT)).as("mkcomposefs 1.0.8 refuses this (ERANGE)")
                .isEqualTo(DifferentialCases.REFUSED);
    }

    /**
     * With two faults in the tree, the one reported is the one mkcomposefs 1.0.8 meets first in its depth-first
     * walk: here it says "File too large" for /a/deep/x, although /b (out of range, Q7) is nearer the root, and
     * "Numerical result out of range" once the deep file is renamed to sort after /b.
     */
    @Test
    void ofTwoFaultsTheReferencesFirstIsReported() throws IOException {
        String deep = "/a 4096 40755 3 0 0 0 0.0 - - -\n/a/deep 4096 40755 2 0 0 0 0.0 - - -\n"
                + "/a/deep/x 99999999999999999 100644 1 0 0 0 0.0 ab/cd - -\n";
        String q7 = "/b 4096 40755 2 0 0 0 0.0 - - - user.overlay.opaque=" + "o".repeat(109)
                + "\n/b/wh 0 20644 1 0 0 0 0.0 - - -\n";
        String root = "/ 4096 40755 4 0 0 0 0.0 - - -\n";
        assertThat(refusal(root + deep + q7)).startsWith("/a/deep/x: file too large");
        assertThat(refusal(root + q7 + deep.replace("/a", "/z"))).startsWith("/b: xattrs exceed the size limit");
    }

    private static String refusal(String dump) throws IOException {
        Node tree = io.oci2cfs.dump.DumpReader.read(
                new java.io.ByteArrayInputStream(dump.getBytes(java.nio.charset.StandardCharsets.US_ASCII)), true);
        try {
            ErofsWriter.write(tree, FormatVersion.DEFAULT, java.io.OutputStream.nullOutputStream());
        } catch (UnrepresentableTreeException e) {
            return e.getMessage();
        }
        throw new AssertionError("the image was written");
    }

    private static byte[] q7Dump(int n) {
        return ("/ 4096 40755 2 0 0 0 0.0 - - -\n/q7 4096 40755 2 0 0 0 0.0 - - - user.overlay.opaque=" + "o".repeat(n)
                + "\n/q7/wh 0 20644 1 0 0 0 0.0 - - -\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static String sha(byte[] dump, FormatVersion v) throws IOException {
        byte[] image = DifferentialCases.build(dump, v);
        return image == null ? DifferentialCases.REFUSED : DifferentialCases.sha256(image);
    }

    /** fsck.erofs (erofs-utils) must accept every image the reference accepted. */
    @Test
    void fsckAcceptsEveryImage(@TempDir Path tmp) throws Exception {
        assumeTrue(io.oci2cfs.testutil.Proc.has("fsck.erofs"),
                "fsck.erofs (erofs-utils) is not installed: fsck check skipped");
        int checked = 0;
        for (Case c : DifferentialCases.load()) {
            if (c.sha256().equals(DifferentialCases.REFUSED)) {
                continue;
            }
            byte[] image = DifferentialCases.build(DumpGenerator.generate(c.profile(), c.seed()), c.versions());
            assertThat(image).as(c.toString()).isNotNull();
            Path img = tmp.resolve(c.id() + ".cfs");
            Files.write(img, image);
            assertThat(io.oci2cfs.testutil.ErofsTools.fsck(img)).isTrue();
            Files.delete(img);
            checked++;
        }
        assertThat(checked).isGreaterThan(500);
    }
}
