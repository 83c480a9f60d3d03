package io.oci2cfs.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.image.Digest;
import io.oci2cfs.image.Platform;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the client reads manifests, what it refuses and why, against a stub registry. */
class ManifestChecksTest {
    private static final String CONFIG = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + "1".repeat(64)
            + "\"]}}";

    private static ResolvedManifest resolve(StubRegistry stub, String ref) {
        try (RegistryClient client = new RegistryClient(RegistryOptions.anonymous().withRetries(0, null))) {
            return client.resolve(DockerReference.parse("docker://" + stub.host() + "/" + ref),
                    Platform.parse("linux/amd64")).block();
        }
    }

    private static String manifest(String layerType) {
        Digest config = Digest.sha256(CONFIG.getBytes(StandardCharsets.UTF_8));
        return "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config + "\",\"size\":"
                + CONFIG.length() + "},\"layers\":[{\"mediaType\":\"" + layerType + "\",\"digest\":\"sha256:"
                + "2".repeat(64) + "\",\"size\":10}]}";
    }

    private static StubRegistry withConfig(StubRegistry stub) {
        Digest config = Digest.sha256(CONFIG.getBytes(StandardCharsets.UTF_8));
        return stub.serve("/v2/a/blobs/" + config, "application/octet-stream", CONFIG, Map.of());
    }

    @Test
    void schema1IsRefusedWithTheReason() throws Exception {
        try (StubRegistry stub = new StubRegistry()) {
            stub.serve("/v2/a/manifests/old", "application/vnd.docker.distribution.manifest.v1+prettyjws",
                    "{\"schemaVersion\":1,\"name\":\"a\",\"tag\":\"old\",\"fsLayers\":[]}", Map.of());
            assertThatThrownBy(() -> resolve(stub, "a:old"))
                    .hasMessageContaining("docker://" + stub.host() + "/a:old: manifest old is a Docker schema 1 manifest")
                    .hasMessageContaining("--format v2s2");
        }
    }

    @Test
    void encryptedLayersAreRefusedWithTheReason() throws Exception {
        try (StubRegistry stub = withConfig(new StubRegistry())) {
            stub.serve("/v2/a/manifests/enc", "application/vnd.oci.image.manifest.v1+json",
                    manifest("application/vnd.oci.image.layer.v1.tar+gzip+encrypted"), Map.of());
            assertThatThrownBy(() -> resolve(stub, "a:enc"))
                    .hasMessageContaining("docker://" + stub.host() + "/a:enc")
                    .hasMessageContaining("layer 0 is encrypted").hasMessageContaining("decrypt");
        }
    }

    @Test
    void byDigestTheContentMustMatch() throws Exception {
        try (StubRegistry stub = withConfig(new StubRegistry())) {
            Digest asked = Digest.parse("sha256:" + "3".repeat(64));
            stub.serve("/v2/a/manifests/" + asked, "application/vnd.oci.image.manifest.v1+json",
                    manifest("application/vnd.oci.image.layer.v1.tar+gzip"), Map.of());
            assertThatThrownBy(() -> resolve(stub, "a@" + asked)).hasMessageContaining("digest mismatch");
        }
    }

    @Test
    void byTagAWrongDigestHeaderOnlyWarns() throws Exception {
        try (StubRegistry stub = withConfig(new StubRegistry())) {
            String body = manifest("application/vnd.oci.image.layer.v1.tar+gzip");
            stub.serve("/v2/a/manifests/t", "application/vnd.oci.image.manifest.v1+json", body,
                    Map.of("Docker-Content-Digest", "sha256:" + "4".repeat(64)));
            ResolvedManifest m = resolve(stub, "a:t");
            assertThat(m.manifest().digest()).isEqualTo(Digest.sha256(body.getBytes(StandardCharsets.UTF_8)));
            assertThat(m.reference().digest()).isEqualTo(m.manifest().digest());
            assertThat(m.diffIds()).hasSize(1);
        }
    }

    @Test
    void contentTypeMustAgreeWithTheManifest() throws Exception {
        try (StubRegistry stub = withConfig(new StubRegistry())) {
            stub.serve("/v2/a/manifests/t", "application/vnd.docker.distribution.manifest.v2+json",
                    manifest("application/vnd.oci.image.layer.v1.tar+gzip"), Map.of());
            assertThatThrownBy(() -> resolve(stub, "a:t")).hasMessageContaining("differs from the manifest's mediaType");
        }
    }

    @Test
    void attestationEntriesAreSkippedAndMissingPlatformsListed() throws Exception {
        try (StubRegistry stub = new StubRegistry()) {
            String index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                    + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + "5".repeat(64)
                    + "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
                    + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + "6".repeat(64)
                    + "\",\"size\":1,\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}}]}";
            stub.serve("/v2/a/manifests/multi", "application/vnd.oci.image.index.v1+json", index, Map.of());
            assertThatThrownBy(() -> resolve(stub, "a:multi"))
                    .hasMessageContaining("no image for platform linux/amd64")
                    .hasMessageContaining("linux/arm64").hasMessageNotContaining("unknown/unknown");
        }
    }

    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    /** A stub serving an image under tag {@code t} and by digest, with {@code headers} on the tag's answer. */
    private static Digest serveTagged(StubRegistry stub, Map<String, String> headers) {
        String body = manifest("application/vnd.oci.image.layer.v1.tar+gzip");
        Digest digest = Digest.sha256(body.getBytes(StandardCharsets.UTF_8));
        stub.serve("/v2/a/manifests/t", OCI_MANIFEST, body, headers);
        stub.serve("/v2/a/manifests/" + digest, OCI_MANIFEST, body, Map.of("Docker-Content-Digest", digest.toString()));
        return digest;
    }

    @Test
    void aTagIsResolvedByHeadThenReadByDigest() throws Exception {
        try (StubRegistry stub = withConfig(new StubRegistry())) {
            Digest digest = Digest.sha256(manifest("application/vnd.oci.image.layer.v1.tar+gzip")
                    .getBytes(StandardCharsets.UTF_8));
            serveTagged(stub, Map.of("Docker-Content-Digest", digest.toString()));
            ResolvedManifest m = resolve(stub, "a:t");
            assertThat(m.manifest().digest()).isEqualTo(digest);
            assertThat(stub.requests()).filteredOn(r -> r.contains("/manifests/"))
                    .containsExactly("HEAD /v2/a/manifests/t", "GET /v2/a/manifests/" + digest);
        }
    }

    @Test
    void aRefusedHeadFallsBackToGetByTag() throws Exception {
        try (StubRegistry stub = withConfig(new StubRegistry())) {
            Digest digest = Digest.sha256(manifest("application/vnd.oci.image.layer.v1.tar+gzip")
                    .getBytes(StandardCharsets.UTF_8));
            serveTagged(stub, Map.of("Docker-Content-Digest", digest.toString()));
            stub.refuse("HEAD");
            assertThat(resolve(stub, "a:t").manifest().digest()).isEqualTo(digest);
            assertThat(stub.requests()).filteredOn(r -> r.contains("/manifests/"))
                    .containsExactly("HEAD /v2/a/manifests/t", "GET /v2/a/manifests/t");
        }
    }

    @Test
    void aHeadWithoutDigestFallsBackToGetByTag() throws Exception {
        try (StubRegistry stub = withConfig(new StubRegistry())) {
            Digest digest = serveTagged(stub, Map.of());
            assertThat(resolve(stub, "a:t").manifest().digest()).isEqualTo(digest);
            assertThat(stub.requests()).filteredOn(r -> r.contains("/manifests/"))
                    .containsExactly("HEAD /v2/a/manifests/t", "GET /v2/a/manifests/t");
        }
    }

    @Test
    void registryWarningsAreShownOnceEach() throws Exception {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (StubRegistry stub = withConfig(new StubRegistry())) {
            Map<String, String> warn = Map.of("Warning", "299 - \"this repository is deprecated\", "
                    + "299 - \"pulls end on \\\"Friday\\\"\", 199 - \"not for users\"");
            serveTagged(stub, warn);
            stub.serve("/v2/a/manifests/t", OCI_MANIFEST, manifest("application/vnd.oci.image.layer.v1.tar+gzip"), warn);
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            resolve(stub, "a:t"); // HEAD and GET by tag both carry them
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString(StandardCharsets.UTF_8).lines()).filteredOn(l -> l.contains("warning"))
                .hasSize(2)
                .anyMatch(l -> l.matches("warning: 127\\.0\\.0\\.1:\\d+: this repository is deprecated"))
                .anyMatch(l -> l.endsWith(": pulls end on \"Friday\""));
    }
}
