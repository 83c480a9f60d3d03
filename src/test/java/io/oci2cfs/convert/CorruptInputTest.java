package io.oci2cfs.convert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input makes {@code oci2cfs convert} fail with one line naming the input and the reason, leave no image,
 * and leave the object store as it was: only files named by their fs-verity digest, nothing staged.
 */
class CorruptInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path BASIC = FixtureConversionTest.FIXTURES.resolve("basic");
    private static final String LAYER = "137298ea2ef2b9384ac4aef95715fba32a706e5ee110774d3eb6b542ffd69234";

    @TempDir
    Path tmp;
    Path layout;
    Path objects;
    Path image;
    TreeSet<String> storeBefore;

    @BeforeEach
    void setUp() throws IOException {
        layout = tmp.resolve("basic");
        try (Stream<Path> walk = Files.walk(BASIC)) {
            for (Path p : walk.toList()) {
                Path target = layout.resolve(BASIC.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        objects = tmp.resolve("objects");
        image = tmp.resolve("out.cfs");
        byte[] unrelated = new byte[10_000];
        Arrays.fill(unrelated, (byte) 1);
        StoreCheck.addObject(objects, unrelated);
        storeBefore = StoreCheck.files(objects);
    }

    @Test
    void flippedByteInLayerBlob() throws IOException {
        Path blob = layout.resolve("blobs/sha256/" + LAYER);
        byte[] b = Files.readAllBytes(blob);
        b[b.length / 2] ^= 0x01;
        Files.write(blob, b);
        assertFails("oci:" + layout + ":latest", "oci:" + layout, LAYER, "digest mismatch");
    }

    /** Config, manifest and index are rewritten with consistent digests, so only the diff_id is wrong. */
    @Test
    void wrongDiffIdInConfig() throws IOException {
        ObjectNode index = (ObjectNode) JSON.readTree(layout.resolve("index.json").toFile());
        ObjectNode manifestDesc = (ObjectNode) index.get("manifests").get(0);
        ObjectNode manifest = (ObjectNode) JSON.readTree(blob(manifestDesc).toFile());
        ObjectNode configDesc = (ObjectNode) manifest.get("config");
        ObjectNode config = (ObjectNode) JSON.readTree(blob(configDesc).toFile());
        String wrong = "sha256:" + "ab".repeat(32);
        ((ArrayNode) config.get("rootfs").get("diff_ids")).set(0, wrong);
        store(configDesc, JSON.writeValueAsBytes(config));
        store(manifestDesc, JSON.writeValueAsBytes(manifest));
        Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
        String reason = assertFails("oci:" + layout + ":latest", "oci:" + layout, LAYER, "diff_id");
        assertThat(reason).contains(wrong);
    }

    @Test
    void truncatedGzipLayer() throws IOException {
        byte[] gz = Files.readAllBytes(layout.resolve("blobs/sha256/" + LAYER));
        Path layer = tmp.resolve("truncated.tar.gz");
        Files.write(layer, Arrays.copyOf(gz, gz.length * 2 / 3));
        String reason = assertFails(layer.toString(), layer.toString(), layer.toString(), "end of");
        assertThat(reason).doesNotEndWith(": null");
    }

    /** The layer's tar, cut in the middle of the data of files/b65 (65 bytes, an object of its own). */
    @Test
    void tarMemberCutShort() throws IOException {
        byte[] tar;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(layout.resolve("blobs/sha256/" + LAYER)))) {
            tar = in.readAllBytes();
        }
        int at = new String(tar, StandardCharsets.ISO_8859_1).indexOf("files/b65\0");
        assertThat(at).isPositive();
        Path layer = tmp.resolve("cut.tar");
        Files.write(layer, Arrays.copyOf(tar, at + 512 + 30));
        assertFails(layer.toString(), layer.toString(), "files/b65", "truncated");
    }

    @Test
    void whiteoutAsHardlink() throws IOException {
        Path layer = tmp.resolve("wh-link.tar");
        writeTar(layer, "big", ".wh.big", true);
        assertFails(layer.toString(), layer.toString(), layer.toString(), ".wh.big");
    }

    @Test
    void bareWhiteoutPrefix() throws IOException {
        Path layer = tmp.resolve("wh-bare.tar");
        writeTar(layer, "big", "dir/.wh.", false);
        assertFails(layer.toString(), layer.toString(), layer.toString(), ".wh.");
    }

    /**
     * Runs the conversion through the CLI and checks the failure; returns the reason line.
     *
     * @param reasonPart what the line must also contain ("" for any reason)
     */
    private String assertFails(String source, String input, String what, String reasonPart) throws IOException {
        Tools.CliResult r = Tools.cli("convert", source, image.toString(), "--objects", objects.toString(),
                "--platform", "linux/amd64");
        assertThat(r.exit()).as(r.stderr()).isNotZero();
        String line = r.stderr().strip();
        assertThat(line).as("one line").doesNotContain("\n").contains(input).contains(what).contains(reasonPart)
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(image).doesNotExist();
        assertThat(StoreCheck.files(objects)).isEqualTo(storeBefore);
        StoreCheck.assertConsistent(objects);
        return line;
    }

    /** A layer with a 100-byte file {@code target} (so that its object is staged) and then {@code name}. */
    private static void writeTar(Path file, String target, String name, boolean hardlink) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(buf)) {
            byte[] data = "x".repeat(100).getBytes(StandardCharsets.US_ASCII);
            TarArchiveEntry e = new TarArchiveEntry(target);
            e.setSize(data.length);
            tar.putArchiveEntry(e);
            tar.write(data);
            tar.closeArchiveEntry();
            if (!hardlink) {
                TarArchiveEntry d = new TarArchiveEntry("dir/");
                tar.putArchiveEntry(d);
                tar.closeArchiveEntry();
            }
            TarArchiveEntry w = hardlink ? new TarArchiveEntry(name, TarArchiveEntry.LF_LINK) : new TarArchiveEntry(name);
            if (hardlink) {
                w.setLinkName(target);
            }
            tar.putArchiveEntry(w);
            tar.closeArchiveEntry();
        }
        Files.write(file, buf.toByteArray());
    }

    private Path blob(ObjectNode descriptor) {
        return layout.resolve("blobs/sha256/" + descriptor.get("digest").asText().substring(7));
    }

    /** Writes {@code data} as a blob and points {@code descriptor} at it. */
    private void store(ObjectNode descriptor, byte[] data) throws IOException {
        try {
            String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
            descriptor.put("digest", "sha256:" + hex).put("size", data.length);
            Files.write(layout.resolve("blobs/sha256/" + hex), data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
