package io.oci2cfs.registry;

import io.oci2cfs.image.Descriptor;
import io.oci2cfs.image.Digest;
import java.util.List;

/**
 * What a reference resolved to on a registry: the image manifest for the wanted platform and its config.
 *
 * @param reference the reference pinned to the manifest's digest (the platform's manifest, not the index)
 * @param manifest the image manifest's descriptor (digest, size, media type, platform from the index)
 * @param description the reference and the chosen platform, for messages
 * @param config the config blob's descriptor, with its bytes (verified)
 * @param layers the layer descriptors, lowest first
 * @param diffIds the config's {@code rootfs.diff_ids}, one per layer
 */
public record ResolvedManifest(DockerReference reference, Descriptor manifest, String description,
        Descriptor config, byte[] configJson, List<Descriptor> layers, List<Digest> diffIds) {
    public ResolvedManifest {
        layers = List.copyOf(layers);
        diffIds = List.copyOf(diffIds);
    }
}
