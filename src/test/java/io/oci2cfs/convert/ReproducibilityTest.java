package io.oci2cfs.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.oci2cfs.tree.TreeOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The image bytes depend on the input only, and --hardlinks break matches mkcomposefs on the unpacked layer. */
class ReproducibilityTest {
    static final Path FIXTURES = FixtureConversionTest.FIXTURES;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"basic:latest", "whiteouts:latest", "multiarch:multi"})
    void sameBytesWhateverTheThreadsAndRun(String ref) throws IOException {
        String source = "oci:" + FIXTURES.resolve(ref.substring(0, ref.indexOf(':'))) + ref.substring(ref.indexOf(':'));
        byte[] reference = null;
        int run = 0;
        for (int threads : new int[] {1, 2, 8, 8, 1}) {
            Path image = tmp.resolve("run" + run++ + ".cfs");
            ConvertOptions o = FixtureConversionTest.options("linux/amd64").toBuilder().threads(threads).build();
            FixtureConversionTest.convert(source, image, tmp.resolve("objects" + threads), o);
            byte[] bytes = Files.readAllBytes(image);
            if (reference == null) {
                reference = bytes;
            }
            assertThat(bytes).as("%s with %d threads", ref, threads).isEqualTo(reference);
        }
        assertThat(StoreCheck.files(tmp.resolve("objects1"))).isEqualTo(StoreCheck.files(tmp.resolve("objects8")));
    }

    /**
     * Fails: our {@code mkcomposefs} cannot read a directory holding a name that is not valid UTF-8 (the
     * fixture's {@code names/caf\xe9-latin1}): "cannot list xattrs (errno 2)", see DirectoryScanner.
     */
    @Test
    void breakHardlinksEqualsMkcomposefsOnTheExtractedLayer() throws Exception {
        Path dir = extractBasicLayer();
        Path converted = tmp.resolve("converted.cfs");
        Path convertedObjects = tmp.resolve("converted-objects");
        FixtureConversionTest.convert("oci:" + FIXTURES.resolve("basic") + ":latest", converted, convertedObjects,
                FixtureConversionTest.options("linux/amd64").toBuilder()
                        .tree(TreeOptions.KEEP_ALL.withBreakHardlinks(true)).build());
        assertSameAsMkcomposefs(dir, converted, convertedObjects);
    }

    /**
     * The same without the non-UTF-8 name: the extracted layer, repacked by GNU tar, converted as a single
     * layer with --hardlinks break, equals mkcomposefs on that directory.
     */
    @Test
    void breakHardlinksEqualsMkcomposefsOnTheExtractedLayerWithUtf8NamesOnly() throws Exception {
        Path dir = extractBasicLayer();
        try (var names = Files.list(dir.resolve("names"))) {
            Files.delete(names.filter(p -> p.getFileName().toString().startsWith("caf")).findFirst().orElseThrow());
        }
        Tools.output("touch", "-d", "@1700000000", dir.resolve("names").toString());
        Path layer = tmp.resolve("repacked.tar");
        Tools.output("tar", "-cf", layer.toString(), "-C", dir.toString(), "--xattrs", "--xattrs-include=*",
                "--numeric-owner", ".");
        Path converted = tmp.resolve("converted.cfs");
        Path convertedObjects = tmp.resolve("converted-objects");
        FixtureConversionTest.convert(layer.toString(), converted, convertedObjects,
                FixtureConversionTest.options("linux/amd64").toBuilder()
                        .tree(TreeOptions.KEEP_ALL.withBreakHardlinks(true)).build());
        assertSameAsMkcomposefs(dir, converted, convertedObjects);
    }

    /**
     * A directory source, as {@code dir:PATH} and as a bare path, with --hardlinks break and tree flags, gives
     * the image and objects mkcomposefs 1.0.8 gives for that directory with the same flags.
     */
    @Test
    void directorySourcesEqualReferenceMkcomposefs() throws Exception {
        Path dir = extractBasicLayer();
        try (var names = Files.list(dir.resolve("names"))) {
            Files.delete(names.filter(p -> p.getFileName().toString().startsWith("caf")).findFirst().orElseThrow());
        }
        Tools.require("mkcomposefs");
        Path reference = tmp.resolve("reference.cfs");
        Path referenceObjects = tmp.resolve("reference-objects");
        Tools.output("mkcomposefs", "--use-epoch", "--user-xattrs", "--skip-devices",
                "--digest-store=" + referenceObjects, dir.toString(), reference.toString());
        ConvertOptions options = FixtureConversionTest.options("linux/amd64").toBuilder()
                .tree(new TreeOptions(true, false, true, true, true)).build();
        for (String source : List.of("dir:" + dir, dir.toString())) {
            Path converted = tmp.resolve(source.startsWith("dir:") ? "prefixed.cfs" : "bare.cfs");
            Path objects = tmp.resolve(source.startsWith("dir:") ? "prefixed-objects" : "bare-objects");
            FixtureConversionTest.convert(source, converted, objects, options);
            assertThat(Files.readAllBytes(converted)).as(source).isEqualTo(Files.readAllBytes(reference));
            assertThat(StoreCheck.files(objects)).as(source).isNotEmpty().isEqualTo(StoreCheck.files(referenceObjects));
        }
    }

    /** The basic fixture's layer extracted by GNU tar, the root's mtime set as in the layer. */
    private Path extractBasicLayer() throws Exception {
        assumeTrue(System.getProperty("user.name").equals("root"), "extracting devices and owners needs root; skipping");
        Tools.require("tar");
        Path layout = FIXTURES.resolve("basic");
        Path layer = layout.resolve("blobs/sha256").resolve(onlyLayerOf(layout));
        Path dir = Files.createDirectories(tmp.resolve("rootfs"));
        Tools.output("tar", "-xzf", layer.toString(), "-C", dir.toString(), "--xattrs", "--xattrs-include=*",
                "--numeric-owner", "-p");
        Tools.output("touch", "-d", "@1700000000", dir.toString());
        return dir;
    }

    /** Our mkcomposefs on {@code dir} writes the same bytes and the same objects. */
    private void assertSameAsMkcomposefs(Path dir, Path converted, Path convertedObjects) throws IOException {
        Path made = tmp.resolve("mkcomposefs.cfs");
        Path madeObjects = tmp.resolve("mkcomposefs-objects");
        Tools.CliResult r = Tools.cli("mkcomposefs", "--digest-store=" + madeObjects, dir.toString(), made.toString());
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(Files.readAllBytes(converted)).isEqualTo(Files.readAllBytes(made));
        assertThat(StoreCheck.files(convertedObjects)).isNotEmpty().isEqualTo(StoreCheck.files(madeObjects));
        StoreCheck.assertConsistent(madeObjects);
    }

    /** The digest (hex) of the single layer of the layout's only manifest. */
    private static String onlyLayerOf(Path layout) throws IOException {
        var index = JSON.readTree(layout.resolve("index.json").toFile());
        String manifest = index.get("manifests").get(0).get("digest").asText().substring(7);
        var layers = JSON.readTree(layout.resolve("blobs/sha256").resolve(manifest).toFile()).get("layers");
        assertThat(layers).hasSize(1);
        return layers.get(0).get("digest").asText().substring(7);
    }
}
