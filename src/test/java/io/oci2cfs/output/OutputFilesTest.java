package io.oci2cfs.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outputs replace their targets all together at the commit, or not at all. */
class OutputFilesTest {
    @TempDir
    Path tmp;

    private static void write(OutputFiles outputs, String what, Path target, String text) throws Exception {
        OutputStream out = outputs.open(what, target);
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.close();
    }

    private long entries(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void withoutACommitEveryTargetStaysAndNothingIsLeft() throws Exception {
        Path image = Files.writeString(tmp.resolve("app.cfs"), "old image");
        Path dump = Files.writeString(tmp.resolve("app.dump"), "old dump");
        Path layers = tmp.resolve("layers");
        try (OutputFiles outputs = new OutputFiles()) {
            write(outputs, "image", image, "new image");
            write(outputs, "--dump", dump, "new dump");
            write(outputs, "layer", outputs.directory("--per-layer", layers).resolve("01.cfs"), "layer");
            assertThat(entries(tmp)).isEqualTo(5); // the two targets, two temporary files, the directory
            // a failure here: the outputs are closed without a commit
        }
        assertThat(Files.readString(image)).isEqualTo("old image");
        assertThat(Files.readString(dump)).isEqualTo("old dump");
        assertThat(layers).doesNotExist();
        assertThat(entries(tmp)).isEqualTo(2);
    }

    @Test
    void theCommitReplacesEveryTargetWithAReadableFile() throws Exception {
        Path image = Files.writeString(tmp.resolve("app.cfs"), "old image");
        Path dump = tmp.resolve("app.dump");
        try (OutputFiles outputs = new OutputFiles()) {
            write(outputs, "image", image, "new image");
            write(outputs, "--dump", dump, "new dump");
            assertThat(Files.readString(image)).isEqualTo("old image");
            outputs.commit();
        }
        assertThat(Files.readString(image)).isEqualTo("new image");
        assertThat(Files.readString(dump)).isEqualTo("new dump");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(image))).isEqualTo("rw-r--r--");
        assertThat(entries(tmp)).isEqualTo(2);
    }

    @Test
    void theSameTargetTwiceIsRefused() throws Exception {
        try (OutputFiles outputs = new OutputFiles()) {
            write(outputs, "image", tmp.resolve("a.cfs"), "x");
            Path alias = Files.createSymbolicLink(tmp.resolve("b.cfs"), Path.of("a.cfs"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> outputs.open("--dump", alias))
                    .hasMessageContaining("already an output");
        }
        assertThat(entries(tmp)).isEqualTo(1); // the link only
    }
}
