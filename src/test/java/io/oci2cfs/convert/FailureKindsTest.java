package io.oci2cfs.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.error.BadInputException;
import io.oci2cfs.error.EnvironmentException;
import io.oci2cfs.error.FailureKind;
import io.oci2cfs.error.Oci2cfsException;
import io.oci2cfs.erofs.CorruptImageException;
import io.oci2cfs.erofs.ErofsReader;
import io.oci2cfs.layer.LayerFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Exceptions;

/**
 * Each kind of failure reaches a library caller as its own checked exception, with its cause, and the command
 * line as its own exit code with one line on stderr.
 */
class FailureKindsTest {
    @TempDir
    Path tmp;

    @Test
    void aBadLayerIsBadInputForTheLibraryAndExitThreeForTheCommand() throws IOException {
        Path layer = Files.writeString(tmp.resolve("layer.tar"), "this is not a tar archive at all ".repeat(40));
        assertThatThrownBy(() -> Converter.convert(layer.toString(), tmp.resolve("a.cfs"), tmp.resolve("o"),
                ConvertOptions.defaults(), InputStream.nullInputStream()).block())
                .satisfies(e -> assertThat(FailureKind.unwrap(e)).isInstanceOf(LayerFormatException.class)
                        .isInstanceOf(BadInputException.class).hasMessageContaining(layer.toString()))
                .satisfies(e -> assertThat(FailureKind.of(e)).isEqualTo(FailureKind.BAD_INPUT));

        Tools.CliResult r = Tools.cli("convert", layer.toString(), tmp.resolve("a.cfs").toString(),
                "--objects", tmp.resolve("o").toString());
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.stderr().strip()).doesNotContain("\n").contains(layer.toString(), "not a tar archive");
    }

    @Test
    void aTreeComposefsCannotHoldIsUnsupportedTreeAndExitFour() throws IOException {
        // A regular file of 2^56 bytes needs more than the 1024 chunks an external file may have.
        Path dump = Files.writeString(tmp.resolve("big.dump"), "/ 4096 40755 2 0 0 0 0.0 - - -\n"
                + "/huge 72057594037927936 100644 1 0 0 0 0.0 ab/" + "c".repeat(62) + " - -\n");
        Tools.CliResult r = Tools.cli("mkcomposefs", "--from-file", dump.toString(), tmp.resolve("b.cfs").toString());
        assertThat(r.exit()).as(r.stderr()).isEqualTo(4);
        assertThat(r.stderr()).contains(dump.toString(), "/huge: file too large");
        assertThat(tmp.resolve("b.cfs")).doesNotExist();
    }

    @Test
    void aFileThatIsNotAnImageIsBadInput() throws IOException {
        Path notImage = Files.write(tmp.resolve("x.cfs"), new byte[8192]);
        assertThatThrownBy(() -> ErofsReader.read(notImage)).isInstanceOf(CorruptImageException.class)
                .isInstanceOf(BadInputException.class);
        Tools.CliResult r = Tools.cli("info", "ls", notImage.toString());
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.stderr()).contains(notImage.toString(), "not a composefs image");
    }

    @Test
    void aStoreThatCannotBeCreatedIsTheEnvironmentAndExitFive() throws IOException {
        Path layer = Path.of("oci-fixtures/truncated-layer.tar");
        // /proc refuses new directories whoever asks, root included.
        Tools.CliResult r = Tools.cli("convert", layer.toString(), tmp.resolve("c.cfs").toString(),
                "--objects", "/proc/oci2cfs-no-such-store");
        assertThat(r.exit()).as(r.stderr()).isEqualTo(5);
        assertThat(r.stderr()).contains("/proc/oci2cfs-no-such-store");
        assertThat(tmp.resolve("c.cfs")).doesNotExist();
    }

    @Test
    void optionsThatDoNotParseAreUsageAndExitTwo() {
        Tools.CliResult r = Tools.cli("convert", "x", tmp.resolve("d.cfs").toString(), "--objects",
                tmp.resolve("o").toString(), "--platform", "linux/amd64/v1/extra/parts");
        assertThat(r.exit()).as(r.stderr()).isEqualTo(2);
        Tools.CliResult h = Tools.cli("convert", "x", tmp.resolve("d.cfs").toString(), "--objects",
                tmp.resolve("o").toString(), "--hardlinks", "maybe");
        assertThat(h.exit()).isEqualTo(2);
        assertThat(h.stderr()).contains("--hardlinks must be keep or break");
    }

    @Test
    void classificationLooksThroughWrappersAndCallsOtherRuntimeExceptionsOurs() {
        IOException disk = new IOException("/var/x: No space left on device");
        assertThat(FailureKind.of(Exceptions.propagate(disk))).isEqualTo(FailureKind.ENVIRONMENT);
        assertThat(FailureKind.of(new UncheckedIOException(new LayerFormatException("layer l: bad"))))
                .isEqualTo(FailureKind.BAD_INPUT);
        assertThat(FailureKind.of(new IllegalStateException("bug"))).isEqualTo(FailureKind.INTERNAL);
        assertThat(FailureKind.INTERNAL.exitCode()).isEqualTo(70);

        Oci2cfsException named = Oci2cfsException.naming("oci:img", new LayerFormatException("layer l: bad tar"));
        assertThat(named).isInstanceOf(BadInputException.class).hasMessage("oci:img: layer l: bad tar")
                .hasCauseInstanceOf(LayerFormatException.class);
        assertThat(Oci2cfsException.naming("img", disk)).isInstanceOf(EnvironmentException.class)
                .hasMessage("img: /var/x: No space left on device");
        IllegalStateException bug = new IllegalStateException("bug");
        assertThatThrownBy(() -> Oci2cfsException.naming("img", bug)).isSameAs(bug);
    }
}
