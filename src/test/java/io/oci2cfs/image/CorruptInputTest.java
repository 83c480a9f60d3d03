package io.oci2cfs.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad input fails with one line naming the input and the reason. */
class CorruptInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Platform AMD64 = Platform.parse("linux/amd64");

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
        good = read();
    }

    @Test
    void flippedByteInLayer() throws IOException {
        ResolvedLayer layer = good.layers().get(1);
        flip(layout.resolve(layer.key()), 40);
        assertThatThrownBy(this::read).isInstanceOf(ImageException.class)
                .hasMessageStartingWith("oci:" + layout + ": layer " + layer.key() + ": digest mismatch: expected "
                        + layer.digest() + ", content is sha256:")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void manifestDoesNotMatchItsDescriptor() throws IOException {
        flip(layout.resolve(good.manifestDigest().blobPath()), 3);
        assertThatThrownBy(this::read).hasMessageContaining("manifest " + good.manifestDigest() + ": digest mismatch");
    }

    @Test
    void wrongManifestDigestInIndex() throws IOException {
        String index = Files.readString(layout.resolve("index.json"));
        Files.writeString(layout.resolve("index.json"),
                index.replace(good.manifestDigest().hex(), good.configDigest().hex()));
        assertThatThrownBy(this::read).hasMessageContaining("manifest " + good.configDigest())
                .hasMessageContaining("mismatch");
    }

    @Test
    void missingLayerBlob() throws IOException {
        Files.delete(layout.resolve(good.layers().get(2).key()));
        assertThatThrownBy(this::read)
                .hasMessage("oci:" + layout + ": missing blob " + good.layers().get(2).digest() + " (layer 2)");
    }

    @Test
    void missingIndexAndLayoutFile() throws IOException {
        Files.delete(layout.resolve("index.json"));
        assertThatThrownBy(this::read).hasMessage("oci:" + layout + ": missing index.json");
        Files.delete(layout.resolve("oci-layout"));
        assertThatThrownBy(this::read).hasMessageContaining("missing oci-layout");
    }

    @Test
    void unknownLayerMediaType() throws IOException {
        Path manifestPath = layout.resolve(good.manifestDigest().blobPath());
        ObjectNode manifest = (ObjectNode) JSON.readTree(manifestPath.toFile());
        ((ObjectNode) manifest.get("layers").get(0)).put("mediaType", "application/x-unknown");
        byte[] bytes = JSON.writeValueAsBytes(manifest);
        Digest digest = Digest.sha256(bytes);
        Files.write(layout.resolve(digest.blobPath()), bytes);
        String index = Files.readString(layout.resolve("index.json"))
                .replace(good.manifestDigest().toString(), digest.toString())
                .replaceAll("\"size\":\\d+", "\"size\":" + bytes.length);
        Files.writeString(layout.resolve("index.json"), index);
        assertThatThrownBy(this::read).hasMessageContaining("layer 0 has unknown media type application/x-unknown");
    }

    @Test
    void notJson() throws IOException {
        Files.writeString(layout.resolve("index.json"), "{nope");
        assertThatThrownBy(this::read).hasMessageContaining("index.json: not valid JSON");
    }

    @Test
    void notATar() throws IOException {
        Path junk = tmp.resolve("junk.tar");
        Files.write(junk, "this is not a tar archive, it is just text. ".repeat(40).getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Collector.read("oci-archive:" + junk, AMD64, new Collector()))
                .hasMessageStartingWith("oci-archive:" + junk + ": ")
                .hasMessageContaining("tar archive");
        assertThatThrownBy(() -> Collector.read("docker-archive:" + tmp.resolve("absent.tar"), AMD64,
                new Collector())).hasMessageEndingWith("absent.tar: no such file");
    }

    @Test
    void flippedByteInDockerArchiveLayer() throws IOException {
        Path tar = tmp.resolve("docker-oci.tar");
        byte[] bytes = Files.readAllBytes(Path.of("oci-fixtures/docker-oci.tar"));
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("cross layer\n");
        bytes[at] = 'X';
        Files.write(tar, bytes);
        assertThatThrownBy(() -> Collector.read("docker-archive:" + tar, AMD64, new Collector()))
                .hasMessageContaining("layer 0 (blobs/sha256/").hasMessageContaining("digest mismatch");
    }

    @Test
    void wrongArchiveKindIsNamed() {
        assertThatThrownBy(() -> Collector.read("docker-archive:oci-fixtures/multiarch.oci-archive.tar", AMD64,
                new Collector())).hasMessageContaining("missing manifest.json (it has index.json: try oci-archive:)");
        assertThatThrownBy(() -> Collector.read("oci-archive:oci-fixtures/docker-classic.tar", AMD64,
                new Collector())).hasMessageContaining("missing index.json (it has manifest.json");
    }

    private ResolvedImage read() throws IOException {
        return Collector.read("oci:" + layout, AMD64, new Collector());
    }

    private static void flip(Path file, int offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[offset] ^= 0x20;
        Files.write(file, bytes);
    }
}
