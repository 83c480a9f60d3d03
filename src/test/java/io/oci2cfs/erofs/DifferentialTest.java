package io.oci2cfs.erofs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.erofs.DifferentialCases.Case;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
            assertThat(DifferentialCases.sha256(image)).as("sha256 of the image for %s", c).isEqualTo(c.sha256());
        }
    }

    /** fsck.erofs (erofs-utils) must accept a sample of the images: every 15th accepted row. */
    @Test
    void fsckAcceptsSample(@TempDir Path tmp) throws Exception {
        Path fsck = Stream.of("/usr/bin/fsck.erofs", "/usr/sbin/fsck.erofs", "/sbin/fsck.erofs").map(Path::of)
                .filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(fsck != null, "fsck.erofs (erofs-utils) is not installed: fsck check skipped");
        List<Case> cases = DifferentialCases.load();
        int checked = 0;
        for (int i = 0; i < cases.size(); i += 15) {
            Case c = cases.get(i);
            if (c.sha256().equals(DifferentialCases.REFUSED)) {
                continue;
            }
            byte[] image = DifferentialCases.build(DumpGenerator.generate(c.profile(), c.seed()), c.versions());
            assertThat(image).as(c.toString()).isNotNull();
            Path img = tmp.resolve(c.id() + ".cfs");
            Files.write(img, image);
            Process p = new ProcessBuilder(fsck.toString(), img.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("fsck.erofs %s: %s", c, out).isZero();
            Files.delete(img);
            checked++;
        }
        assertThat(checked).isGreaterThan(20);
    }
}
