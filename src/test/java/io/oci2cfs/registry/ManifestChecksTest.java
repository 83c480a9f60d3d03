package io.oci2cfs.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.image.Digest;
import io.oci2cfs.image.Platform;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the client refuses in manifests, and why, against a stub registry. */
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
}
