package io.oci2cfs.registry.auth;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oci2cfs.registry.config.Environment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Finds the credential for a registry and repository in podman's order (containers/image
 * {@code pkg/docker/config}):
 * <ol>
 * <li>{@code --creds}, {@code --registry-token}, {@code --no-creds};</li>
 * <li>{@code --authfile}, else {@code $REGISTRY_AUTH_FILE}, else {@code $DOCKER_CONFIG/config.json}: that
 * file only (podman's {@code --authfile} default);</li>
 * <li>otherwise {@code $XDG_RUNTIME_DIR/containers/auth.json} (unset: {@code /run/containers/UID/auth.json}),
 * {@code ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json}, {@code ~/.docker/config.json} and
 * {@code ~/.dockercfg}; the first file that yields a credential wins.</li>
 * </ol>
 * Inside a file: {@code credHelpers[host]}, then {@code auths} from the most specific key
 * ({@code host/ns/repo}) to the host, then any key naming the same host once normalised (URL scheme and path
 * dropped; {@code docker.io}, {@code registry-1.docker.io} and {@code https://index.docker.io/v1/} are all
 * Docker Hub), then, as docker does and containers/image does not, the file's {@code credsStore}. Helper
 * answers are cached per helper and host for the life of the resolver. See {@code docs/registry-config.md}.
 */
public final class CredentialResolver {

    /** The key and helper server URL under which docker keeps Docker Hub's credentials. */
    static final String HUB_SERVER_URL = "https://index.docker.io/v1/";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AuthOptions options;
    private final Environment env;
    private final CredentialHelpers helpers;
    private final Consumer<String> warnings;
    private boolean runtimeDirWarned;

    /** Warnings (a missing helper, an unreadable entry) go to this class's {@link System.Logger}. */
    public CredentialResolver(AuthOptions options, Environment env) {
        this(options, env, message -> System.getLogger(CredentialResolver.class.getName())
                .log(System.Logger.Level.WARNING, message));
    }

    /**
     * @param warnings receives one line per problem that does not stop the lookup; never a secret
     * @throws IllegalArgumentException when the options contradict each other or {@code --creds} is malformed
     */
    public CredentialResolver(AuthOptions options, Environment env, Consumer<String> warnings) {
        this.options = Objects.requireNonNull(options, "options");
        this.env = Objects.requireNonNull(env, "env");
        this.warnings = Objects.requireNonNull(warnings, "warnings");
        this.helpers = new CredentialHelpers(env, warnings);
        int given = (options.creds() != null ? 1 : 0) + (options.registryToken() != null ? 1 : 0)
                + (options.noCreds() ? 1 : 0);
        if (given > 1) {
            throw new IllegalArgumentException("--creds, --registry-token and --no-creds exclude each other");
        }
        if (options.creds() != null) {
            basicFromCreds(options.creds());
        }
    }

    /**
     * The credential for {@code repository} on {@code registryHost} ({@code host[:port]} as in the reference,
     * {@code docker.io} for Docker Hub), with where it came from; {@link Credential.Anonymous} when no source
     * has one.
     *
     * @throws IOException a one-line message naming the file or helper that failed
     */
    public synchronized FoundCredential lookup(String registryHost, String repository) throws IOException {
        if (options.creds() != null) {
            return new FoundCredential(basicFromCreds(options.creds()), "--creds");
        }
        if (options.registryToken() != null) {
            return new FoundCredential(new Credential.BearerToken(options.registryToken()), "--registry-token");
        }
        if (options.noCreds()) {
            return new FoundCredential(new Credential.Anonymous(), "--no-creds");
        }
        List<AuthFile> files = authFiles();
        for (AuthFile file : files) {
            Optional<FoundCredential> found = lookupIn(file, registryHost, registryHost + "/" + repository);
            if (found.isPresent()) {
                return found.get();
            }
        }
        return new FoundCredential(new Credential.Anonymous(), "none found for " + registryHost + " in "
                + String.join(", ", files.stream().map(f -> f.path().toString()).toList()));
    }

    /** An auth file; {@code legacy} is the pre-1.7 {@code ~/.dockercfg} format (entries at the top level). */
    record AuthFile(Path path, boolean legacy) {
    }

    /** The files consulted, in order (they need not exist, except an explicitly named one). */
    List<AuthFile> authFiles() throws IOException {
        if (options.authFile() != null) {
            return List.of(explicit(options.authFile(), "--authfile"));
        }
        Optional<String> fromEnv = env.get("REGISTRY_AUTH_FILE");
        if (fromEnv.isPresent()) {
            return List.of(explicit(Path.of(fromEnv.get()), "REGISTRY_AUTH_FILE"));
        }
        // podman's and skopeo's --authfile default (containers/common GetDefaultAuthFile), so the only file too
        Optional<String> dockerConfig = env.get("DOCKER_CONFIG");
        if (dockerConfig.isPresent()) {
            return List.of(new AuthFile(Path.of(dockerConfig.get(), "config.json"), false));
        }
        List<AuthFile> files = new ArrayList<>();
        Optional<String> runtimeDir = env.get("XDG_RUNTIME_DIR");
        if (runtimeDir.isPresent()) {
            if (Files.isDirectory(Path.of(runtimeDir.get()))) {
                files.add(new AuthFile(Path.of(runtimeDir.get(), "containers/auth.json"), false));
            } else if (!runtimeDirWarned) {
                runtimeDirWarned = true;
                warnings.accept("XDG_RUNTIME_DIR " + runtimeDir.get() + " does not exist; not reading auth.json there");
            }
        } else {
            uid().ifPresent(uid -> files.add(new AuthFile(Path.of("/run/containers", uid, "auth.json"), false)));
        }
        files.add(new AuthFile(env.configHome().resolve("containers/auth.json"), false));
        files.add(new AuthFile(env.home().resolve(".docker/config.json"), false));
        files.add(new AuthFile(env.home().resolve(".dockercfg"), true));
        return files;
    }

    private static AuthFile explicit(Path path, String option) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException(option + " " + path + ": no such file");
        }
        return new AuthFile(path, false);
    }

    private static Optional<String> uid() {
        try {
            return Optional.of(Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString());
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private Optional<FoundCredential> lookupIn(AuthFile file, String host, String key) throws IOException {
        JsonNode root = parse(file.path());
        if (root == null) {
            return Optional.empty();
        }
        JsonNode auths = file.legacy() ? root : object(root, "auths", file.path());
        if (!file.legacy()) {
            JsonNode credHelpers = object(root, "credHelpers", file.path());
            Optional<String> helper = entryFor(credHelpers, host, false).map(e -> e.getValue().asText());
            if (helper.isPresent()) {
                return viaHelper(helper.get(), host, file.path() + " (credHelpers: " + helper.get() + ")");
            }
        }
        Optional<Map.Entry<String, JsonNode>> entry = file.legacy() ? entryFor(auths, host, true)
                : mostSpecific(auths, key).or(() -> entryFor(auths, host, false));
        if (entry.isPresent()) {
            String entryKey = entry.get().getKey();
            Optional<Credential> credential = decode(file.path(), entryKey, entry.get().getValue());
            if (credential.isPresent()) {
                return Optional.of(new FoundCredential(credential.get(), file.path() + " (auths: " + entryKey + ")"));
            }
        }
        JsonNode store = root.get("credsStore");
        if (!file.legacy() && store != null && store.isTextual() && !store.asText().isEmpty()) {
            return viaHelper(store.asText(), host, file.path() + " (credsStore: " + store.asText() + ")");
        }
        return Optional.empty();
    }

    private Optional<FoundCredential> viaHelper(String helper, String host, String source) throws IOException {
        String serverUrl = isHub(host) ? HUB_SERVER_URL : host;
        return helpers.get(helper, serverUrl).map(c -> new FoundCredential(c, source));
    }

    /**
     * The entry for {@code host/ns/repo}, else {@code host/ns}, …, else {@code host}: containers/image's
     * extension of docker's format, where keys are hosts only.
     */
    private static Optional<Map.Entry<String, JsonNode>> mostSpecific(JsonNode auths, String key) {
        for (String candidate = key; ; candidate = candidate.substring(0, candidate.lastIndexOf('/'))) {
            JsonNode value = auths.get(candidate);
            if (value != null) {
                return Optional.of(Map.entry(candidate, value));
            }
            if (candidate.indexOf('/') < 0) {
                return Optional.empty();
            }
        }
    }

    /** The entry whose key is {@code host}, else the first whose key normalises to the same registry. */
    private static Optional<Map.Entry<String, JsonNode>> entryFor(JsonNode object, String host, boolean legacy) {
        JsonNode exact = object.get(host);
        if (exact != null) {
            return Optional.of(Map.entry(host, exact));
        }
        String registry = normalizeRegistry(host);
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (normalizeKey(field.getKey(), legacy).equals(registry)) {
                return Optional.of(field);
            }
        }
        return Optional.empty();
    }

    /**
     * A key as the registry it names (containers/image {@code normalizeAuthFileKey}): the scheme dropped, and
     * with it the path ({@code https://index.docker.io/v1/}); a key without a scheme keeps its path, since it
     * names a namespace, except in the legacy format.
     */
    static String normalizeKey(String key, boolean legacy) {
        String stripped = key.replaceFirst("^https?://", "");
        if (legacy || !stripped.equals(key)) {
            int slash = stripped.indexOf('/');
            stripped = slash < 0 ? stripped : stripped.substring(0, slash);
        }
        return normalizeRegistry(stripped);
    }

    private static String normalizeRegistry(String registry) {
        return registry.equals("docker.io") || registry.equals("registry-1.docker.io") ? "index.docker.io" : registry;
    }

    private static boolean isHub(String host) {
        return normalizeRegistry(host).equals("index.docker.io");
    }

    /**
     * An {@code auths} entry: {@code identitytoken} (an OAuth2 refresh token), else {@code auth} =
     * base64(user:password) with NULs trimmed from the password, as docker and containers/image read it. An
     * entry without either is a marker that a credential helper holds the secret: empty.
     */
    private Optional<Credential> decode(Path file, String key, JsonNode entry) throws IOException {
        if (!entry.isObject()) {
            throw new IOException(file + ": auths entry \"" + key + "\" is not an object");
        }
        String auth = entry.path("auth").asText("");
        String identityToken = entry.path("identitytoken").asText("");
        String user = "";
        String password = null;
        if (!auth.isEmpty()) {
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(auth.strip());
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": auths entry \"" + key + "\": auth is not valid base64");
            }
            String text = new String(decoded, StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            if (colon < 0) {
                warnings.accept(file + ": auths entry \"" + key + "\": auth has no ':' between user and password;"
                        + " ignored");
            } else {
                user = text.substring(0, colon);
                password = text.substring(colon + 1).replaceAll("^\u0000+|\u0000+$", "");
            }
        }
        if (!identityToken.isEmpty()) {
            return Optional.of(new Credential.IdentityToken(user, identityToken));
        }
        return password == null ? Optional.empty() : Optional.of(new Credential.Basic(user, password));
    }

    private static JsonNode parse(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            JsonNode root = JSON.readTree(bytes);
            if (root == null || !root.isObject()) {
                throw new IOException(file + ": not a JSON object");
            }
            return root;
        } catch (JacksonException e) {
            throw new IOException(file + ": invalid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " near line " + e.getLocation().getLineNr()), e);
        }
    }

    private static JsonNode object(JsonNode root, String field, Path file) throws IOException {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return JSON.createObjectNode();
        }
        if (!value.isObject()) {
            throw new IOException(file + ": \"" + field + "\" is not an object");
        }
        return value;
    }

    private static Credential.Basic basicFromCreds(String creds) {
        int colon = creds.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--creds: give USER:PASSWORD (no password prompt; USER: for an empty"
                    + " password)");
        }
        if (colon == 0) {
            throw new IllegalArgumentException("--creds: the user name is empty");
        }
        return new Credential.Basic(creds.substring(0, colon), creds.substring(colon + 1));
    }

    /** Runs {@code docker-credential-NAME get}; answers cached per helper and server URL. */
    private static final class CredentialHelpers {
        private final Environment env;
        private final Consumer<String> warnings;
        private final Map<String, Optional<Credential>> cache = new HashMap<>();

        CredentialHelpers(Environment env, Consumer<String> warnings) {
            this.env = env;
            this.warnings = warnings;
        }

        Optional<Credential> get(String helper, String serverUrl) throws IOException {
            String cacheKey = helper + "\n" + serverUrl;
            Optional<Credential> cached = cache.get(cacheKey);
            if (cached == null) {
                cached = new HelperProcess(env, warnings, HelperProcess.DEFAULT_TIMEOUT).get(helper, serverUrl);
                cache.put(cacheKey, cached);
            }
            return cached;
        }
    }
}
