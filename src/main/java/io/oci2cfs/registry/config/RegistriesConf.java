package io.oci2cfs.registry.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * containers-registries.conf(5), version 2 ({@code [[registry]]} tables; a version 1 file's {@code block} and
 * {@code insecure} lists are read too): for a repository, the mirrors to try and then the primary location,
 * or a refusal when the registry is blocked. Matching and rewriting follow containers/image's
 * {@code pkg/sysregistriesv2}: the longest matching {@code prefix} wins, {@code *.example.com} matches
 * subdomains, and the matched prefix is replaced by the mirror's or the registry's {@code location}.
 * Unqualified search and short-name aliases are not used. Keys we do not know are ignored.
 */
public final class RegistriesConf {

    private static final TomlMapper TOML = new TomlMapper();
    private static final RegistriesConf EMPTY = new RegistriesConf(List.of());

    /** Which mirrors a reference may be pulled from ({@code pull-from-mirror}). */
    private enum PullFrom { ALL, DIGEST_ONLY, TAG_ONLY }

    private record Mirror(String location, boolean insecure, PullFrom pullFrom) {
    }

    private record Registry(String prefix, String location, boolean insecure, boolean blocked,
            boolean mirrorByDigestOnly, List<Mirror> mirrors, Path file) {
    }

    /** The files {@link #load(Environment)} reads: one main file (maybe optional) and drop-in directories. */
    record Locations(Path main, boolean mainRequired, List<Path> dropInDirs) {
    }

    private final List<Registry> registries;

    private RegistriesConf(List<Registry> registries) {
        this.registries = List.copyOf(registries);
    }

    /**
     * Reads {@code $CONTAINERS_REGISTRIES_CONF} (which must exist), else {@code ~/.config/containers/registries.conf}
     * if it exists, else {@code /etc/containers/registries.conf} if it exists; then the {@code *.conf} files of
     * the {@code registries.conf.d} directories, each directory in name order, a later file's
     * {@code [[registry]]} replacing an earlier one with the same prefix.
     */
    public static RegistriesConf load(Environment env) throws IOException {
        return load(locate(env));
    }

    public static RegistriesConf empty() {
        return EMPTY;
    }

    /** As containers/image's {@code newConfigWrapperWithHomeDir}: a user file hides the system directory. */
    static Locations locate(Environment env) {
        Path userFile = env.home().resolve(".config/containers/registries.conf");
        Path userDir = env.home().resolve(".config/containers/registries.conf.d");
        Path systemDir = Path.of("/etc/containers/registries.conf.d");
        var explicit = env.get("CONTAINERS_REGISTRIES_CONF");
        if (explicit.isPresent()) {
            return new Locations(Path.of(explicit.get()), true, List.of(systemDir, userDir));
        }
        if (Files.exists(userFile)) {
            return new Locations(userFile, true, List.of(userDir));
        }
        return new Locations(Path.of("/etc/containers/registries.conf"), false, List.of(systemDir, userDir));
    }

    static RegistriesConf load(Locations locations) throws IOException {
        Map<String, Registry> byPrefix = new LinkedHashMap<>();
        if (locations.mainRequired() || Files.exists(locations.main())) {
            if (!Files.isRegularFile(locations.main())) {
                throw new IOException(locations.main() + ": no such registries.conf file");
            }
            readFile(locations.main(), false).forEach(r -> byPrefix.put(r.prefix(), r));
        }
        for (Path dir : locations.dropInDirs()) {
            for (Path file : dropIns(dir)) {
                readFile(file, true).forEach(r -> byPrefix.put(r.prefix(), r));
            }
        }
        return byPrefix.isEmpty() ? EMPTY : new RegistriesConf(new ArrayList<>(byPrefix.values()));
    }

    private static List<Path> dropIns(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.conf")) {
            for (Path file : entries) {
                if (Files.isRegularFile(file)) {
                    files.add(file);
                }
            }
        }
        files.sort(null);
        return files;
    }

    /**
     * Mirrors in order, then the primary; throws a one-line IOException if the reference is blocked.
     *
     * @param host       {@code host[:port]} of the reference ({@code docker.io} for Docker Hub)
     * @param repository the repository on that host ({@code library/alpine})
     * @param byDigest   the reference names a digest (mirrors marked {@code digest-only} apply)
     */
    public List<Endpoint> endpoints(String host, String repository, boolean byDigest) throws IOException {
        String ref = host + "/" + repository;
        Registry registry = null;
        for (Registry candidate : registries) {
            if (matchLength(ref, candidate.prefix()) >= 0
                    && (registry == null || candidate.prefix().length() > registry.prefix().length())) {
                registry = candidate;
            }
        }
        if (registry == null) {
            return List.of(new Endpoint(host, repository, false, false));
        }
        if (registry.blocked()) {
            throw new IOException(ref + ": blocked by registries.conf (prefix \"" + registry.prefix() + "\" in "
                    + registry.file() + ")");
        }
        int matched = matchLength(ref, registry.prefix());
        List<Endpoint> endpoints = new ArrayList<>();
        for (Mirror mirror : registry.mirrors()) {
            boolean use = registry.mirrorByDigestOnly() ? byDigest : switch (mirror.pullFrom()) {
                case ALL -> true;
                case DIGEST_ONLY -> byDigest;
                case TAG_ONLY -> !byDigest;
            };
            if (use) {
                endpoints.add(rewrite(registry, mirror.location(), ref, matched, mirror.insecure(), true));
            }
        }
        endpoints.add(registry.location().isEmpty()
                ? new Endpoint(host, repository, registry.insecure(), false)
                : rewrite(registry, registry.location(), ref, matched, registry.insecure(), false));
        return List.copyOf(endpoints);
    }

    private static Endpoint rewrite(Registry registry, String location, String ref, int matched, boolean insecure,
            boolean mirror) throws IOException {
        String rewritten = location + ref.substring(matched);
        int slash = rewritten.indexOf('/');
        if (slash <= 0 || slash == rewritten.length() - 1) {
            throw new IOException(registry.file() + ": location \"" + location + "\" of prefix \"" + registry.prefix()
                    + "\" turns " + ref + " into \"" + rewritten + "\", which has no host/repository");
        }
        return new Endpoint(rewritten.substring(0, slash), rewritten.substring(slash + 1), insecure, mirror);
    }

    /**
     * The length of {@code ref} that {@code prefix} matches, or -1 (containers/image {@code refMatchingPrefix}):
     * a plain prefix must be followed by the end or one of {@code :/@}; {@code *.example.com} matches a
     * subdomain within the host part.
     */
    static int matchLength(String ref, String prefix) {
        if (prefix.startsWith("*.")) {
            String suffix = prefix.substring(1);
            int at = ref.indexOf(suffix);
            if (at < 0 || ref.substring(0, at).contains("/")) {
                return -1;
            }
            int end = at + suffix.length();
            return end == ref.length() || ":/@".indexOf(ref.charAt(end)) >= 0 ? end : -1;
        }
        if (!ref.startsWith(prefix)) {
            return -1;
        }
        return ref.length() == prefix.length() || ":/@".indexOf(ref.charAt(prefix.length())) >= 0
                ? prefix.length() : -1;
    }

    private static List<Registry> readFile(Path file, boolean dropIn) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of(); // removed since it was listed
        }
        JsonNode root;
        try {
            root = TOML.readTree(bytes);
        } catch (JacksonException e) {
            throw new IOException(file + ": invalid TOML: " + e.getOriginalMessage() + where(e.getLocation()), e);
        }
        if (root == null || !root.isObject()) {
            return List.of();
        }
        Entries entries = new Entries(file);
        List<Registry> v2 = entries.v2(root.get("registry"));
        List<Registry> v1 = entries.v1(root.get("registries"));
        if (!v1.isEmpty()) {
            if (dropIn) {
                throw new IOException(file + ": drop-in files must use the version 2 format ([[registry]])");
            }
            if (!v2.isEmpty()) {
                throw new IOException(file + ": mixes the version 1 [registries.*] and version 2 [[registry]] formats");
            }
            return v1;
        }
        return v2;
    }

    private static String where(JsonLocation location) {
        return location == null || location.getLineNr() < 0 ? "" : " near line " + location.getLineNr();
    }

    /** Reads the tables of one file; errors name the file. */
    private record Entries(Path file) {

        List<Registry> v2(JsonNode tables) throws IOException {
            Map<String, Registry> byPrefix = new LinkedHashMap<>();
            for (JsonNode table : array(tables, "[[registry]]")) {
                Registry registry = registry(table);
                // containers/image: within one file the first table with a prefix wins
                byPrefix.putIfAbsent(registry.prefix(), registry);
            }
            checkConsistent(byPrefix.values());
            return new ArrayList<>(byPrefix.values());
        }

        /** Version 1: {@code [registries.block] registries = [...]} and {@code [registries.insecure]}. */
        List<Registry> v1(JsonNode registries) throws IOException {
            if (registries == null) {
                return List.of();
            }
            List<String> blocked = strings(registries.path("block").get("registries"), "[registries.block]");
            List<String> insecure = strings(registries.path("insecure").get("registries"), "[registries.insecure]");
            Map<String, Registry> byLocation = new LinkedHashMap<>();
            for (String raw : blocked) {
                String location = location(raw, "[registries.block]");
                byLocation.put(location, new Registry(location, location, false, true, false, List.of(), file));
            }
            for (String raw : insecure) {
                String location = location(raw, "[registries.insecure]");
                Registry old = byLocation.get(location);
                byLocation.put(location, new Registry(location, location, true, old != null && old.blocked(), false,
                        List.of(), file));
            }
            return new ArrayList<>(byLocation.values());
        }

        private Registry registry(JsonNode table) throws IOException {
            String location = location(text(table, "location", "[[registry]]"), "[[registry]] location");
            String prefix = text(table, "prefix", "[[registry]]");
            if (prefix.isEmpty()) {
                if (location.isEmpty()) {
                    throw error("a [[registry]] has neither prefix nor location");
                }
                prefix = location;
            } else {
                prefix = location(prefix, "[[registry]] prefix");
                if (prefix.startsWith("*.") && prefix.chars().anyMatch(c -> c == '/' || c == '@' || c == ':')) {
                    throw error("wildcard prefix \"" + prefix + "\" must have the form *.example.com");
                }
                if (location.isEmpty() && !prefix.startsWith("*.")) {
                    throw error("[[registry]] prefix \"" + prefix + "\" has no location");
                }
            }
            if (table.has("pull-from-mirror")) {
                throw error("pull-from-mirror is set on [[registry]] \"" + prefix + "\"; it belongs to its mirrors");
            }
            boolean byDigestOnly = bool(table, "mirror-by-digest-only", prefix);
            List<Mirror> mirrors = new ArrayList<>();
            for (JsonNode mirror : array(table.get("mirror"), "[[registry.mirror]] of \"" + prefix + "\"")) {
                String where = "[[registry.mirror]] of \"" + prefix + "\"";
                String mirrorLocation = location(text(mirror, "location", where), where + " location");
                if (mirrorLocation.isEmpty()) {
                    throw error(where + " has no location");
                }
                String pullFrom = text(mirror, "pull-from-mirror", where);
                if (byDigestOnly && !pullFrom.isEmpty()) {
                    throw error("\"" + prefix + "\" sets both mirror-by-digest-only and pull-from-mirror");
                }
                mirrors.add(new Mirror(mirrorLocation, bool(mirror, "insecure", where), switch (pullFrom) {
                    case "", "all" -> PullFrom.ALL;
                    case "digest-only" -> PullFrom.DIGEST_ONLY;
                    case "tag-only" -> PullFrom.TAG_ONLY;
                    default -> throw error(where + ": pull-from-mirror \"" + pullFrom
                            + "\" is not all, digest-only or tag-only");
                }));
            }
            return new Registry(prefix, location, bool(table, "insecure", prefix), bool(table, "blocked", prefix),
                    byDigestOnly, List.copyOf(mirrors), file);
        }

        /** containers/image refuses one location with different {@code insecure} or {@code blocked} settings. */
        private void checkConsistent(Iterable<Registry> registries) throws IOException {
            Map<String, Registry> byLocation = new LinkedHashMap<>();
            for (Registry registry : registries) {
                String key = registry.location().isEmpty() ? registry.prefix() : registry.location();
                Registry other = byLocation.putIfAbsent(key, registry);
                if (other != null && (other.insecure() != registry.insecure() || other.blocked() != registry.blocked())) {
                    throw error("registry \"" + key + "\" is defined more than once with different insecure or blocked");
                }
            }
        }

        /** containers/image {@code parseLocation}: trailing slashes dropped, no URL scheme. */
        private String location(String raw, String what) throws IOException {
            String trimmed = raw.replaceAll("/+$", "");
            if (trimmed.startsWith("http://") || trimmed.startsWith("https://")) {
                throw error(what + " \"" + raw + "\": URL schemes are not supported, write host[:port][/path]");
            }
            return trimmed;
        }

        private List<JsonNode> array(JsonNode node, String what) throws IOException {
            List<JsonNode> items = new ArrayList<>();
            if (node == null) {
                return items;
            }
            if (!node.isArray()) {
                throw error(what + " must be an array of tables");
            }
            for (JsonNode item : node) {
                if (!item.isObject()) {
                    throw error(what + " must be an array of tables");
                }
                items.add(item);
            }
            return items;
        }

        private List<String> strings(JsonNode node, String what) throws IOException {
            List<String> values = new ArrayList<>();
            if (node == null) {
                return values;
            }
            if (!node.isArray()) {
                throw error(what + " registries must be an array of strings");
            }
            for (JsonNode item : node) {
                if (!item.isTextual()) {
                    throw error(what + " registries must be an array of strings");
                }
                values.add(item.asText());
            }
            return values;
        }

        private String text(JsonNode table, String key, String what) throws IOException {
            JsonNode value = table.get(key);
            if (value == null) {
                return "";
            }
            if (!value.isTextual()) {
                throw error(what + " " + key + " must be a string");
            }
            return value.asText();
        }

        private boolean bool(JsonNode table, String key, String what) throws IOException {
            JsonNode value = table.get(key);
            if (value == null) {
                return false;
            }
            if (!value.isBoolean()) {
                throw error(key + " of \"" + what + "\" must be true or false");
            }
            return value.asBoolean();
        }

        private IOException error(String message) {
            return new IOException(file + ": " + message);
        }
    }
}
