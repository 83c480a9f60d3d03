package io.oci2cfs.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Directory mode against mkcomposefs 1.0.8: {@link DirTreeBuilder} rebuilds each recorded tree, and both
 * DirectoryScanner + ErofsWriter and the CLI must give the image whose sha256 the reference gave
 * ({@code differential/golden-dir.tsv}, recorded by {@link DirGoldenRecorder}). Needs root.
 */
class DifferentialDirectoryTest {
    static LongStream seeds() {
        return LongStream.rangeClosed(1, DirCases.SEEDS);
    }

    @Test
    void goldenTableCoversEveryFlagSet() throws Exception {
        List<DirCases.Case> cases = DirCases.load();
        assertThat(cases).hasSize(DirCases.SEEDS * DirCases.FLAG_SETS.size());
        assertThat(cases).noneMatch(c -> c.sha256().equals("REFUSED"));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void imagesMatchReference(long seed, @TempDir Path tmp) throws Exception {
        String unavailable = DirTreeBuilder.unavailableReason();
        assumeTrue(unavailable == null, unavailable);
        Path dir = Files.createDirectory(tmp.resolve("tree"));
        String why = DirTreeBuilder.build(dir, seed);
        assumeTrue(why == null, why);
        SoftAssertions soft = new SoftAssertions();
        for (DirCases.Case c : DirCases.load()) {
            if (c.seed() != seed) {
                continue;
            }
            soft.assertThat(DirCases.sha256(DirCases.build(dir, c.flagList()))).as("scanner+writer, %s", c)
                    .isEqualTo(c.sha256());
            Path img = tmp.resolve("cli.cfs");
            List<String> args = new ArrayList<>(List.of("mkcomposefs"));
            args.addAll(c.flagList());
            args.add(dir.toString());
            args.add(img.toString());
            soft.assertThat(Main.run(args.toArray(String[]::new))).as("cli exit, %s", c).isZero();
            soft.assertThat(DirCases.sha256(Files.readAllBytes(img))).as("cli, %s", c).isEqualTo(c.sha256());
            Files.delete(img);
        }
        soft.assertAll();
    }
}
