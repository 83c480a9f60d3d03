package io.oci2cfs.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images made by real tools (umoci, skopeo) resolve to the same layers through every source. */
class ToolInteropTest {
    private static final Platform AMD64 = Platform.parse("linux/amd64");

    @TempDir
    Path tmp;

    @Test
    void umociLayoutThroughSkopeoArchives() throws Exception {
        requireTool("umoci");
        requireTool("skopeo");
        Path layout = tmp.resolve("layout");
        Path bundle = tmp.resolve("bundle");
        run("umoci", "init", "--layout", layout.toString());
        run("umoci", "new", "--image", layout + ":t");
        run("umoci", "unpack", "--rootless", "--image", layout + ":t", bundle.toString());
        Files.writeString(bundle.resolve("rootfs/hello"), "hello\n");
        run("umoci", "repack", "--image", layout + ":t", bundle.toString());
        Path bundle2 = tmp.resolve("bundle2");
        run("umoci", "unpack", "--rootless", "--image", layout + ":t", bundle2.toString());
        Files.writeString(bundle2.resolve("rootfs/second"), "second layer\n");
        Files.delete(bundle2.resolve("rootfs/hello"));
        run("umoci", "repack", "--image", layout + ":t", bundle2.toString());

        ResolvedImage oci = Collector.read("oci:" + layout + ":t", AMD64, new Collector());
        assertThat(oci.layers()).hasSize(2);
        assertSameViaSkopeo("oci:" + layout + ":t", oci, true);
    }

    @Test
    void fixtureThroughSkopeoArchives() throws Exception {
        requireTool("skopeo");
        // skopeo refuses zstd layers in docker archives, so the gzip fixture it is
        String source = "oci:" + Path.of("oci-fixtures/basic").toAbsolutePath() + ":latest";
        assertSameViaSkopeo(source, Collector.read(source, AMD64, new Collector()), false);
    }

    /** skopeo copies {@code source} to a docker-archive and an oci-archive; each must resolve alike. */
    private void assertSameViaSkopeo(String source, ResolvedImage oci, boolean ociArchiveKeepsBlobs)
            throws Exception {
        Path docker = tmp.resolve("docker.tar");
        Path ociArchive = tmp.resolve("oci.tar");
        run("skopeo", "copy", "--insecure-policy", source, "docker-archive:" + docker + ":example/img:1");
        run("skopeo", "copy", "--insecure-policy", source, "oci-archive:" + ociArchive + ":t");
        List<Digest> diffIds = oci.layers().stream().map(ResolvedLayer::diffId).toList();

        for (String ref : List.of("docker-archive:" + docker, "docker-archive:" + docker + ":example/img:1",
                docker.toString())) {
            Collector c = new Collector();
            ResolvedImage image = Collector.read(ref, AMD64, c);
            assertThat(image.layers()).as(ref).extracting(ResolvedLayer::diffId).isEqualTo(diffIds);
            for (ResolvedLayer layer : image.layers()) {
                assertThat(Digest.sha256(c.data.get(layer.key()))).isEqualTo(layer.diffId());
            }
        }
        for (String ref : List.of("oci-archive:" + ociArchive + ":t", "oci-archive:" + ociArchive,
                ociArchive.toString())) {
            ResolvedImage image = Collector.read(ref, AMD64, new Collector());
            assertThat(image.layers()).as(ref).extracting(ResolvedLayer::diffId).isEqualTo(diffIds);
            if (ociArchiveKeepsBlobs) {
                assertThat(image.layers()).extracting(ResolvedLayer::digest)
                        .isEqualTo(oci.layers().stream().map(ResolvedLayer::digest).toList());
            }
        }
        assertThat(ImageSources.detect(ImageReference.parse(docker.toString())).kind())
                .isEqualTo(SourceKind.DOCKER_ARCHIVE);
        assertThat(ImageSources.detect(ImageReference.parse(ociArchive.toString())).kind())
                .isEqualTo(SourceKind.OCI_ARCHIVE);
    }

    private static void requireTool(String name) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            found |= Files.isExecutable(Path.of(dir, name));
        }
        assumeTrue(found, name + " is not installed; skipping");
    }

    private void run(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(command));
        Path log = tmp.resolve("tool.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .directory(tmp.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " timed out");
        }
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + Files.readString(log)).isZero();
    }
}
