package io.oci2cfs.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oci2cfs.testutil.Cli;
import io.oci2cfs.testutil.OpenSsl;
import io.oci2cfs.testutil.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code seal --output docker://} and {@code verify-seal docker://} against distribution 2.8, which has no
 * referrers API: the pushed manifest is byte for byte the one {@code --output oci:} writes, skopeo reads it
 * and copies it to a layout where it verifies, and the signature artifact is found through the referrers tag
 * scheme. Token auth shows the push scope; a registry that refuses the push gives one line naming the reference.
 */
class SealPushTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOURCE = "oci:" + LoopbackRegistry.FIXTURES.resolve("basic") + ":latest";

    @TempDir
    static Path shared;
    static OpenSsl.Pair key;
    static OpenSsl.Pair foreign;
    static Path policy;

    @TempDir
    Path tmp;

    @BeforeAll
    static void keys() throws Exception {
        LoopbackRegistry.requireTools();
        OpenSsl.require();
        key = OpenSsl.rsaPair(shared, "sealer");
        foreign = OpenSsl.ecPair(shared, "stranger");
        policy = Files.writeString(shared.resolve("policy.json"),
                "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
    }

    private static Proc.Result ok(Proc.Result r) {
        assertThat(r.code()).as("%s", r).isZero();
        return r;
    }

    private static Proc.Result skopeo(String... args) {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "--policy", policy.toString()));
        cmd.addAll(List.of(args));
        return ok(Proc.run(cmd));
    }

    private static JsonNode json(byte[] bytes) throws Exception {
        return JSON.readTree(bytes);
    }

    /** The manifest blob of the layout's only image named {@code ref}. */
    private static byte[] layoutManifest(Path layout, String ref) throws Exception {
        for (JsonNode m : json(Files.readAllBytes(layout.resolve("index.json"))).path("manifests")) {
            if (ref.equals(m.path("annotations").path("org.opencontainers.image.ref.name").asText(null))) {
                return Files.readAllBytes(layout.resolve("blobs/sha256/"
                        + m.path("digest").asText().substring("sha256:".length())));
            }
        }
        throw new AssertionError(ref);
    }

    private static String sha256(byte[] data) throws Exception {
        return "sha256:" + java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** How many blob uploads the registry has started, from its access log. */
    private static long uploads(LoopbackRegistry registry) {
        return registry.log().stream().filter(l -> l.contains("\"POST /v2/test/sealed/blobs/uploads/ ")).count();
    }

    @Test
    void pushedSealIsTheLayoutsAndVerifiesFromTheRegistryAndAfterSkopeoCopy() throws Exception {
        try (LoopbackRegistry registry = LoopbackRegistry.start(tmp, tmp.resolve("data"), "", "")) {
            String ref = "docker://" + registry.host() + "/test/sealed:v1";
            Path layout = tmp.resolve("sealed");
            ok(Cli.run("seal", SOURCE, "--output", "oci:" + layout + ":v1", "--platform", "linux/amd64",
                    "--sign-key", key.key().toString(), "--sign-cert", key.cert().toString()));
            Proc.Result pushed = ok(Cli.run("seal", SOURCE, "--output", ref, "--platform", "linux/amd64",
                    "--sign-key", key.key().toString(), "--sign-cert", key.cert().toString()));

            // the same manifest as the layout's, annotations and label visible to skopeo
            byte[] expected = layoutManifest(layout, "v1");
            byte[] raw = skopeo("inspect", "--tls-verify=false", "--raw", ref).stdout();
            assertThat(raw).isEqualTo(expected);
            assertThat(pushed.out()).contains("sealed " + sha256(expected));
            JsonNode manifest = json(raw);
            JsonNode last = manifest.path("layers").get(manifest.path("layers").size() - 1);
            assertThat(last.path("annotations").path("composefs.merged.sha512-12").asText()).hasSize(128);
            JsonNode inspected = json(skopeo("inspect", "--tls-verify=false", ref).stdout());
            assertThat(inspected.path("Labels").path("containers.composefs.fsverity").asText())
                    .isEqualTo(last.path("annotations").path("composefs.merged.sha512-12").asText());

            // distribution 2.8 has no referrers API: the artifact is listed under the tag sha256-<hex>
            String tag = sha256(expected).replace(':', '-');
            JsonNode referrers = json(skopeo("inspect", "--tls-verify=false", "--raw",
                    "docker://" + registry.host() + "/test/sealed:" + tag).stdout());
            assertThat(referrers.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.index.v1+json");
            assertThat(referrers.path("manifests")).hasSize(1);
            JsonNode entry = referrers.path("manifests").get(0);
            assertThat(entry.path("artifactType").asText()).isEqualTo("application/vnd.composefs.signature.v1");
            JsonNode artifact = json(skopeo("inspect", "--tls-verify=false", "--raw",
                    "docker://" + registry.host() + "/test/sealed@" + entry.path("digest").asText()).stdout());
            assertThat(artifact.path("subject").path("digest").asText()).isEqualTo(sha256(expected));

            Proc.Result verified = ok(Cli.run("verify-seal", ref, "--platform", "linux/amd64",
                    "--cert", key.cert().toString()));
            assertThat(verified.out()).contains("seal holds").contains("signatures verified");
            Proc.Result stranger = Cli.run("verify-seal", ref, "--platform", "linux/amd64",
                    "--cert", foreign.cert().toString());
            assertThat(stranger.code()).as("%s", stranger).isNotZero();

            // pushing again to another tag: every blob is there already (HEAD), none is uploaded again, and the
            // referrers list keeps one entry
            long uploads = uploads(registry);
            assertThat(uploads).isGreaterThanOrEqualTo(4);
            ok(Cli.run("seal", SOURCE, "--output", "docker://" + registry.host() + "/test/sealed:v2",
                    "--platform", "linux/amd64", "--sign-key", key.key().toString(), "--sign-cert",
                    key.cert().toString()));
            assertThat(json(skopeo("inspect", "--tls-verify=false", "--raw",
                    "docker://" + registry.host() + "/test/sealed:" + tag).stdout()).path("manifests")).hasSize(1);
            assertThat(uploads(registry)).isEqualTo(uploads);

            // a reference by digest must name the sealed manifest
            String other = "docker://" + registry.host() + "/test/sealed@sha256:" + "0".repeat(64);
            Proc.Result byDigest = Cli.run("seal", SOURCE, "--output", other, "--platform", "linux/amd64");
            assertThat(byDigest.code()).isNotZero();
            assertThat(byDigest.stderr().strip()).doesNotContain("\n").contains(other + ": the sealed manifest has digest");

            // skopeo copies the image (not the artifact); our verify-seal of the copy holds
            Path copy = tmp.resolve("copy");
            skopeo("copy", "-q", "--src-tls-verify=false", ref, "oci:" + copy + ":c");
            assertThat(layoutManifest(copy, "c")).isEqualTo(expected);
            assertThat(ok(Cli.run("verify-seal", "oci:" + copy + ":c", "--platform", "linux/amd64")).out())
                    .contains("seal holds");
        }
    }

    @Test
    void aRegistryWithTheReferrersApiListsTheArtifactAndNoTagIsMade() throws Exception {
        try (LoopbackRegistry registry = LoopbackRegistry.start(tmp, tmp.resolve("data"), "", "");
                ReferrersProxy proxy = new ReferrersProxy(registry.host())) {
            String ref = "docker://" + proxy.host() + "/test/sealed:v1";
            Proc.Result pushed = ok(Cli.run("seal", SOURCE, "--output", ref, "--platform", "linux/amd64",
                    "--sign-key", key.key().toString(), "--sign-cert", key.cert().toString()));
            String digest = pushed.out().split(" ")[1];
            // the registry answered OCI-Subject: no referrers tag
            assertThat(proxy.requests()).noneMatch(r -> r.contains("/manifests/sha256-"));
            Proc.Result tag = Proc.run("skopeo", "inspect", "--tls-verify=false", "--raw",
                    "docker://" + registry.host() + "/test/sealed:" + digest.replace(':', '-'));
            assertThat(tag.code()).isNotZero();

            assertThat(ok(Cli.run("verify-seal", ref, "--platform", "linux/amd64", "--cert",
                    key.cert().toString())).out()).contains("signatures verified");
            assertThat(proxy.requests()).contains("GET /v2/test/sealed/referrers/" + digest);
        }
    }

    @Test
    void anUnsealedImageOnTheRegistryDoesNotVerify() throws Exception {
        try (LoopbackRegistry registry = LoopbackRegistry.start(tmp, tmp.resolve("data"), "", "")) {
            registry.seed(tmp, SOURCE, "test/plain:latest");
            Proc.Result r = Cli.run("verify-seal", "docker://" + registry.host() + "/test/plain:latest",
                    "--platform", "linux/amd64");
            assertThat(r.code()).isNotZero();
            assertThat(r.stderr()).contains("not sealed");
        }
    }

    @Test
    void tokenAuthIsAskedForPushAndAnonymousPushIsRefusedInOneLine() throws Exception {
        try (TokenServer tokens = new TokenServer("u", "secret", null);
                LoopbackRegistry registry = LoopbackRegistry.start(tmp, tmp.resolve("data"), "",
                        tokens.registryAuth(tokens.writeBundle(tmp.resolve("bundle.pem"))))) {
            String ref = "docker://" + registry.host() + "/test/sealed:v1";
            ok(Cli.run("seal", SOURCE, "--output", ref, "--platform", "linux/amd64", "--creds", "u:secret",
                    "--sign-key", key.key().toString(), "--sign-cert", key.cert().toString()));
            assertThat(tokens.requests()).anyMatch(r -> r.contains("scope=repository%3Atest%2Fsealed%3Apull%2Cpush"));
            assertThat(ok(Cli.run("verify-seal", ref, "--platform", "linux/amd64", "--creds", "u:secret",
                    "--cert", key.cert().toString())).out()).contains("signatures verified");

            Proc.Result refused = Cli.run("seal", SOURCE, "--output", ref, "--platform", "linux/amd64",
                    "--no-creds");
            assertThat(refused.code()).isNotZero();
            assertThat(refused.stderr().strip()).doesNotContain("\n").contains(ref + ": unauthorized")
                    .contains("refused anonymous access");
        }
    }

    @Test
    void htpasswdRegistryRefusingThePushNamesTheReferenceAndTheCredentials() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(LoopbackRegistry.installed("htpasswd"),
                "htpasswd (apache2-utils) is not installed; skipping");
        Proc.Result line = ok(Proc.run("htpasswd", "-Bbn", "u", "secret"));
        Path htpasswd = Files.writeString(tmp.resolve("htpasswd"), line.out().trim() + "\n");
        try (LoopbackRegistry registry = LoopbackRegistry.start(tmp, tmp.resolve("data"), "",
                "auth:\n  htpasswd: {realm: test-realm, path: " + htpasswd + "}\n")) {
            String ref = "docker://" + registry.host() + "/test/sealed:v1";
            Proc.Result refused = Cli.run("seal", SOURCE, "--output", ref, "--platform", "linux/amd64",
                    "--creds", "u:wrong");
            assertThat(refused.code()).isNotZero();
            assertThat(refused.stderr().strip()).doesNotContain("\n").contains(ref + ": push: blob sha256:")
                    .contains("unauthorized").contains("the credentials from --creds").doesNotContain("wrong");
            assertThat(uploads(registry)).isZero();

            ok(Cli.run("seal", SOURCE, "--output", ref, "--platform", "linux/amd64", "--creds", "u:secret"));
            assertThat(ok(Cli.run("verify-seal", ref, "--platform", "linux/amd64", "--creds", "u:secret")).out())
                    .contains("seal holds");
        }
    }
}
