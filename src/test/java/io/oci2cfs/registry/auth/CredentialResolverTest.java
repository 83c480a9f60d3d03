package io.oci2cfs.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.registry.config.Environment;
import io.oci2cfs.testutil.Proc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credential lookup against auth files in a temporary HOME and XDG directories, and a fake
 * {@code docker-credential-test} helper on a temporary PATH that logs the server URLs it is asked for.
 */
class CredentialResolverTest {

    /** Answers by server URL, like a real helper: JSON on stdout, or "not found" with exit 1. */
    private static final String HELPER = """
            #!/bin/sh
            [ "$1" = get ] || { echo "unknown action $1" >&2; exit 2; }
            url=$(cat)
            echo "$url" >> "$HELPER_LOG"
            case "$url" in
              https://index.docker.io/v1/) echo '{"ServerURL":"https://index.docker.io/v1/","Username":"hubuser","Secret":"hub-secret"}' ;;
              token.example.com) printf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh-123"}\\n' "$url" ;;
              helper.example.com|store.example.com) printf '{"ServerURL":"%s","Username":"helperuser","Secret":"helper-secret"}\\n' "$url" ;;
              broken.example.com) echo "keychain is locked" >&2; exit 3 ;;
              garbage.example.com) echo "user:hunter2 not json" ;;
              slow.example.com) exec sleep 30 ;;
              *) echo "credentials not found in native keychain"; exit 1 ;;
            esac
            """;

    @TempDir
    Path dir;
    Path home;
    Path runtime;
    Path bin;
    Path helperLog;
    Map<String, String> vars;
    List<String> warnings;

    @BeforeEach
    void setUp() throws IOException {
        home = Files.createDirectories(dir.resolve("home"));
        runtime = Files.createDirectories(dir.resolve("run"));
        bin = Files.createDirectories(dir.resolve("bin"));
        helperLog = dir.resolve("helper.log");
        Path helper = bin.resolve("docker-credential-test");
        Files.writeString(helper, HELPER);
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
        vars = new HashMap<>(Map.of("XDG_RUNTIME_DIR", runtime.toString(), "PATH", bin + ":/usr/bin:/bin",
                "HELPER_LOG", helperLog.toString()));
        warnings = new ArrayList<>();
    }

    private CredentialResolver resolver(AuthOptions options) {
        return new CredentialResolver(options, new Environment(vars, home), warnings::add);
    }

    private FoundCredential lookup(String host, String repository) throws IOException {
        return resolver(AuthOptions.none()).lookup(host, repository);
    }

    private static String auth(String userColonPassword) {
        return Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(Path file, String json) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, json);
        return file;
    }

    private Path runtimeAuth() {
        return runtime.resolve("containers/auth.json");
    }

    private Path configAuth() {
        return home.resolve(".config/containers/auth.json");
    }

    private Path dockerConfig() {
        return home.resolve(".docker/config.json");
    }

    private List<String> helperCalls() throws IOException {
        return Files.exists(helperLog) ? Files.readAllLines(helperLog) : List.of();
    }

    @Test
    void commandLineOptionsComeFirst() throws IOException {
        write(runtimeAuth(), "{\"auths\":{\"quay.io\":{\"auth\":\"" + auth("file:pw") + "\"}}}");
        assertThat(resolver(new AuthOptions("alice:s3:cret", null, false, null)).lookup("quay.io", "a/b"))
                .isEqualTo(new FoundCredential(new Credential.Basic("alice", "s3:cret"), "--creds"));
        assertThat(resolver(new AuthOptions("alice:", null, false, null)).lookup("quay.io", "a/b").credential())
                .isEqualTo(new Credential.Basic("alice", ""));
        assertThat(resolver(new AuthOptions(null, "tok", false, null)).lookup("quay.io", "a/b"))
                .isEqualTo(new FoundCredential(new Credential.BearerToken("tok"), "--registry-token"));
        assertThat(resolver(new AuthOptions(null, null, true, null)).lookup("quay.io", "a/b"))
                .isEqualTo(new FoundCredential(new Credential.Anonymous(), "--no-creds"));
        assertThat(lookup("quay.io", "a/b").credential()).isEqualTo(new Credential.Basic("file", "pw"));
    }

    @Test
    void badCommandLineOptionsAreRefused() {
        assertThatThrownBy(() -> resolver(new AuthOptions("alice", null, false, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--creds: give USER:PASSWORD (no password prompt; USER: for an empty password)");
        assertThatThrownBy(() -> resolver(new AuthOptions(":pw", null, false, null)))
                .hasMessage("--creds: the user name is empty");
        assertThatThrownBy(() -> resolver(new AuthOptions("a:b", null, true, null)))
                .hasMessage("--creds, --registry-token and --no-creds exclude each other");
        assertThatThrownBy(() -> resolver(new AuthOptions("a:b", "t", false, null)))
                .hasMessage("--creds, --registry-token and --no-creds exclude each other");
    }

    @Test
    void defaultFilesInPodmansOrder() throws IOException {
        write(runtimeAuth(), "{\"auths\":{\"one.io\":{\"auth\":\"" + auth("runtime:1") + "\"}}}");
        write(configAuth(), "{\"auths\":{\"one.io\":{\"auth\":\"" + auth("config:1") + "\"},"
                + "\"two.io\":{\"auth\":\"" + auth("config:2") + "\"}}}");
        write(dockerConfig(), "{\"auths\":{\"one.io\":{\"auth\":\"" + auth("docker:1") + "\"},"
                + "\"two.io\":{\"auth\":\"" + auth("docker:2") + "\"},"
                + "\"three.io\":{\"auth\":\"" + auth("docker:3") + "\"}}}");
        write(home.resolve(".dockercfg"), "{\"https://four.io/v1/\":{\"auth\":\"" + auth("legacy:4")
                + "\",\"email\":\"x@y\"},\"three.io\":{\"auth\":\"" + auth("legacy:3") + "\"}}");

        assertThat(lookup("one.io", "r")).isEqualTo(new FoundCredential(new Credential.Basic("runtime", "1"),
                runtimeAuth() + " (auths: one.io)"));
        assertThat(lookup("two.io", "r")).isEqualTo(new FoundCredential(new Credential.Basic("config", "2"),
                configAuth() + " (auths: two.io)"));
        assertThat(lookup("three.io", "r")).isEqualTo(new FoundCredential(new Credential.Basic("docker", "3"),
                dockerConfig() + " (auths: three.io)"));
        assertThat(lookup("four.io", "r")).isEqualTo(new FoundCredential(new Credential.Basic("legacy", "4"),
                home.resolve(".dockercfg") + " (auths: https://four.io/v1/)"));
        FoundCredential none = lookup("five.io", "r");
        assertThat(none.credential()).isEqualTo(new Credential.Anonymous());
        assertThat(none.source()).isEqualTo("none found for five.io in " + runtimeAuth() + ", " + configAuth() + ", "
                + dockerConfig() + ", " + home.resolve(".dockercfg"));
    }

    @Test
    void xdgConfigHomeMovesTheContainersFile() throws IOException {
        Path xdg = dir.resolve("xdg");
        vars.put("XDG_CONFIG_HOME", xdg.toString());
        write(configAuth(), "{\"auths\":{\"one.io\":{\"auth\":\"" + auth("ignored:1") + "\"}}}");
        write(xdg.resolve("containers/auth.json"), "{\"auths\":{\"one.io\":{\"auth\":\"" + auth("xdg:1") + "\"}}}");
        assertThat(lookup("one.io", "r").credential()).isEqualTo(new Credential.Basic("xdg", "1"));
    }

    @Test
    void dockerConfigIsTheOnlyFileAsPodmansAuthfileDefault() throws IOException {
        Path docker = dir.resolve("dockercfg");
        vars.put("DOCKER_CONFIG", docker.toString());
        write(runtimeAuth(), "{\"auths\":{\"one.io\":{\"auth\":\"" + auth("runtime:1") + "\"}}}");
        write(dockerConfig(), "{\"auths\":{\"two.io\":{\"auth\":\"" + auth("ignored:2") + "\"}}}");
        assertThat(lookup("one.io", "r"))
                .isEqualTo(new FoundCredential(new Credential.Anonymous(), "none found for one.io in "
                        + docker.resolve("config.json")));
        write(docker.resolve("config.json"), "{\"auths\":{\"two.io\":{\"auth\":\"" + auth("dc:2") + "\"}}}");
        assertThat(lookup("two.io", "r").credential()).isEqualTo(new Credential.Basic("dc", "2"));
        vars.put("REGISTRY_AUTH_FILE", runtimeAuth().toString());
        assertThat(lookup("one.io", "r").credential()).isEqualTo(new Credential.Basic("runtime", "1"));
    }

    @Test
    void withoutXdgRuntimeDirTheRunContainersFileIsFirst() throws IOException {
        vars.remove("XDG_RUNTIME_DIR");
        List<CredentialResolver.AuthFile> files = resolver(AuthOptions.none()).authFiles();
        assertThat(files.get(0).path().toString()).matches("/run/containers/\\d+/auth\\.json");
        assertThat(files).extracting(CredentialResolver.AuthFile::path).containsSubsequence(configAuth(),
                dockerConfig(), home.resolve(".dockercfg"));

        vars.put("XDG_RUNTIME_DIR", dir.resolve("gone").toString());
        assertThat(resolver(AuthOptions.none()).authFiles()).extracting(CredentialResolver.AuthFile::path)
                .containsExactly(configAuth(), dockerConfig(), home.resolve(".dockercfg"));
        assertThat(warnings).containsExactly("XDG_RUNTIME_DIR " + dir.resolve("gone")
                + " does not exist; not reading auth.json there");
    }

    @Test
    void anExplicitAuthFileIsTheOnlyOne() throws IOException {
        write(runtimeAuth(), "{\"auths\":{\"one.io\":{\"auth\":\"" + auth("runtime:1") + "\"}}}");
        Path explicit = write(dir.resolve("explicit.json"), "{\"auths\":{\"two.io\":{\"auth\":\"" + auth("x:2") + "\"}}}");
        Path other = write(dir.resolve("other.json"), "{\"auths\":{\"two.io\":{\"auth\":\"" + auth("env:2") + "\"}}}");
        vars.put("REGISTRY_AUTH_FILE", other.toString());

        CredentialResolver withFlag = resolver(new AuthOptions(null, null, false, explicit));
        assertThat(withFlag.lookup("two.io", "r").credential()).isEqualTo(new Credential.Basic("x", "2"));
        assertThat(withFlag.lookup("one.io", "r"))
                .isEqualTo(new FoundCredential(new Credential.Anonymous(), "none found for one.io in " + explicit));

        assertThat(lookup("two.io", "r").credential()).isEqualTo(new Credential.Basic("env", "2"));
        assertThat(lookup("one.io", "r").credential()).isEqualTo(new Credential.Anonymous());

        Path missing = dir.resolve("missing.json");
        assertThatThrownBy(() -> resolver(new AuthOptions(null, null, false, missing)).lookup("one.io", "r"))
                .hasMessage("--authfile " + missing + ": no such file");
        vars.put("REGISTRY_AUTH_FILE", missing.toString());
        assertThatThrownBy(() -> lookup("one.io", "r")).hasMessage("REGISTRY_AUTH_FILE " + missing + ": no such file");
    }

    @Test
    void mostSpecificAuthsKeyWins() throws IOException {
        write(configAuth(), "{\"auths\":{"
                + "\"quay.io\":{\"auth\":\"" + auth("host:0") + "\"},"
                + "\"quay.io/ns\":{\"auth\":\"" + auth("ns:1") + "\"},"
                + "\"quay.io/ns/repo\":{\"auth\":\"" + auth("repo:2") + "\"},"
                + "\"quay.io/ns/repo/deeper\":{\"auth\":\"" + auth("deeper:3") + "\"}}}");
        assertThat(lookup("quay.io", "ns/repo")).isEqualTo(new FoundCredential(new Credential.Basic("repo", "2"),
                configAuth() + " (auths: quay.io/ns/repo)"));
        assertThat(lookup("quay.io", "ns/other").credential()).isEqualTo(new Credential.Basic("ns", "1"));
        assertThat(lookup("quay.io", "nsx/repo").credential()).isEqualTo(new Credential.Basic("host", "0"));
        assertThat(lookup("quay.io", "ns/repo/deeper").credential()).isEqualTo(new Credential.Basic("deeper", "3"));
    }

    @Test
    void keysAreNormalisedAndDockerHubHasThreeNames() throws IOException {
        write(dockerConfig(), "{\"auths\":{"
                + "\"https://index.docker.io/v1/\":{\"auth\":\"" + auth("hub:pw") + "\"},"
                + "\"http://registry.example.com:5000/v2/\":{\"auth\":\"" + auth("scheme:pw") + "\"},"
                + "\"other.example.com/v1/\":{\"auth\":\"" + auth("namespace:pw") + "\"}}}");
        assertThat(lookup("docker.io", "library/alpine")).isEqualTo(new FoundCredential(
                new Credential.Basic("hub", "pw"), dockerConfig() + " (auths: https://index.docker.io/v1/)"));
        assertThat(lookup("registry-1.docker.io", "library/alpine").credential())
                .isEqualTo(new Credential.Basic("hub", "pw"));
        assertThat(lookup("registry.example.com:5000", "x").credential())
                .isEqualTo(new Credential.Basic("scheme", "pw"));
        // a key without a scheme keeps its path: it names a namespace, not the host
        assertThat(lookup("other.example.com", "x").credential()).isEqualTo(new Credential.Anonymous());

        write(dockerConfig(), "{\"auths\":{\"docker.io\":{\"auth\":\"" + auth("short:pw") + "\"}}}");
        assertThat(lookup("docker.io", "library/alpine").credential()).isEqualTo(new Credential.Basic("short", "pw"));
        write(dockerConfig(), "{\"auths\":{\"registry-1.docker.io\":{\"auth\":\"" + auth("r1:pw") + "\"}}}");
        assertThat(lookup("docker.io", "library/alpine").credential()).isEqualTo(new Credential.Basic("r1", "pw"));
    }

    @Test
    void authEntryDecoding() throws IOException {
        write(configAuth(), "{\"auths\":{"
                + "\"nul.io\":{\"auth\":\"" + auth("user:pass\0\0") + "\"},"
                + "\"token.io\":{\"auth\":\"" + auth("tokuser:") + "\",\"identitytoken\":\"refresh-abc\"},"
                + "\"onlytoken.io\":{\"identitytoken\":\"refresh-def\"},"
                + "\"nocolon.io\":{\"auth\":\"" + auth("justauser") + "\"},"
                + "\"badb64.io\":{\"auth\":\"%%%\"}}}");
        assertThat(lookup("nul.io", "r").credential()).isEqualTo(new Credential.Basic("user", "pass"));
        assertThat(lookup("token.io", "r").credential()).isEqualTo(new Credential.IdentityToken("tokuser", "refresh-abc"));
        assertThat(lookup("onlytoken.io", "r").credential()).isEqualTo(new Credential.IdentityToken("", "refresh-def"));
        assertThat(lookup("nocolon.io", "r").credential()).isEqualTo(new Credential.Anonymous());
        assertThat(warnings).containsExactly(configAuth() + ": auths entry \"nocolon.io\": auth has no ':' between user"
                + " and password; ignored");
        assertThatThrownBy(() -> lookup("badb64.io", "r"))
                .hasMessage(configAuth() + ": auths entry \"badb64.io\": auth is not valid base64");
    }

    @Test
    void credHelpersAskTheHelperWithDockersServerUrl() throws IOException {
        write(dockerConfig(), "{\"auths\":{\"helper.example.com\":{\"auth\":\"" + auth("inline:pw") + "\"}},"
                + "\"credHelpers\":{\"docker.io\":\"test\",\"helper.example.com\":\"test\","
                + "\"token.example.com\":\"test\",\"nothere.example.com\":\"test\"}}");
        write(home.resolve(".dockercfg"), "{\"nothere.example.com\":{\"auth\":\"" + auth("legacy:pw") + "\"}}");

        assertThat(lookup("docker.io", "library/alpine")).isEqualTo(new FoundCredential(
                new Credential.Basic("hubuser", "hub-secret"), dockerConfig() + " (credHelpers: test)"));
        assertThat(lookup("helper.example.com", "r").credential())
                .isEqualTo(new Credential.Basic("helperuser", "helper-secret"));
        assertThat(lookup("token.example.com", "r").credential())
                .isEqualTo(new Credential.IdentityToken("", "refresh-123"));
        // "credentials not found": the next file is asked
        assertThat(lookup("nothere.example.com", "r").credential()).isEqualTo(new Credential.Basic("legacy", "pw"));
        assertThat(helperCalls()).containsExactly("https://index.docker.io/v1/", "helper.example.com",
                "token.example.com", "nothere.example.com");
        assertThat(warnings).isEmpty();
    }

    @Test
    void helperAnswersAreCachedPerHostForTheResolversLife() throws IOException {
        write(configAuth(), "{\"credHelpers\":{\"helper.example.com\":\"test\",\"nothere.example.com\":\"test\"}}");
        CredentialResolver resolver = resolver(AuthOptions.none());
        for (int i = 0; i < 3; i++) {
            assertThat(resolver.lookup("helper.example.com", "repo" + i).credential())
                    .isEqualTo(new Credential.Basic("helperuser", "helper-secret"));
            assertThat(resolver.lookup("nothere.example.com", "repo" + i).credential())
                    .isEqualTo(new Credential.Anonymous());
        }
        assertThat(helperCalls()).containsExactly("helper.example.com", "nothere.example.com");
        resolver(AuthOptions.none()).lookup("helper.example.com", "r");
        assertThat(helperCalls()).hasSize(3);
    }

    @Test
    void credsStoreIsAskedWhenTheFileHasNoInlineCredential() throws IOException {
        write(dockerConfig(), "{\"credsStore\":\"test\",\"auths\":{"
                + "\"store.example.com\":{},"
                + "\"inline.example.com\":{\"auth\":\"" + auth("inline:pw") + "\"}}}");
        assertThat(lookup("store.example.com", "r")).isEqualTo(new FoundCredential(
                new Credential.Basic("helperuser", "helper-secret"), dockerConfig() + " (credsStore: test)"));
        assertThat(lookup("inline.example.com", "r").credential()).isEqualTo(new Credential.Basic("inline", "pw"));
        assertThat(lookup("docker.io", "library/alpine").credential())
                .isEqualTo(new Credential.Basic("hubuser", "hub-secret"));
        assertThat(lookup("unknown.example.com", "r").credential()).isEqualTo(new Credential.Anonymous());
        assertThat(helperCalls()).containsExactly("store.example.com", "https://index.docker.io/v1/",
                "unknown.example.com");
    }

    @Test
    void aMissingHelperWarnsAndFallsThrough() throws IOException {
        write(configAuth(), "{\"credHelpers\":{\"quay.io\":\"ecr-login\"}}");
        write(dockerConfig(), "{\"credsStore\":\"desktop\"}");
        assertThat(lookup("quay.io", "r").credential()).isEqualTo(new Credential.Anonymous());
        assertThat(warnings).containsExactly(
                "docker-credential-ecr-login is not on PATH; no credentials from it for quay.io",
                "docker-credential-desktop is not on PATH; no credentials from it for quay.io");
    }

    @Test
    void helperFailuresAreOneLineErrorsWithoutTheSecret() throws IOException {
        write(configAuth(), "{\"credHelpers\":{\"broken.example.com\":\"test\",\"garbage.example.com\":\"test\","
                + "\"evil.example.com\":\"../../bin/sh\"}}");
        assertThatThrownBy(() -> lookup("broken.example.com", "r"))
                .hasMessage("docker-credential-test get broken.example.com failed (exit 3): keychain is locked");
        assertThatThrownBy(() -> lookup("garbage.example.com", "r"))
                .hasMessage("docker-credential-test get garbage.example.com: the answer is not JSON");
        assertThatThrownBy(() -> lookup("evil.example.com", "r"))
                .hasMessage("credential helper name \"../../bin/sh\" is not a plain program name suffix");
    }

    @Test
    void aHelperThatDoesNotAnswerIsStopped() {
        HelperProcess helper = new HelperProcess(new Environment(vars, home), warnings::add, Duration.ofSeconds(1));
        assertThatThrownBy(() -> helper.get("test", "slow.example.com"))
                .hasMessage("docker-credential-test get slow.example.com: no answer after 1 s");
    }

    @Test
    void badFilesNameTheFile() throws IOException {
        write(configAuth(), "{\"auths\": {\"quay.io\": ");
        assertThatThrownBy(() -> lookup("quay.io", "r"))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(configAuth() + ": invalid JSON: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        write(configAuth(), "{\"auths\": []}");
        assertThatThrownBy(() -> lookup("quay.io", "r")).hasMessage(configAuth() + ": \"auths\" is not an object");
        write(configAuth(), "[]");
        assertThatThrownBy(() -> lookup("quay.io", "r")).hasMessage(configAuth() + ": not a JSON object");
    }

    /**
     * The same files and environments given to skopeo (containers/image): {@code skopeo login --get-login REF}
     * prints the user name it would use, which must be ours. (Docker Hub's helper URL and credsStore are
     * deliberate deviations and left out.)
     */
    @Test
    void agreesWithSkopeo() throws IOException {
        Assumptions.assumeTrue(Proc.has("skopeo"), "skopeo is not installed; skipping");
        write(runtimeAuth(), "{\"auths\":{\"one.io\":{\"auth\":\"" + auth("runtime1:p") + "\"}}}");
        write(configAuth(), "{\"auths\":{"
                + "\"one.io\":{\"auth\":\"" + auth("config1:p") + "\"},"
                + "\"two.io\":{\"auth\":\"" + auth("config2:p") + "\"},"
                + "\"quay.io\":{\"auth\":\"" + auth("quayhost:p") + "\"},"
                + "\"quay.io/ns\":{\"auth\":\"" + auth("quayns:p") + "\"},"
                + "\"quay.io/ns/repo\":{\"auth\":\"" + auth("quayrepo:p") + "\"}},"
                + "\"credHelpers\":{\"helper.example.com\":\"test\",\"nothere.example.com\":\"test\"}}");
        write(dockerConfig(), "{\"auths\":{"
                + "\"two.io\":{\"auth\":\"" + auth("docker2:p") + "\"},"
                + "\"three.io\":{\"auth\":\"" + auth("docker3:p") + "\"},"
                + "\"https://index.docker.io/v1/\":{\"auth\":\"" + auth("hub:p") + "\"},"
                + "\"http://registry.example.com:5000/v2/\":{\"auth\":\"" + auth("scheme:p") + "\"},"
                + "\"nothere.example.com\":{\"auth\":\"" + auth("docker-nothere:p") + "\"}}}");
        write(home.resolve(".dockercfg"), "{\"https://four.io/v1/\":{\"auth\":\"" + auth("legacy4:p") + "\"}}");
        assertSameLogins(List.of("one.io/r", "two.io/r", "three.io/r", "four.io/r", "five.io/r", "quay.io/ns/repo",
                "quay.io/ns/other", "quay.io/nsx/r", "docker.io/library/alpine", "registry.example.com:5000/x",
                "helper.example.com/r", "nothere.example.com/r"));

        vars.put("XDG_CONFIG_HOME", dir.resolve("elsewhere").toString());
        assertSameLogins(List.of("one.io/r", "two.io/r", "quay.io/ns/repo", "helper.example.com/r", "four.io/r"));

        // Only what the named file holds is compared: skopeo 1.9.3's containers/image (before 5.24) still fell
        // back to the default files after a named one, which current podman and we do not.
        vars.put("DOCKER_CONFIG", dockerConfig().getParent().toString());
        assertSameLogins(List.of("two.io/r", "three.io/r", "docker.io/library/alpine", "registry.example.com:5000/x",
                "nothere.example.com/r"));
        vars.put("REGISTRY_AUTH_FILE", configAuth().toString());
        assertSameLogins(List.of("one.io/r", "two.io/r", "quay.io/ns/repo", "quay.io/ns/other", "quay.io/nsx/r",
                "helper.example.com/r"));
    }

    private void assertSameLogins(List<String> refs) throws IOException {
        Map<String, String> skopeoEnv = new HashMap<>(vars);
        skopeoEnv.put("HOME", home.toString());
        for (String unset : List.of("XDG_CONFIG_HOME", "DOCKER_CONFIG", "REGISTRY_AUTH_FILE")) {
            skopeoEnv.putIfAbsent(unset, null);
        }
        for (String ref : refs) {
            Proc.Result skopeo = Proc.run(List.of("skopeo", "login", "--get-login", ref), skopeoEnv, null);
            String theirs = skopeo.code() == 0 ? skopeo.out().strip() : "(none)";
            int slash = ref.indexOf('/');
            Credential ours = lookup(ref.substring(0, slash), ref.substring(slash + 1)).credential();
            assertThat(ours instanceof Credential.Basic b ? b.user() : "(none)").as("%s with %s (skopeo: %s)", ref,
                    vars, skopeo).isEqualTo(theirs);
        }
    }

    @Test
    void secretsNeverPrinted() throws IOException {
        List<Object> values = List.of(
                new Credential.Basic("alice", "hunter2"),
                new Credential.IdentityToken("alice", "hunter2"),
                new Credential.BearerToken("hunter2"),
                new FoundCredential(new Credential.Basic("alice", "hunter2"), "--creds"),
                new AuthOptions("alice:hunter2", "hunter2", false, null));
        for (Object value : values) {
            assertThat(value.toString()).doesNotContain("hunter2").contains("<redacted>");
        }
        assertThat(new Credential.Basic("alice", "hunter2").toString()).contains("alice");
    }
}
