package io.oci2cfs.registry;

import io.oci2cfs.image.Digest;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A registry image reference {@code [HOST[:PORT]/]NAME[:TAG|@DIGEST]}, normalised as the Docker reference
 * library does ({@code distribution/reference} normalize.go): the first component is a host only if it holds
 * a {@code .} or {@code :}, is {@code localhost}, or has uppercase letters; otherwise the host is
 * {@code docker.io}, where one-component names live under {@code library/}. The tag defaults to
 * {@code latest}; with both a tag and a digest, the digest wins.
 *
 * @param registry host[:port] as the user means it ({@code docker.io} for Docker Hub)
 * @param repository the repository path, e.g. {@code library/alpine}
 * @param tag the tag, or null when pulling by digest
 * @param digest the manifest digest, or null when pulling by tag
 */
public record DockerReference(String registry, String repository, String tag, Digest digest) {
    public static final String TRANSPORT = "docker://";
    static final String DOCKER_HUB = "docker.io";
    /** Where Docker Hub's API answers (containerd resolver.go DefaultHost). */
    static final String DOCKER_HUB_API = "registry-1.docker.io";

    /** A path component (distribution-spec: {@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*}). */
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");
    private static final Pattern HOST = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
                    + "|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");
    private static final int MAX_NAME = 255;

    /** Parses {@code docker://REF} or a bare {@code REF}; errors are one line naming the input. */
    public static DockerReference parse(String text) {
        String ref = text.startsWith(TRANSPORT) ? text.substring(TRANSPORT.length()) : text;
        if (ref.isEmpty()) {
            throw bad(text, "empty reference");
        }
        Digest digest = null;
        int at = ref.indexOf('@');
        String named = ref;
        if (at >= 0) {
            try {
                digest = Digest.parse(ref.substring(at + 1));
            } catch (IllegalArgumentException e) {
                throw bad(text, e.getMessage());
            }
            named = ref.substring(0, at);
        }
        String tag = null;
        int colon = named.lastIndexOf(':');
        if (colon > named.lastIndexOf('/')) {
            tag = named.substring(colon + 1);
            named = named.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw bad(text, "invalid tag '" + tag + "'");
            }
        }
        String registry = DOCKER_HUB;
        String path = named;
        int slash = named.indexOf('/');
        if (slash >= 0) {
            String first = named.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")
                    || !first.equals(first.toLowerCase(Locale.ROOT))) {
                if (!HOST.matcher(first).matches()) {
                    throw bad(text, "invalid registry host '" + first + "'");
                }
                registry = first.equals("index.docker.io") ? DOCKER_HUB : first;
                path = named.substring(slash + 1);
            }
        }
        if (path.isEmpty()) {
            throw bad(text, "missing repository name");
        }
        if (path.length() > MAX_NAME) {
            throw bad(text, "repository name longer than " + MAX_NAME + " characters");
        }
        for (String component : path.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw bad(text, "invalid repository name '" + path + "' (lowercase letters, digits and separators)");
            }
        }
        if (registry.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        if (digest != null) {
            tag = null;
        } else if (tag == null) {
            tag = "latest";
        }
        return new DockerReference(registry, path, tag, digest);
    }

    private static IllegalArgumentException bad(String text, String reason) {
        return new IllegalArgumentException(text + ": invalid image reference: " + reason);
    }

    /** The host[:port] that serves the API: Docker Hub's API host for {@code docker.io}. */
    String apiHost() {
        return registry.equals(DOCKER_HUB) ? DOCKER_HUB_API : registry;
    }

    /** The tag or digest to put in a manifest URL. */
    public String manifestReference() {
        return digest != null ? digest.toString() : tag;
    }

    DockerReference withDigest(Digest d) {
        return new DockerReference(registry, repository, null, d);
    }

    /** The fully qualified reference as {@code docker://} would take it back. */
    @Override
    public String toString() {
        return TRANSPORT + registry + "/" + repository + (digest != null ? "@" + digest : ":" + tag);
    }
}
