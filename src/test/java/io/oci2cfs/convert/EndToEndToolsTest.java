package io.oci2cfs.convert;

import static org.assertj.core.api.Assertions.assertThat;

import io.oci2cfs.erofs.ErofsReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image built layer by layer with umoci (additions, deletions that umoci writes as whiteouts, a directory
 * deleted and recreated, and {@code umoci insert} layers, plain, opaque and whiteout, which end without tar
 * padding) and copied by skopeo into a docker archive and an OCI archive converts, in every form,
 * to the same image, whose tree is what {@code umoci unpack} makes of the same image.
 */
class EndToEndToolsTest {
    @TempDir
    Path tmp;

    @Test
    void umociImageThroughEveryFormMatchesUmociUnpack() throws Exception {
        Tools.require("umoci");
        Tools.require("skopeo");
        Path layout = tmp.resolve("L");
        String ref = layout + ":t";
        umoci("init", "--layout", layout.toString());
        umoci("new", "--image", ref);

        Path b1 = unpack(ref, "b1");
        Files.createDirectories(b1.resolve("etc"));
        Files.writeString(b1.resolve("etc/hello"), "hello\n");
        Files.write(b1.resolve("big"), "0123456789abcdef".repeat(8192).getBytes(StandardCharsets.US_ASCII));
        Files.createDirectories(b1.resolve("dir/sub"));
        Files.writeString(b1.resolve("dir/sub/file"), "x".repeat(200));
        Files.createSymbolicLink(b1.resolve("link"), Path.of("etc/hello"));
        Files.getFileAttributeView(b1.resolve("big"), UserDefinedFileAttributeView.class)
                .write("e2e", ByteBuffer.wrap("value".getBytes(StandardCharsets.US_ASCII)));
        Files.getFileAttributeView(b1.resolve("dir"), UserDefinedFileAttributeView.class)
                .write("dirattr", ByteBuffer.wrap("on".getBytes(StandardCharsets.US_ASCII)));
        Files.writeString(b1.resolve("gone"), "to be deleted\n");
        Files.createDirectories(b1.resolve("gonedir/deeper"));
        Files.writeString(b1.resolve("gonedir/deeper/f"), "deleted with its dir\n");
        Files.createDirectories(b1.resolve("opq"));
        Files.writeString(b1.resolve("opq/old1"), "old one\n");
        Files.writeString(b1.resolve("opq/old2"), "old two ".repeat(20));
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(1_600_000_000_000L);
        Files.setLastModifiedTime(b1.resolve("etc"), old);
        repack(ref, b1);

        Path b2 = unpack(ref, "b2");
        Files.delete(b2.resolve("gone"));
        deleteTree(b2.resolve("gonedir"));
        deleteTree(b2.resolve("opq"));
        Files.createDirectories(b2.resolve("opq"));
        Files.writeString(b2.resolve("opq/new"), "new content ".repeat(10));
        Files.writeString(b2.resolve("etc/added"), "second layer\n");
        Files.setLastModifiedTime(b2.resolve("etc"), old); // so umoci leaves etc/ out of the second layer
        repack(ref, b2);

        // umoci insert 0.4.7 ends its layers right after the last member's data, without padding or end blocks
        // (opencontainers/umoci#436): a plain insert, an opaque one replacing dir/'s contents, and a whiteout.
        Path single = Files.writeString(tmp.resolve("inserted.txt"), "inserted, 21 bytes ok");
        Path replacement = Files.createDirectories(tmp.resolve("replacement/inner"));
        Files.writeString(replacement.resolve("file"), "opaque replacement\n");
        umoci("insert", "--image", ref, single.toString(), "/etc/inserted");
        umoci("insert", "--image", ref, "--opaque", replacement.getParent().toString(), "/dir");
        umoci("insert", "--image", ref, "--whiteout", "/etc/hello");
        int layerCount = 5;

        Path docker = tmp.resolve("D.tar");
        Path oci = tmp.resolve("O.tar");
        Tools.output("skopeo", "copy", "--insecure-policy", "oci:" + ref, "docker-archive:" + docker + ":e2e:t");
        Tools.output("skopeo", "copy", "--insecure-policy", "oci:" + ref, "oci-archive:" + oci);

        Listing expected = Listing.ofDirectory(unpack(ref, "reference"));
        assertThat(expected.lines).containsKeys("/opq/new", "/etc/added", "/big", "/etc/inserted", "/dir/inner/file")
                .doesNotContainKeys("/gone", "/gonedir", "/opq/old1", "/opq/old2", "/dir/sub", "/etc/hello");

        List<String> digests = new ArrayList<>();
        Path objects = tmp.resolve("objects");
        String[][] forms = {{"oci:" + ref, null}, {"oci-archive:" + oci, null}, {"-", docker.toString()}};
        for (String[] form : forms) {
            Path image = tmp.resolve("image" + digests.size() + ".cfs");
            Tools.CliResult r;
            try (InputStream in = form[1] == null ? InputStream.nullInputStream()
                    : Files.newInputStream(Path.of(form[1]))) {
                r = Tools.cli(in, "convert", form[0], image.toString(), "--objects", objects.toString(),
                        "--platform", "linux/amd64", "--print-digest");
            }
            assertThat(r.exit()).as(form[0] + ": " + r.stderr()).isZero();
            digests.add(r.stdout().strip());
            assertThat(Listing.ofImage(ErofsReader.read(image), objects).render()).as(form[0])
                    .isEqualTo(expected.render());
        }
        assertThat(digests).as("oci, oci-archive, docker-archive on stdin").containsOnly(digests.get(0));
        assertThat(digests.get(0)).hasSize(64);

        Tools.requireKernelMounts();
        Path image = tmp.resolve("image0.cfs");
        try (Tools.Mounts m = new Tools.Mounts()) {
            assertThat(Listing.ofDirectory(m.composefs(image, objects, tmp.resolve("mnt"))).render())
                    .isEqualTo(expected.render());
        }

        Path layers = tmp.resolve("layers");
        ConvertResult pl = Converter.convert("oci:" + ref, tmp.resolve("pl.cfs"), objects,
                FixtureConversionTest.options("linux/amd64").toBuilder().perLayerDir(layers).build(),
                InputStream.nullInputStream())
                .block();
        assertThat(pl.layerImages()).hasSize(layerCount);
        try (Tools.Mounts m = new Tools.Mounts()) {
            Listing stacked = Listing.ofDirectory(FixtureConversionTest.stack(m, pl.layerImages(), objects,
                    tmp.resolve("stack")));
            assertThat(FixtureConversionTest.stackedView(stacked, layerCount).render())
                    .as("per-layer images stacked").isEqualTo(FixtureConversionTest.stackedView(expected, layerCount)
                            .render());
        }
    }

    private void umoci(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("umoci"));
        cmd.add(args[0]);
        if (!System.getProperty("user.name").equals("root") && (args[0].equals("unpack") || args[0].equals("repack"))) {
            cmd.add("--rootless");
        }
        cmd.addAll(List.of(args).subList(1, args.length));
        Tools.output(cmd.toArray(String[]::new));
    }

    /** Unpacks the image into a new bundle; returns its rootfs. */
    private Path unpack(String ref, String name) throws IOException {
        Path bundle = tmp.resolve(name);
        umoci("unpack", "--image", ref, bundle.toString());
        return bundle.resolve("rootfs");
    }

    private void repack(String ref, Path rootfs) throws IOException {
        umoci("repack", "--image", ref, rootfs.getParent().toString());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
