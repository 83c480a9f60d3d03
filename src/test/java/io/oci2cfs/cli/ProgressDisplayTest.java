package io.oci2cfs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.testutil.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress display as a user sees it: convert runs on a real pseudo-terminal made by util-linux's
 * {@code script}, which records everything written to it.
 */
class ProgressDisplayTest {
    private static final Path FIXTURE = Path.of("oci-fixtures/whiteouts").toAbsolutePath();

    @TempDir
    Path work;

    @Test
    void aTerminalGetsABarPerLayerAndATotal() throws Exception {
        String screen = onTerminal("convert", "oci:" + FIXTURE, work.resolve("a.cfs").toString(), "--objects",
                work.resolve("objects").toString());
        assertThat(screen).contains("total").contains("/3 layers").contains("[").contains("B/s");
        assertThat(Files.size(work.resolve("a.cfs"))).isPositive();
    }

    @Test
    void quietDrawsNothing() throws Exception {
        String screen = onTerminal("convert", "oci:" + FIXTURE, work.resolve("b.cfs").toString(), "--objects",
                work.resolve("objects").toString(), "--quiet");
        assertThat(screen).doesNotContain("total").doesNotContain("layers");
        assertThat(Files.size(work.resolve("b.cfs"))).isPositive();
    }

    private String onTerminal(String... args) throws Exception {
        assumeTrue(Proc.has("script"), "util-linux's script is not installed: skipped");
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED", "-Xlog:disable", "-cp",
                System.getProperty("java.class.path"), "io.oci2cfs.cli.Main"));
        java.addAll(List.of(args));
        String command = java.stream().map(ProgressDisplayTest::quote).collect(Collectors.joining(" "));
        Path typescript = work.resolve("typescript");
        Proc.Result r = Proc.run("script", "-qefc", command, typescript.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        return Files.readString(typescript);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
