package io.oci2cfs.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.erofs.ErofsReader;
import io.oci2cfs.image.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture reference of oci-fixtures/README.md converts into an image that fsck.erofs accepts and that,
 * read back by our reader and mounted by the kernel as composefs, is exactly the fixture's {@code .tree}.
 */
class FixtureConversionTest {
    static final Path FIXTURES = Path.of("oci-fixtures").toAbsolutePath();

    @TempDir
    Path tmp;

    /** reference, platform, tree file. */
    static Stream<Arguments> fixtures() {
        String classic = "docker-archive:" + FIXTURES.resolve("docker-classic.tar");
        return Stream.of(
                Arguments.of("oci:" + FIXTURES.resolve("basic") + ":latest", "linux/amd64", "basic.tree"),
                Arguments.of("oci:" + FIXTURES.resolve("whiteouts") + ":latest", "linux/amd64", "whiteouts.tree"),
                Arguments.of("oci:" + FIXTURES.resolve("multiarch") + ":multi", "linux/amd64", "multiarch-amd64.tree"),
                Arguments.of("oci:" + FIXTURES.resolve("multiarch") + ":multi", "linux/arm64/v8",
                        "multiarch-arm64.tree"),
                Arguments.of("oci:" + FIXTURES.resolve("multiarch") + ":single", "linux/amd64", "multiarch-amd64.tree"),
                Arguments.of("oci-archive:" + FIXTURES.resolve("multiarch.oci-archive.tar") + ":multi", "linux/amd64",
                        "multiarch-amd64.tree"),
                Arguments.of("oci-archive:" + FIXTURES.resolve("multiarch.oci-archive.tar") + ":multi",
                        "linux/arm64/v8", "multiarch-arm64.tree"),
                Arguments.of(classic + ":fixtures/basic:latest", "linux/amd64", "basic.tree"),
                Arguments.of(classic + ":fixtures/whiteouts:latest", "linux/amd64", "whiteouts.tree"),
                Arguments.of(classic + ":fixtures/alias:latest", "linux/amd64", "basic.tree"),
                Arguments.of("docker-archive:" + FIXTURES.resolve("docker-oci.tar"), "linux/amd64", "whiteouts.tree"),
                Arguments.of("-", "linux/amd64", "whiteouts.tree"),
                Arguments.of(FIXTURES.resolve("truncated-layer.tar").toString(), "linux/amd64",
                        "truncated-layer.tree"),
                Arguments.of(FIXTURES.resolve("layer-end-no-padding.tar").toString(), "linux/amd64", "layer-end.tree"),
                Arguments.of(FIXTURES.resolve("layer-end-partial-padding.tar").toString(), "linux/amd64",
                        "layer-end.tree"),
                Arguments.of(FIXTURES.resolve("layer-end-padding-only.tar").toString(), "linux/amd64",
                        "layer-end.tree"),
                Arguments.of(FIXTURES.resolve("layer-end-one-end-block.tar").toString(), "linux/amd64", "layer-end.tree"),
                Arguments.of("oci:" + FIXTURES.resolve("unpadded") + ":latest", "linux/amd64", "unpadded.tree"));
    }

    static ConvertOptions options(String platform) {
        return ConvertOptions.builder().platform(Platform.parse(platform)).build();
    }

    /** Converts {@code source}; {@code -} reads docker-oci.tar from stdin. */
    static ConvertResult convert(String source, Path image, Path objects, ConvertOptions options) throws IOException {
        try (InputStream stdin = source.equals("-") ? Files.newInputStream(FIXTURES.resolve("docker-oci.tar"))
                : InputStream.nullInputStream()) {
            return Converter.convert(source, image, objects, options, stdin).block();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fixtures")
    void convertsToTheExpectedTree(String source, String platform, String treeFile) throws IOException {
        Path image = tmp.resolve("image.cfs");
        Path objects = tmp.resolve("objects");
        ConvertResult r = convert(source, image, objects, options(platform));
        Listing expected = Listing.parse(FIXTURES.resolve(treeFile));

        assertThat(Listing.ofImage(ErofsReader.read(image), objects).render()).as("read back by ErofsReader")
                .isEqualTo(expected.render());
        assertThat(r.imageDigest()).hasSize(64);

        Tools.require("fsck.erofs");
        Tools.output("fsck.erofs", image.toString());

        Tools.requireKernelMounts();
        try (Tools.Mounts m = new Tools.Mounts()) {
            Listing mounted = Listing.ofDirectory(m.composefs(image, objects, tmp.resolve("mnt")));
            assertThat(mounted.render()).as("mounted by the kernel").isEqualTo(expected.render());
            assertThat(mounted.overlayXattrs).as("overlayfs shows none of its own xattrs").isEmpty();
        }
    }

    /** Fixtures with several layers, or hardlinks, or both; the per-layer images stacked by overlayfs. */
    static Stream<Arguments> layered() {
        return fixtures().filter(a -> {
            String ref = (String) a.get()[0];
            return ref.contains("basic") || ref.contains("whiteouts:latest") || ref.endsWith("docker-oci.tar");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layered")
    void perLayerImagesStackToTheSameTree(String source, String platform, String treeFile) throws IOException {
        Path image = tmp.resolve("image.cfs");
        Path objects = tmp.resolve("objects");
        Path layers = tmp.resolve("layers");
        ConvertResult r = convert(source, image, objects, options(platform).toBuilder().perLayerDir(layers).build());
        assertThat(r.layerImages()).hasSize(r.layers());
        try (Stream<Path> s = Files.list(layers)) {
            assertThat(s.sorted().toList()).isEqualTo(r.layerImages());
        }
        Tools.require("fsck.erofs");
        for (Path p : r.layerImages()) {
            Tools.output("fsck.erofs", p.toString());
        }
        Listing expected = Listing.parse(FIXTURES.resolve(treeFile));
        Tools.requireKernelMounts();
        try (Tools.Mounts m = new Tools.Mounts()) {
            Listing stacked = Listing.ofDirectory(stack(m, r.layerImages(), objects, tmp.resolve("mnt")));
            assertThat(stackedView(stacked, r.layers()).render())
                    .isEqualTo(stackedView(expected, r.layers()).render());
        }
    }

    /**
     * Mounts each per-layer image as composefs and stacks them, top first, under a read-only overlay (one
     * layer needs no stacking). Skips
     * if the kernel refuses an overlay whose lower layers are themselves overlays.
     */
    static Path stack(Tools.Mounts m, List<Path> layerImages, Path objects, Path dir) throws IOException {
        List<Path> lowers = new ArrayList<>();
        for (int i = 0; i < layerImages.size(); i++) {
            lowers.add(0, m.composefs(layerImages.get(i), objects, dir.resolve("layer" + i)));
        }
        if (lowers.size() == 1) {
            return lowers.get(0); // overlayfs wants two lower layers at least when read-only
        }
        try {
            return m.overlay(lowers, dir.resolve("stacked"));
        } catch (AssertionError e) {
            assumeTrue(false, "the kernel refuses an overlay of composefs overlays: " + e.getMessage());
            throw e;
        }
    }

    /**
     * What an overlay of several layers can be compared on: overlayfs reports nlink 1 for a directory merged
     * from several layers, since it does not count subdirectories, so directories' nlink is masked; and
     * composefs marks a directory holding whiteouts with {@code user.overlay.opaque=x} and
     * {@code user.overlay.whiteouts} (for an outer overlay mounted with {@code userxattr}), which an outer
     * overlay using {@code trusted.overlay.*} shows as plain xattrs, so those are left out. Without
     * {@code index=on} overlayfs cannot keep a hardlink whose names sit in different layers (a layer's link to
     * a lower file is a copy-up in its image) and reports the nlink of the layer's own inode, so files' nlink
     * and hardlink columns are masked too; the merged image keeps both exact.
     */
    static Listing stackedView(Listing listing, int layers) {
        if (layers == 1) {
            return listing;
        }
        return listing.with(Listing.NLINK, c -> "*")
                .with(Listing.HARDLINK, c -> "*")
                .with(Listing.XATTRS, c -> {
                    String kept = java.util.Arrays.stream(c.get(Listing.XATTRS).split(","))
                            .filter(x -> !x.startsWith("user.overlay.")).collect(Collectors.joining(","));
                    return kept.isEmpty() ? "-" : kept;
                });
    }
}
