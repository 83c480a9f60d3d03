package io.oci2cfs.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sources made to hurt: a FIFO where a file is expected (opening it would block for ever), a blob symlink out of
 * the layout, an empty file, an archive cut short on stdin. Each fails at once naming the input and the reason.
 */
class HostileSourceTest {
    private static final Platform AMD64 = Platform.parse("linux/amd64");
    private static final Duration NO_HANG = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    Path layout;
    ResolvedImage good;

    @BeforeEach
    void copyLayout() throws IOException {
        layout = tmp.resolve("whiteouts");
        try (Stream<Path> walk = Files.walk(Path.of("oci-fixtures/whiteouts"))) {
            for (Path p : walk.toList()) {
                Path target = layout.resolve(Path.of("oci-fixtures/whiteouts").relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        good = read("oci:" + layout);
    }

    private static ResolvedImage read(String reference) throws IOException {
        return Collector.read(reference, AMD64, new Collector());
    }

    private static void fifo(Path p) throws IOException, InterruptedException {
        Files.deleteIfExists(p);
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertThat(mk.waitFor()).as("mkfifo %s", p).isZero();
    }

    private void refusedWithoutHanging(String reference, String message) {
        assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(() -> read(reference))
                .isInstanceOf(ImageException.class).hasMessage(message));
    }

    @Test
    void aFifoInPlaceOfIndexJson() throws Exception {
        fifo(layout.resolve("index.json"));
        refusedWithoutHanging("oci:" + layout, "oci:" + layout + ": index.json: not a regular file (a FIFO, socket"
                + " or device)");
    }

    @Test
    void aFifoInPlaceOfTheManifestBlob() throws Exception {
        String manifest = good.manifestDigest().blobPath();
        fifo(layout.resolve(manifest));
        refusedWithoutHanging("oci:" + layout, "oci:" + layout + ": " + manifest + ": not a regular file (a FIFO,"
                + " socket or device)");
    }

    @Test
    void aFifoInPlaceOfTheConfigBlob() throws Exception {
        String config = good.configDigest().blobPath();
        fifo(layout.resolve(config));
        refusedWithoutHanging("oci:" + layout, "oci:" + layout + ": " + config + ": not a regular file (a FIFO,"
                + " socket or device)");
    }

    @Test
    void aFifoInPlaceOfALayerBlob() throws Exception {
        String layer = good.layers().get(0).key();
        fifo(layout.resolve(layer));
        refusedWithoutHanging("oci:" + layout, "oci:" + layout + ": " + layer + ": not a regular file (a FIFO,"
                + " socket or device)");
    }

    @Test
    void aBlobSymlinkMustNotLeadOutOfTheLayout() throws IOException {
        String config = good.configDigest().blobPath();
        Path outside = Files.copy(layout.resolve(config), tmp.resolve("outside"));
        Files.delete(layout.resolve(config));
        Files.createSymbolicLink(layout.resolve(config), outside);
        assertThatThrownBy(() -> read("oci:" + layout)).isInstanceOf(ImageException.class)
                .hasMessage("oci:" + layout + ": " + config + ": a symlink leads out of the layout, to "
                        + outside.toRealPath());
    }

    @Test
    void aBlobSymlinkWithinTheLayoutIsFollowed() throws IOException {
        String layer = good.layers().get(1).key();
        Path moved = Files.createDirectories(layout.resolve("elsewhere")).resolve("blob");
        Files.move(layout.resolve(layer), moved);
        Files.createSymbolicLink(layout.resolve(layer), Path.of("../../elsewhere/blob"));
        assertThat(read("oci:" + layout).layers()).isEqualTo(good.layers());
    }

    @Test
    void aFifoGivenAsTheSource() throws Exception {
        Path p = tmp.resolve("layer.tar");
        fifo(p);
        assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(
                () -> ImageSources.detect(ImageReference.parse(p.toString())))
                .hasMessage(p + ": not a regular file or directory (a FIFO, socket or device); give - to read a"
                        + " docker save stream from stdin"));
    }

    @Test
    void anEmptyFileIsNotAnEmptyLayer() throws IOException {
        Path p = Files.createFile(tmp.resolve("layer.tar"));
        assertThatThrownBy(() -> ImageSources.detect(ImageReference.parse(p.toString())))
                .hasMessage(p + ": empty input (0 bytes): not a layer, archive or layout");
    }

    @Test
    void anArchiveCutShortOnStdinNamesTheInputAndTheMember() throws IOException {
        byte[] archive = Files.readAllBytes(Path.of("oci-fixtures/docker-oci.tar"));
        // 9000 bytes end inside blobs/sha256/3ab662e9..., which starts at block 7 and holds 9216 bytes.
        InputStream cut = new ByteArrayInputStream(Arrays.copyOf(archive, 9000));
        assertThatThrownBy(() -> {
            try (ImageSource s = ImageSources.open(ImageReference.parse("-"), AMD64, cut)) {
                s.read(new Collector(), 1);
            }
        }).isInstanceOf(ImageException.class).hasMessage("docker-archive:-: archive cut short or damaged in member"
                + " blobs/sha256/3ab662e9019fca04fbb5a37f101f259892e611b6e73142538f92270f81dc4b6c: Truncated TAR archive");
    }

    @Test
    void aCompressedArchiveCutInsideItsGzipHeaderSaysSo() throws IOException {
        Path p = Files.write(tmp.resolve("a.tar.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0});
        assertThatThrownBy(() -> read("oci-archive:" + p)).isInstanceOf(ImageException.class)
                .hasMessage("oci-archive:" + p + ": bad GZIP data around the archive: unexpected end of the stream");
    }

    @Test
    void aDamagedDeflateStreamAroundAnArchiveIsNotCalledACorruptTar() throws IOException {
        // A gzip header, then a final deflate block of the reserved type 3.
        byte[] bad = new byte[27];
        System.arraycopy(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x07}, 0, bad, 0, 11);
        Path p = Files.write(tmp.resolve("a.tar.gz"), bad);
        assertThatThrownBy(() -> read("docker-archive:" + p)).isInstanceOf(ImageException.class)
                .hasMessageStartingWith("docker-archive:" + p + ": bad GZIP data around the archive: ");
    }
}
