package io.oci2cfs.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.convert.ConvertOptions;
import io.oci2cfs.convert.ConvertResult;
import io.oci2cfs.convert.Converter;
import io.oci2cfs.image.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convert docker://} against a real registry (distribution 2.8) seeded by skopeo from the fixtures:
 * every image equals, byte for byte, the one converted from the same fixture as {@code oci:}.
 */
class RegistryPullTest {
    @TempDir
    static Path shared;
    static LoopbackRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void seed() throws IOException {
        LoopbackRegistry.requireTools();
        registry = LoopbackRegistry.start(shared, shared.resolve("data"), "", "");
        Path f = LoopbackRegistry.FIXTURES;
        registry.seed(shared, "oci:" + f.resolve("basic") + ":latest", "test/basic:oci", "--format", "oci");
        registry.seed(shared, "oci:" + f.resolve("basic") + ":latest", "test/basic:v2s2", "--format", "v2s2");
        registry.seed(shared, "oci:" + f.resolve("whiteouts") + ":latest", "test/whiteouts:latest");
        registry.seed(shared, "oci:" + f.resolve("multiarch") + ":multi", "test/multi:latest", "--all");
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    static ConvertOptions options(String platform) {
        return ConvertOptions.builder().platform(Platform.parse(platform)).build();
    }

    private ConvertResult convert(String source, String platform, RegistryOptions r, String name) {
        return Converter.convert(source, tmp.resolve(name + ".cfs"), tmp.resolve("objects-" + name),
                options(platform), r, InputStream.nullInputStream()).block();
    }

    private void assertSameAsOci(String docker, String oci, String platform) throws IOException {
        ConvertResult pulled = convert(docker, platform, RegistryOptions.anonymous(), "pulled");
        ConvertResult local = convert(oci, platform, null, "local");
        assertThat(Files.readAllBytes(pulled.image())).isEqualTo(Files.readAllBytes(local.image()));
        assertThat(pulled.pull().manifestDigest()).isNotNull();
        // the layers (skopeo may have compressed a plain one on push), and the config
        assertThat(pulled.pull().bytesDownloaded()).isGreaterThan(pulled.bytesRead());
        assertThat(pulled.pull().retries()).isZero();
        assertThat(pulled.pull().resumes()).isZero();
    }

    @Test
    void ociPushConvertsToTheSameImageAsTheLayout() throws IOException {
        assertSameAsOci("docker://" + registry.host() + "/test/basic:oci",
                "oci:" + LoopbackRegistry.FIXTURES.resolve("basic") + ":latest", "linux/amd64");
    }

    @Test
    void dockerV2s2PushConvertsToTheSameImage() throws IOException {
        assertSameAsOci("docker://" + registry.host() + "/test/basic:v2s2",
                "oci:" + LoopbackRegistry.FIXTURES.resolve("basic") + ":latest", "linux/amd64");
    }

    @Test
    void threeLayersOfEveryCompression() throws IOException {
        assertSameAsOci("docker://" + registry.host() + "/test/whiteouts",
                "oci:" + LoopbackRegistry.FIXTURES.resolve("whiteouts") + ":latest", "linux/amd64");
    }

    @Test
    void multiArchIndexPicksThePlatform() throws IOException {
        for (String platform : new String[] {"linux/amd64", "linux/arm64/v8"}) {
            assertSameAsOci("docker://" + registry.host() + "/test/multi:latest",
                    "oci:" + LoopbackRegistry.FIXTURES.resolve("multiarch") + ":multi", platform);
        }
    }

    @Test
    void aDeadMirrorFromRegistriesConfFallsBackToThePrimary() throws IOException {
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        Path conf = Files.writeString(tmp.resolve("registries.conf"), "[[registry]]\nprefix = \"" + registry.host()
                + "/test\"\nlocation = \"" + registry.host() + "/test\"\n[[registry.mirror]]\nlocation = \"127.0.0.1:"
                + dead + "/mirrored\"\ninsecure = true\n");
        io.oci2cfs.registry.config.Environment env = new io.oci2cfs.registry.config.Environment(
                java.util.Map.of("CONTAINERS_REGISTRIES_CONF", conf.toString()),
                Files.createDirectories(tmp.resolve("home")));
        RegistryOptions options = RegistryOptions.fromEnvironment(
                new io.oci2cfs.registry.auth.AuthOptions(null, null, true, null), null, null, env)
                .withRetries(1, java.time.Duration.ofMillis(10));
        ConvertResult pulled = convert("docker://" + registry.host() + "/test/basic:oci", "linux/amd64", options,
                "mirrored");
        ConvertResult local = convert("oci:" + LoopbackRegistry.FIXTURES.resolve("basic") + ":latest", "linux/amd64",
                null, "local");
        assertThat(Files.readAllBytes(pulled.image())).isEqualTo(Files.readAllBytes(local.image()));
        // the mirror was tried: its refused connection was retried once
        assertThat(pulled.pull().retries()).isEqualTo(1);
    }

    @Test
    void commandLineReportsThePull() throws IOException {
        Path image = tmp.resolve("cli.cfs");
        io.oci2cfs.testutil.Proc.Result r = io.oci2cfs.testutil.Cli.run("convert",
                "docker://" + registry.host() + "/test/multi", image.toString(), "--objects",
                tmp.resolve("objects").toString(), "--platform", "linux/arm64/v8", "--jobs", "1", "--retry-times", "1",
                "--retry-delay", "100ms", "--json");
        assertThat(r.code()).as(r.stderr()).isZero();
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.stdout());
        assertThat(json.path("pull").path("manifestDigest").asText()).startsWith("sha256:");
        assertThat(json.path("pull").path("bytesDownloaded").asLong()).isPositive();
        assertThat(json.path("pull").path("retries").asLong()).isZero();
        ConvertResult local = convert("oci:" + LoopbackRegistry.FIXTURES.resolve("multiarch") + ":multi",
                "linux/arm64/v8", null, "local");
        assertThat(Files.readAllBytes(image)).isEqualTo(Files.readAllBytes(local.image()));
    }

    @Test
    void commandLineErrorIsOneLine() {
        io.oci2cfs.testutil.Proc.Result r = io.oci2cfs.testutil.Cli.run("convert",
                "docker://" + registry.host() + "/test/absent:v1", tmp.resolve("x.cfs").toString(), "--objects",
                tmp.resolve("objects").toString());
        // what the registry does not have is the input's fault: exit 3 (FailureKind.BAD_INPUT)
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.stderr().strip()).doesNotContain("\n").isEqualTo("convert: docker://" + registry.host()
                + "/test/absent:v1: manifest v1: manifest unknown");
        assertThat(tmp.resolve("x.cfs")).doesNotExist();
    }

    @Test
    void unreachableRegistryIsTheEnvironmentsFault() throws IOException {
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        io.oci2cfs.testutil.Proc.Result r = io.oci2cfs.testutil.Cli.run("convert", "docker://127.0.0.1:" + dead
                + "/test/basic", tmp.resolve("x.cfs").toString(), "--objects", tmp.resolve("objects").toString(),
                "--retry-times", "0", "--no-creds");
        assertThat(r.code()).isEqualTo(5);
        assertThat(r.stderr().strip()).isEqualTo("convert: docker://127.0.0.1:" + dead
                + "/test/basic:latest: connection refused by 127.0.0.1:" + dead);
        io.oci2cfs.testutil.Proc.Result bad = io.oci2cfs.testutil.Cli.run("convert", "docker://Bad/Name",
                tmp.resolve("x.cfs").toString(), "--objects", tmp.resolve("objects").toString());
        assertThat(bad.code()).isEqualTo(3);
        assertThat(bad.stderr()).contains("docker://Bad/Name: invalid image reference: invalid repository name");
    }

    @Test
    void noMatchingPlatformListsThoseFound() {
        assertThatThrownBy(() -> convert("docker://" + registry.host() + "/test/multi:latest", "linux/s390x",
                RegistryOptions.anonymous(), "none"))
                .hasMessageContaining("docker://" + registry.host() + "/test/multi:latest")
                .hasMessageContaining("no image for platform linux/s390x")
                .hasMessageContaining("linux/amd64").hasMessageContaining("linux/arm64/v8");
        assertThat(tmp.resolve("none.cfs")).doesNotExist();
    }

    @Test
    void unknownTagIsManifestUnknown() {
        assertThatThrownBy(() -> convert("docker://" + registry.host() + "/test/basic:nope", "linux/amd64",
                RegistryOptions.anonymous(), "none"))
                .hasMessageContaining("docker://" + registry.host() + "/test/basic:nope")
                .hasMessageContaining("manifest unknown");
        assertThat(tmp.resolve("none.cfs")).doesNotExist();
    }
}
