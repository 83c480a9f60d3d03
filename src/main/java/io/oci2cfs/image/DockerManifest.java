package io.oci2cfs.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of a {@code docker save} {@code manifest.json} (moby image/tarexport): the config file, the
 * repository tags and the layer files, lowest first, all as paths inside the archive.
 */
record DockerManifest(int index, String config, List<String> repoTags, List<String> layers) {
    static List<DockerManifest> parse(byte[] json) throws ImageException {
        JsonNode root = Json.parse(json, "manifest.json");
        if (!root.isArray()) {
            throw new ImageException("manifest.json: not a JSON array");
        }
        List<DockerManifest> images = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode node = root.get(i);
            String what = "manifest.json image " + i;
            List<String> tags = node.hasNonNull("RepoTags") ? Json.textArray(node, "RepoTags", what) : List.of();
            images.add(new DockerManifest(i, Json.text(node, "Config", what), tags,
                    Json.textArray(node, "Layers", what)));
        }
        if (images.isEmpty()) {
            throw new ImageException("manifest.json lists no image");
        }
        return images;
    }

    /** Picks the image named by {@code ref} ({@code name:tag} or {@code @N}); null ref needs a lone image. */
    static DockerManifest select(List<DockerManifest> images, String ref) throws ImageException {
        if (ref == null) {
            if (images.size() == 1) {
                return images.get(0);
            }
            throw new ImageException("archive holds " + images.size()
                    + " images, choose one with :name:tag or :@N; available: " + labels(images));
        }
        if (ref.startsWith("@")) {
            try {
                int n = Integer.parseInt(ref.substring(1));
                if (n >= 0 && n < images.size()) {
                    return images.get(n);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new ImageException("no image " + ref + "; available: " + labels(images));
        }
        String wanted = normalize(ref);
        for (DockerManifest image : images) {
            for (String tag : image.repoTags()) {
                if (normalize(tag).equals(wanted)) {
                    return image;
                }
            }
        }
        throw new ImageException("no image tagged '" + ref + "'; available: " + labels(images));
    }

    /** Docker's familiar form: no docker.io/ or library/ prefix, :latest when untagged. */
    private static String normalize(String name) {
        String n = name;
        if (n.startsWith("docker.io/")) {
            n = n.substring("docker.io/".length());
        }
        if (n.startsWith("library/")) {
            n = n.substring("library/".length());
        }
        return n.lastIndexOf(':') > n.lastIndexOf('/') ? n : n + ":latest";
    }

    private static String labels(List<DockerManifest> images) {
        List<String> labels = new ArrayList<>();
        for (DockerManifest image : images) {
            labels.add(image.label());
        }
        return String.join(", ", labels);
    }

    String label() {
        return repoTags.isEmpty() ? "@" + index : "@" + index + " " + String.join(" ", repoTags);
    }
}
