package io.oci2cfs.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sources against the committed oci-fixtures. */
class FixtureSourcesTest {
    static final String F = "oci-fixtures/";
    static final Platform AMD64 = Platform.parse("linux/amd64");
    static final Platform ARM64 = Platform.parse("linux/arm64");

    @Test
    void ociLayoutStreamsVerifiedLayersWithDiffIds() throws IOException {
        Collector c = new Collector();
        ResolvedImage image = Collector.read("oci:" + F + "whiteouts", AMD64, c);
        assertThat(image.layers()).extracting(ResolvedLayer::mediaType).containsExactly(MediaTypes.OCI_LAYER,
                MediaTypes.OCI_LAYER_GZIP, MediaTypes.OCI_LAYER_ZSTD);
        for (ResolvedLayer layer : image.layers()) {
            assertThat(Digest.sha256(c.data.get(layer.key()))).isEqualTo(layer.digest());
            assertThat((long) c.data.get(layer.key()).length).isEqualTo(layer.size());
            assertThat(c.blobs.get(layer.key()).speculative()).isFalse();
        }
        // an uncompressed layer's digest is its diff_id
        assertThat(image.layers().get(0).diffId()).isEqualTo(image.layers().get(0).digest());
        assertThat(image.description()).contains("latest");
        assertThat(image.manifestDigest()).isNotNull();
    }

    @Test
    void selectsByRefAndPlatformThroughNestedIndex() throws IOException {
        assertThat(archOf("oci:" + F + "multiarch:multi", AMD64)).isEqualTo("amd64");
        assertThat(archOf("oci:" + F + "multiarch:multi", ARM64)).isEqualTo("arm64");
        assertThat(archOf("oci:" + F + "multiarch:multi", Platform.parse("linux/arm64/v8"))).isEqualTo("arm64");
        assertThat(archOf("oci:" + F + "multiarch:single", AMD64)).isEqualTo("amd64");
        assertThat(archOf("oci-archive:" + F + "multiarch.oci-archive.tar:multi", ARM64)).isEqualTo("arm64");
    }

    @Test
    void selectionErrorsListWhatIsAvailable() {
        assertThatThrownBy(() -> Collector.read("oci:" + F + "multiarch", AMD64, new Collector()))
                .isInstanceOf(ImageException.class)
                .hasMessageStartingWith("oci:" + F + "multiarch: several images match")
                .hasMessageContaining("multi linux/amd64").hasMessageContaining("single");
        assertThatThrownBy(() -> Collector.read("oci:" + F + "multiarch:multi", Platform.parse("linux/s390x"),
                new Collector())).hasMessageContaining("no image for platform linux/s390x")
                .hasMessageContaining("linux/arm64/v8");
        assertThatThrownBy(() -> Collector.read("oci:" + F + "multiarch:nope", AMD64, new Collector()))
                .hasMessageContaining("no image named 'nope'; available: multi");
        assertThatThrownBy(() -> Collector.read("docker-archive:" + F + "docker-classic.tar", AMD64,
                new Collector())).hasMessageContaining("holds 3 images")
                .hasMessageContaining("@1 fixtures/whiteouts:latest");
    }

    @Test
    void ociArchiveMatchesLayoutAndMarksUnselectedBlobsSpeculative() throws IOException {
        ResolvedImage layout = Collector.read("oci:" + F + "multiarch:multi", AMD64, new Collector());
        Collector c = new Collector();
        ResolvedImage archive = Collector.read("oci-archive:" + F + "multiarch.oci-archive.tar:multi", AMD64, c);
        assertThat(archive.layers()).isEqualTo(layout.layers());
        assertThat(archive.manifestDigest()).isEqualTo(layout.manifestDigest());
        assertThat(archive.configDigest()).isEqualTo(layout.configDigest());
        // index.json comes after the blobs, so the arm64 layer was handed over before it was known unused
        assertThat(c.blobs.values()).anyMatch(Blob::speculative);
        assertThat(c.blobs).doesNotContainKey("index.json");
    }

    @Test
    void dockerArchivesResolveTheSameDiffIdsAsTheLayout() throws IOException {
        ResolvedImage layout = Collector.read("oci:" + F + "whiteouts", AMD64, new Collector());
        List<Digest> diffIds = layout.layers().stream().map(ResolvedLayer::diffId).toList();
        for (String ref : List.of("docker-archive:" + F + "docker-classic.tar:fixtures/whiteouts:latest",
                "docker-archive:" + F + "docker-classic.tar:fixtures/whiteouts",
                "docker-archive:" + F + "docker-classic.tar:@1",
                "docker-archive:" + F + "docker-oci.tar", F + "docker-oci.tar")) {
            Collector c = new Collector();
            ResolvedImage image = Collector.read(ref, AMD64, c);
            assertThat(image.layers()).as(ref).extracting(ResolvedLayer::diffId).isEqualTo(diffIds);
            for (ResolvedLayer layer : image.layers()) {
                // docker save layers are uncompressed: the data hashes to the diff_id
                assertThat(Digest.sha256(c.data.get(layer.key()))).as(ref).isEqualTo(layer.diffId());
                assertThat(layer.mediaType()).isEqualTo(MediaTypes.DOCKER_LAYER);
            }
            assertThat(image.manifestDigest()).isNull();
        }
    }

    @Test
    void dockerClassicFollowsSymlinkedLayer() throws IOException {
        ResolvedImage basic = Collector.read("docker-archive:" + F + "docker-classic.tar:@0", AMD64,
                new Collector());
        ResolvedImage alias = Collector.read("docker-archive:" + F + "docker-classic.tar:fixtures/alias:latest",
                AMD64, new Collector());
        assertThat(alias.layers()).isEqualTo(basic.layers());
        assertThat(alias.configDigest()).isNotEqualTo(basic.configDigest());
    }

    @Test
    void dockerArchiveFromStdin() throws IOException {
        byte[] tar = Files.readAllBytes(Path.of(F + "docker-oci.tar"));
        Collector c = new Collector();
        try (ImageSource source = ImageSources.open(ImageReference.parse("-"), AMD64,
                new ByteArrayInputStream(tar))) {
            assertThat(source.describe()).isEqualTo("docker-archive:-");
            assertThat(source.read(c, 1).layers()).hasSize(3);
        }
    }

    @Test
    void detectsBarePathsByContent() throws IOException {
        assertThat(kind(F + "basic")).isEqualTo(SourceKind.OCI_LAYOUT);
        assertThat(kind(F + "multiarch.oci-archive.tar")).isEqualTo(SourceKind.OCI_ARCHIVE);
        assertThat(kind(F + "docker-classic.tar")).isEqualTo(SourceKind.DOCKER_ARCHIVE);
        assertThat(kind(F + "docker-oci.tar")).isEqualTo(SourceKind.DOCKER_ARCHIVE);
        assertThat(kind(F + "truncated-layer.tar")).isEqualTo(SourceKind.SINGLE_LAYER);
        ResolvedImage basic = Collector.read("oci:" + F + "basic", AMD64, new Collector());
        assertThat(kind(F + "basic/" + basic.layers().get(0).key())).isEqualTo(SourceKind.SINGLE_LAYER);
        assertThat(kind(F + "README.md")).isEqualTo(SourceKind.SINGLE_LAYER);
        assertThat(kind("src")).isEqualTo(SourceKind.DIRECTORY);
        assertThatThrownBy(() -> ImageSources.open(ImageReference.parse("src"), AMD64, null))
                .hasMessageContaining("not an OCI image layout");
    }

    @Test
    void parsesSkopeoReferences() {
        assertThat(ImageReference.parse("oci:/a/b:name:tag"))
                .isEqualTo(new ImageReference(SourceKind.OCI_LAYOUT, Path.of("/a/b"), "name:tag"));
        assertThat(ImageReference.parse("docker-archive:x.tar:@2").ref()).isEqualTo("@2");
        assertThat(ImageReference.parse("oci-archive:x.tar").ref()).isNull();
        assertThat(ImageReference.parse("docker-archive:-:a:b").isStdin()).isTrue();
        assertThat(ImageReference.parse("some/path").kind()).isNull();
        assertThat(ImageReference.parse("oci:d:r").toString()).isEqualTo("oci:d:r");
        assertThatThrownBy(() -> ImageReference.parse("oci:")).hasMessageContaining("missing path");
        // oci2cfs's own trees take no REF: a colon belongs to the path
        assertThat(ImageReference.parse("dump:a:b.dump"))
                .isEqualTo(new ImageReference(SourceKind.DUMP, Path.of("a:b.dump"), null));
        assertThat(ImageReference.parse("dir:/r/oot").toString()).isEqualTo("dir:/r/oot");
        assertThat(ImageReference.parse("dir:/r").kind().isImage()).isFalse();
        assertThatThrownBy(() -> ImageReference.parse("dump:")).hasMessageContaining("missing path");
        assertThat(Platform.goArch("aarch64")).isEqualTo("arm64");
        assertThat(Platform.goArch("x86_64")).isEqualTo("amd64");
    }

    private static SourceKind kind(String path) throws IOException {
        return ImageSources.detect(ImageReference.parse(path)).kind();
    }

    private static String archOf(String reference, Platform platform) throws IOException {
        Collector c = new Collector();
        ResolvedImage image = Collector.read(reference, platform, c);
        assertThat(image.layers()).hasSize(1);
        byte[] blob = c.data.get(image.layers().get(0).key());
        try (InputStream in = ArchiveDecompression.decompress(new ByteArrayInputStream(blob))) {
            String tar = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            return tar.contains("amd64\n") ? "amd64" : tar.contains("arm64\n") ? "arm64" : "?";
        }
    }
}
