package io.oci2cfs.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A layer larger than the heap streams from the registry into the store: {@code convert docker://} in a child
 * JVM at {@code -Xmx64m} pulls an uncompressed 128 MiB layer (one file of incompressible bytes), and while it
 * runs nothing but objects and the image appears on disk. {@code bin/bench --registry --memory} does the same
 * with 1 GiB at {@code -Xmx256m}.
 */
class PullMemoryTest {
    private static final long FILE_SIZE = 128L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.regex.Pattern NETTY_NATIVE = java.util.regex.Pattern.compile("libnetty_[a-z0-9_]+\\.so");

    @TempDir
    Path tmp;

    @Test
    void aLayerLargerThanTheHeapStreamsIntoTheStoreWithNoBlobOnDisk() throws Exception {
        LoopbackRegistry.requireTools();
        Path layout = Files.createDirectories(tmp.resolve("layout"));
        writeLayout(layout);
        Path data = Files.createDirectories(tmp.resolve("data"));
        try (LoopbackRegistry registry = LoopbackRegistry.start(tmp, data, "", "")) {
            registry.seed(tmp, "oci:" + layout + ":v1", "test/big:v1");
            Path out = Files.createDirectories(tmp.resolve("out"));
            Path objects = out.resolve("objects");
            Path javaTmp = Files.createDirectories(tmp.resolve("java-tmp"));
            Path cwd = Files.createDirectories(tmp.resolve("cwd"));
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED", "-Xlog:disable", "-Xmx64m",
                    "-Djava.io.tmpdir=" + javaTmp, "-cp", System.getProperty("java.class.path"), "io.oci2cfs.cli.Main",
                    "convert", "docker://" + registry.host() + "/test/big:v1", out.resolve("big.cfs").toString(),
                    "--objects", objects.toString(), "--json");
            Path stdout = tmp.resolve("stdout.json");
            Path stderr = tmp.resolve("stderr.txt");
            Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile()).start();
            Set<String> seen = new ConcurrentSkipListSet<>();
            while (!p.waitFor(50, TimeUnit.MILLISECONDS)) {
                seen.addAll(files(javaTmp));
                seen.addAll(files(cwd));
                files(out).stream().filter(f -> !f.startsWith(objects.toString())).forEach(f -> seen.add(f));
            }
            assertThat(p.exitValue()).as(Files.readString(stderr)).isZero();
            JsonNode report = JSON.readTree(stdout.toFile());
            assertThat(report.get("bytesStored").asLong()).isEqualTo(FILE_SIZE);
            assertThat(report.path("pull").get("bytesDownloaded").asLong()).isGreaterThan(FILE_SIZE);

            // the image is written through a staging name in its directory, and Netty unpacks its native transport
            // library into java.io.tmpdir (deleted once loaded); nothing else may appear anywhere
            assertThat(seen).allMatch(f -> f.startsWith(out.toString()) && f.contains("big.cfs")
                    || f.startsWith(javaTmp.toString()) && NETTY_NATIVE.matcher(Path.of(f).getFileName().toString()).matches());
            assertThat(files(javaTmp)).isEmpty();
            assertThat(files(cwd)).isEmpty();
            // besides objects, the store holds only its (empty) lock file
            List<String> stored = files(objects).stream().filter(f -> !f.equals(objects.resolve(".lock").toString()))
                    .toList();
            assertThat(objects.resolve(".lock").toFile().length()).isZero();
            assertThat(stored).isNotEmpty().allMatch(f -> objects.relativize(Path.of(f)).toString()
                    .matches("[0-9a-f]{2}/[0-9a-f]{62}"));
            assertThat(stored.stream().mapToLong(f -> Path.of(f).toFile().length()).max().orElse(0))
                    .isEqualTo(FILE_SIZE);
        }
    }

    /** The regular files under {@code dir}, as absolute paths. */
    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(Path::toString).toList();
        } catch (java.io.UncheckedIOException e) {
            return List.of(); // a file went away while listed: the next round sees the new state
        }
    }

    /** An OCI layout whose image {@code v1} has one uncompressed layer holding one file of noise. */
    private static void writeLayout(Path layout) throws Exception {
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        Path layer = blobs.resolve("layer.tmp");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (OutputStream file = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(layer), 1 << 16), sha);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
            TarArchiveEntry e = new TarArchiveEntry("data/noise.bin");
            e.setSize(FILE_SIZE);
            tar.putArchiveEntry(e);
            SplittableRandom rnd = new SplittableRandom(5);
            byte[] chunk = new byte[1 << 20];
            for (long left = FILE_SIZE; left > 0; left -= chunk.length) {
                rnd.nextBytes(chunk);
                tar.write(chunk);
            }
            tar.closeArchiveEntry();
            tar.finish();
        }
        String layerHex = HexFormat.of().formatHex(sha.digest());
        long layerSize = Files.size(layer);
        Files.move(layer, blobs.resolve(layerHex));
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\"sha256:" + layerHex + "\"]}}";
        String configHex = put(blobs, config);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
                + configHex + "\",\"size\":" + config.length() + "},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:" + layerHex + "\",\"size\":"
                + layerSize + "}]}";
        String manifestHex = put(blobs, manifest);
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + manifestHex + "\",\"size\":"
                + manifest.length() + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}]}");
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    private static String put(Path blobs, String json) throws Exception {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        Files.write(blobs.resolve(hex), b);
        return hex;
    }
}
