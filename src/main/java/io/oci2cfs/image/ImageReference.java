package io.oci2cfs.image;

import java.nio.file.Path;

/**
 * A parsed image reference in skopeo's syntax: {@code oci:DIR[:REF]}, {@code oci-archive:FILE[:REF]},
 * {@code docker-archive:FILE[:REF]}, {@code -} (a docker archive on stdin) or a bare path whose kind is
 * decided by {@link ImageSources#detect}, or {@code docker://NAME} (a registry image; REF holds the NAME, which
 * {@code io.oci2cfs.registry.DockerReference} parses). As in containers/image, the path ends at the first colon after
 * the transport, so REF itself may contain colons ({@code name:tag}). Also oci2cfs's own trees, which have no
 * REF (the path is all that follows the prefix): {@code dump:FILE} (a composefs dump) and {@code dir:PATH} (an
 * unpacked root filesystem; a bare directory without {@code oci-layout} is detected as one).
 *
 * @param kind null for a bare path not yet detected
 * @param path null for stdin and for registry images
 * @param ref the image to pick: for OCI a ref name annotation, for docker archives {@code name:tag} or
 *     {@code @N}; null when not given
 */
public record ImageReference(SourceKind kind, Path path, String ref) {
    public static final String STDIN = "-";

    public static ImageReference parse(String text) {
        if (text.equals(STDIN)) {
            return new ImageReference(SourceKind.DOCKER_ARCHIVE, null, null);
        }
        if (text.startsWith("docker:")) {
            if (!text.startsWith("docker://") || text.length() == "docker://".length()) {
                throw new IllegalArgumentException(text + ": registry images are named docker://[HOST/]NAME[:TAG]");
            }
            return new ImageReference(SourceKind.DOCKER, null, text.substring("docker://".length()));
        }
        for (SourceKind kind : SourceKind.values()) {
            String prefix = kind.transport() + ":";
            if (kind.transport() != null && kind != SourceKind.DOCKER && text.startsWith(prefix)) {
                String rest = text.substring(prefix.length());
                if (kind == SourceKind.DUMP || kind == SourceKind.DIRECTORY) {
                    if (rest.isEmpty()) {
                        throw new IllegalArgumentException(text + ": missing path after '" + prefix + "'");
                    }
                    return new ImageReference(kind, Path.of(rest), null);
                }
                int colon = rest.indexOf(':');
                String path = colon < 0 ? rest : rest.substring(0, colon);
                String ref = colon < 0 || colon == rest.length() - 1 ? null : rest.substring(colon + 1);
                if (path.isEmpty()) {
                    throw new IllegalArgumentException(text + ": missing path after '" + prefix + "'");
                }
                if (path.equals(STDIN) && kind != SourceKind.DOCKER_ARCHIVE) {
                    throw new IllegalArgumentException(text + ": only docker-archive can be read from stdin");
                }
                return new ImageReference(kind, path.equals(STDIN) ? null : Path.of(path), ref);
            }
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty image reference");
        }
        return new ImageReference(null, Path.of(text), null);
    }

    public boolean isStdin() {
        return path == null && kind == SourceKind.DOCKER_ARCHIVE;
    }

    ImageReference withKind(SourceKind newKind) {
        return new ImageReference(newKind, path, ref);
    }

    /** The reference as skopeo would spell it. */
    @Override
    public String toString() {
        if (kind == SourceKind.DOCKER) {
            return "docker://" + ref;
        }
        // a file named "-" (given as "-/" or "oci:-/") must not read back as stdin
        String where = path == null ? STDIN : path.toString().equals(STDIN) ? "./" + STDIN : path.toString();
        if (kind == null || kind == SourceKind.SINGLE_LAYER) {
            return where;
        }
        return kind.transport() + ":" + where + (ref == null ? "" : ":" + ref);
    }
}
