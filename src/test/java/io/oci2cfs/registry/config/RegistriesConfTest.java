package io.oci2cfs.registry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.testutil.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistriesConfTest {

    @TempDir
    Path dir;

    private Path write(String name, String toml) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, toml);
        return file;
    }

    private RegistriesConf load(Path main, Path... dropInDirs) throws IOException {
        return RegistriesConf.load(new RegistriesConf.Locations(main, true, List.of(dropInDirs)));
    }

    private static Endpoint mirror(String host, String repo) {
        return new Endpoint(host, repo, false, true);
    }

    private static Endpoint primary(String host, String repo) {
        return new Endpoint(host, repo, false, false);
    }

    @Test
    void mirrorsInOrderThenThePrimary() throws IOException {
        RegistriesConf conf = load(write("registries.conf", """
                unqualified-search-registries = ["docker.io"]
                some-future-key = 3

                [[registry]]
                prefix = "docker.io"
                location = "docker.io"
                unknown-registry-key = "ignored"

                [[registry.mirror]]
                location = "mirror-a.example.com:5000/hub"
                insecure = true

                [[registry.mirror]]
                location = "mirror-b.example.com/"
                """));
        assertThat(conf.endpoints("docker.io", "library/alpine", false)).containsExactly(
                new Endpoint("mirror-a.example.com:5000", "hub/library/alpine", true, true),
                mirror("mirror-b.example.com", "library/alpine"),
                primary("docker.io", "library/alpine"));
        // a reference no prefix matches: the primary as given
        assertThat(conf.endpoints("quay.io", "fedora/fedora", false)).containsExactly(primary("quay.io", "fedora/fedora"));
    }

    @Test
    void longestPrefixWinsAndRewritesThePrefix() throws IOException {
        RegistriesConf conf = load(write("registries.conf", """
                [[registry]]
                location = "example.com"
                insecure = true

                [[registry]]
                prefix = "example.com/team"
                location = "internal.example.com:8443/mirror/team"

                [[registry]]
                prefix = "example.com/team-b"
                location = "other.example.com"
                """));
        assertThat(conf.endpoints("example.com", "team/app", true))
                .containsExactly(primary("internal.example.com:8443", "mirror/team/app"));
        assertThat(conf.endpoints("example.com", "team-b/app", true))
                .containsExactly(primary("other.example.com", "app"));
        // "example.com/teams" does not match the prefix "example.com/team": a prefix ends at / : or @
        assertThat(conf.endpoints("example.com", "teams/app", true))
                .containsExactly(new Endpoint("example.com", "teams/app", true, false));
        // containers/image's documented quirk: "example.com" also matches "example.com:5000"
        assertThat(conf.endpoints("example.com:5000", "x", false))
                .containsExactly(new Endpoint("example.com:5000", "x", true, false));
    }

    @Test
    void wildcardPrefixMatchesSubdomainsOnly() throws IOException {
        RegistriesConf conf = load(write("registries.conf", """
                [[registry]]
                prefix = "*.example.com"
                insecure = true

                [[registry.mirror]]
                location = "cache.local/wild"

                [[registry]]
                prefix = "*.b.example.com"
                blocked = true

                [[registry]]
                prefix = "a.example.com"
                location = "a.example.com"
                """));
        assertThat(conf.endpoints("x.example.com", "ns/app", false)).containsExactly(
                mirror("cache.local", "wild/ns/app"),
                new Endpoint("x.example.com", "ns/app", true, false));
        assertThat(conf.endpoints("x.y.example.com:5000", "app", false)).containsExactly(
                mirror("cache.local", "wild:5000/app"),
                new Endpoint("x.y.example.com:5000", "app", true, false));
        assertThat(conf.endpoints("example.com", "app", false)).containsExactly(primary("example.com", "app"));
        assertThat(conf.endpoints("notexample.com", "app", false)).containsExactly(primary("notexample.com", "app"));
        // "a.example.com" (13 characters) is longer than "*.example.com" (13): equal, so the first listed stays
        assertThat(conf.endpoints("a.example.com", "app", false)).hasSize(2);
        assertThatThrownBy(() -> conf.endpoints("c.b.example.com", "app", false))
                .isInstanceOf(IOException.class)
                .hasMessage("c.b.example.com/app: blocked by registries.conf (prefix \"*.b.example.com\" in "
                        + dir.resolve("registries.conf") + ")");
    }

    @Test
    void blockedRegistryAndNamespace() throws IOException {
        RegistriesConf conf = load(write("registries.conf", """
                [[registry]]
                location = "evil.example.com"
                blocked = true

                [[registry]]
                prefix = "quay.io/untrusted"
                location = "quay.io/untrusted"
                blocked = true
                """));
        assertThatThrownBy(() -> conf.endpoints("evil.example.com", "any/thing", true))
                .hasMessageStartingWith("evil.example.com/any/thing: blocked by registries.conf");
        assertThatThrownBy(() -> conf.endpoints("quay.io", "untrusted/app", false))
                .hasMessageContaining("prefix \"quay.io/untrusted\"");
        assertThat(conf.endpoints("quay.io", "trusted/app", false)).containsExactly(primary("quay.io", "trusted/app"));
    }

    @Test
    void digestOnlyAndTagOnlyMirrors() throws IOException {
        RegistriesConf conf = load(write("registries.conf", """
                [[registry]]
                location = "r.io"

                [[registry.mirror]]
                location = "digests.r.io"
                pull-from-mirror = "digest-only"

                [[registry.mirror]]
                location = "tags.r.io"
                pull-from-mirror = "tag-only"

                [[registry.mirror]]
                location = "all.r.io"
                pull-from-mirror = "all"

                [[registry]]
                location = "s.io"
                mirror-by-digest-only = true

                [[registry.mirror]]
                location = "m1.s.io"

                [[registry.mirror]]
                location = "m2.s.io"
                """));
        assertThat(conf.endpoints("r.io", "a", true)).extracting(Endpoint::host)
                .containsExactly("digests.r.io", "all.r.io", "r.io");
        assertThat(conf.endpoints("r.io", "a", false)).extracting(Endpoint::host)
                .containsExactly("tags.r.io", "all.r.io", "r.io");
        assertThat(conf.endpoints("s.io", "a", true)).extracting(Endpoint::host)
                .containsExactly("m1.s.io", "m2.s.io", "s.io");
        assertThat(conf.endpoints("s.io", "a", false)).containsExactly(primary("s.io", "a"));
    }

    @Test
    void dropInsOverrideByPrefixInNameOrderAndOnlyConfFilesCount() throws IOException {
        Path main = write("registries.conf", """
                [[registry]]
                location = "a.io"
                [[registry.mirror]]
                location = "main-mirror.a.io"

                [[registry]]
                location = "b.io"
                insecure = true
                """);
        write("system.d/10-a.conf", """
                [[registry]]
                location = "a.io"
                [[registry.mirror]]
                location = "dropin10.a.io"
                """);
        write("system.d/20-a.conf", """
                [[registry]]
                location = "a.io"
                [[registry.mirror]]
                location = "dropin20.a.io"
                """);
        write("system.d/30-c.conf.disabled", """
                [[registry]]
                location = "c.io"
                blocked = true
                """);
        write("user.d/05-a.conf", """
                [[registry]]
                prefix = "a.io"
                location = "a.io"
                [[registry.mirror]]
                location = "user.a.io"
                """);
        RegistriesConf conf = load(main, dir.resolve("system.d"), dir.resolve("user.d"), dir.resolve("missing.d"));
        // the user directory comes after the system one, whatever the file names
        assertThat(conf.endpoints("a.io", "x", false)).extracting(Endpoint::host).containsExactly("user.a.io", "a.io");
        assertThat(conf.endpoints("b.io", "x", false)).containsExactly(new Endpoint("b.io", "x", true, false));
        assertThat(conf.endpoints("c.io", "x", false)).containsExactly(primary("c.io", "x"));

        RegistriesConf systemOnly = load(main, dir.resolve("system.d"));
        assertThat(systemOnly.endpoints("a.io", "x", false)).extracting(Endpoint::host)
                .containsExactly("dropin20.a.io", "a.io");
    }

    @Test
    void version1ListsAreRead() throws IOException {
        RegistriesConf conf = load(write("registries.conf", """
                [registries.search]
                registries = ["docker.io"]
                [registries.insecure]
                registries = ["localhost:5000", "both.io"]
                [registries.block]
                registries = ["blocked.io", "both.io"]
                """));
        assertThat(conf.endpoints("localhost:5000", "x", false))
                .containsExactly(new Endpoint("localhost:5000", "x", true, false));
        assertThatThrownBy(() -> conf.endpoints("blocked.io", "x", false)).hasMessageContaining("blocked");
        assertThatThrownBy(() -> conf.endpoints("both.io", "x", false)).hasMessageContaining("blocked");
    }

    @Test
    void loadFollowsTheEnvironment() throws IOException {
        Path home = dir.resolve("home");
        Environment env = new Environment(Map.of(), home);
        assertThat(RegistriesConf.locate(env)).isEqualTo(new RegistriesConf.Locations(
                Path.of("/etc/containers/registries.conf"), false,
                List.of(Path.of("/etc/containers/registries.conf.d"), home.resolve(".config/containers/registries.conf.d"))));

        Path explicit = write("explicit.conf", "[[registry]]\nlocation = \"e.io\"\nblocked = true\n");
        assertThat(RegistriesConf.locate(new Environment(Map.of("CONTAINERS_REGISTRIES_CONF", explicit.toString()), home)))
                .isEqualTo(new RegistriesConf.Locations(explicit, true, List.of(
                        Path.of("/etc/containers/registries.conf.d"),
                        home.resolve(".config/containers/registries.conf.d"))));

        // a user file hides /etc and its directory; only the user directory is read with it
        Path user = write("home/.config/containers/registries.conf", """
                [[registry]]
                location = "u.io"
                blocked = true
                """);
        write("home/.config/containers/registries.conf.d/x.conf", """
                [[registry]]
                location = "d.io"
                blocked = true
                """);
        assertThat(RegistriesConf.locate(env)).isEqualTo(new RegistriesConf.Locations(user, true,
                List.of(home.resolve(".config/containers/registries.conf.d"))));
        RegistriesConf conf = RegistriesConf.load(env);
        assertThatThrownBy(() -> conf.endpoints("u.io", "x", false)).hasMessageContaining("blocked");
        assertThatThrownBy(() -> conf.endpoints("d.io", "x", false)).hasMessageContaining("blocked");

        Path missing = dir.resolve("missing.conf");
        assertThatThrownBy(() -> RegistriesConf.load(new Environment(
                Map.of("CONTAINERS_REGISTRIES_CONF", missing.toString()), home)))
                .hasMessage(missing + ": no such registries.conf file");
    }

    @Test
    void emptyHasNoRules() throws IOException {
        assertThat(RegistriesConf.empty().endpoints("docker.io", "library/alpine", true))
                .containsExactly(primary("docker.io", "library/alpine"));
    }

    @Test
    void badFilesFailInOneLineNamingTheFile() throws IOException {
        assertBad("[[registry]\nlocation = \"x\"\n", "invalid TOML: ");
        assertBad("[[registry]]\nlocation = \"https://x.io\"\n", "[[registry]] location \"https://x.io\": URL "
                + "schemes are not supported, write host[:port][/path]");
        assertBad("[[registry]]\ninsecure = true\n", "a [[registry]] has neither prefix nor location");
        assertBad("[[registry]]\nprefix = \"x.io/ns\"\n", "[[registry]] prefix \"x.io/ns\" has no location");
        assertBad("[[registry]]\nprefix = \"*.x.io/ns\"\n", "wildcard prefix \"*.x.io/ns\" must have the form "
                + "*.example.com");
        assertBad("[[registry]]\nlocation = \"x.io\"\ninsecure = \"yes\"\n",
                "insecure of \"x.io\" must be true or false");
        assertBad("[[registry]]\nlocation = \"x.io\"\n[[registry.mirror]]\nlocation = \"m\"\n"
                + "pull-from-mirror = \"sometimes\"\n", "[[registry.mirror]] of \"x.io\": pull-from-mirror "
                + "\"sometimes\" is not all, digest-only or tag-only");
        assertBad("[[registry]]\nlocation = \"x.io\"\nmirror-by-digest-only = true\n[[registry.mirror]]\n"
                + "location = \"m\"\npull-from-mirror = \"all\"\n",
                "\"x.io\" sets both mirror-by-digest-only and pull-from-mirror");
        assertBad("[[registry]]\nlocation = \"x.io\"\n[[registry.mirror]]\ninsecure = true\n",
                "[[registry.mirror]] of \"x.io\" has no location");
        assertBad("[[registry]]\nlocation = \"x.io\"\npull-from-mirror = \"all\"\n",
                "pull-from-mirror is set on [[registry]] \"x.io\"; it belongs to its mirrors");
        assertBad("[[registry]]\nprefix = \"a.io\"\nlocation = \"x.io\"\n[[registry]]\nprefix = \"b.io\"\n"
                + "location = \"x.io\"\ninsecure = true\n",
                "registry \"x.io\" is defined more than once with different insecure or blocked");
        assertBad("[registries.block]\nregistries = [\"a.io\"]\n[[registry]]\nlocation = \"b.io\"\n",
                "mixes the version 1 [registries.*] and version 2 [[registry]] formats");
        assertBad("registry = 5\n", "[[registry]] must be an array of tables");

        Path v1DropIn = write("d/v1.conf", "[registries.block]\nregistries = [\"a.io\"]\n");
        assertThatThrownBy(() -> load(write("ok.conf", ""), v1DropIn.getParent()))
                .hasMessage(v1DropIn + ": drop-in files must use the version 2 format ([[registry]])");
    }

    @Test
    void rewriteThatLeavesNoRepositoryIsRefused() throws IOException {
        Path file = write("registries.conf", """
                [[registry]]
                prefix = "x.io/app"
                location = "y.io"
                """);
        RegistriesConf conf = load(file);
        assertThatThrownBy(() -> conf.endpoints("x.io", "app", false))
                .hasMessage(file + ": location \"y.io\" of prefix \"x.io/app\" turns x.io/app into \"y.io\", which "
                        + "has no host/repository");
    }

    /**
     * skopeo (containers/image) given the same files: {@code --debug} logs each location it tries, in order,
     * before failing to connect (every location is a closed port on 127.0.0.1), and a blocked reference is
     * refused before any connection.
     */
    @Test
    void agreesWithSkopeo() throws IOException {
        Assumptions.assumeTrue(Proc.has("skopeo"), "skopeo is not installed; skipping");
        Path home = dir.resolve("home");
        Path main = write("registries.conf", """
                [[registry]]
                prefix = "example.com/team"
                location = "127.0.0.1:9/primary/team"
                [[registry.mirror]]
                location = "127.0.0.1:1/m1"
                [[registry.mirror]]
                location = "127.0.0.1:2/m2"
                pull-from-mirror = "digest-only"
                [[registry.mirror]]
                location = "127.0.0.1:3/m3"
                pull-from-mirror = "tag-only"

                [[registry]]
                prefix = "example.com"
                location = "127.0.0.1:9/whole"

                [[registry]]
                prefix = "digests.example.com"
                location = "127.0.0.1:9"
                mirror-by-digest-only = true
                [[registry.mirror]]
                location = "127.0.0.1:4/d"

                [[registry]]
                prefix = "*.wild.example.com"
                location = "127.0.0.1:9/wild"
                [[registry.mirror]]
                location = "127.0.0.1:5/wildmirror"

                [[registry]]
                location = "blocked.example.com"
                blocked = true

                [[registry]]
                prefix = "overridden.example.com"
                location = "127.0.0.1:9/before"
                """);
        write("home/.config/containers/registries.conf.d/50-override.conf", """
                [[registry]]
                prefix = "overridden.example.com"
                location = "127.0.0.1:9/after"
                [[registry.mirror]]
                location = "127.0.0.1:6/dropin"
                """);
        RegistriesConf ours = RegistriesConf.load(new Environment(Map.of("CONTAINERS_REGISTRIES_CONF", main.toString()),
                home));
        String digest = "@sha256:" + "ab".repeat(32);
        for (String ref : List.of("example.com/team/app:1", "example.com/team/app" + digest, "example.com/teams/app:1",
                "digests.example.com/x/y:1", "digests.example.com/x/y" + digest, "a.b.wild.example.com/app:1",
                "overridden.example.com/app:1", "blocked.example.com/x:1")) {
            Map<String, String> env = new HashMap<>(Map.of("HOME", home.toString(), "PATH", "/usr/bin:/bin"));
            Proc.Result skopeo = Proc.run(List.of("skopeo", "--debug", "--registries-conf", main.toString(),
                    "inspect", "--raw", "--retry-times", "0", "docker://" + ref), env, null);
            boolean byDigest = ref.contains("@");
            String name = ref.replaceFirst("@.*|:[^:/]*$", "");
            int slash = name.indexOf('/');
            List<String> expected = new ArrayList<>();
            try {
                for (Endpoint e : ours.endpoints(name.substring(0, slash), name.substring(slash + 1), byDigest)) {
                    expected.add(e.host() + "/" + e.repository());
                }
            } catch (IOException blocked) {
                expected.add("blocked");
            }
            List<String> tried = new ArrayList<>();
            Matcher m = Pattern.compile("Trying to access \\\\\"([^\\\\\"]+)\\\\\"").matcher(skopeo.stderr());
            while (m.find()) {
                tried.add(m.group(1).replaceFirst("@.*|:[^:/]*$", ""));
            }
            if (skopeo.stderr().contains("is blocked in")) {
                tried = List.of("blocked"); // skopeo logs the attempt, then refuses it
            }
            assertThat(expected).as("%s (skopeo: %s)", ref, skopeo.stderr()).isEqualTo(tried);
        }
    }

    private void assertBad(String toml, String reason) throws IOException {
        Path file = write("bad.conf", toml);
        assertThatThrownBy(() -> load(file))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(file + ": " + reason)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
