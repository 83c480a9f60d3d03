package io.oci2cfs.image;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** How to find the selected image in an archive's metadata: by OCI index.json or docker manifest.json. */
abstract class ArchiveFormat {
    /** Gives the bytes of a metadata member (following links), or null if not seen (yet). */
    interface Members {
        byte[] get(String path);
    }

    /**
     * Plans the read from the metadata seen so far; returns null while something needed has not arrived
     * and {@code atEnd} is false. At the end, anything missing is an error.
     */
    abstract ArchivePlan plan(Members members, boolean atEnd) throws IOException;

    /**
     * The member {@code name}, or null while it may still come; at the end its absence is an error that
     * suggests the other transport when the archive holds the other format's {@code otherName}.
     */
    private static byte[] required(Members members, String name, boolean atEnd, String otherName,
            String otherTransport, String otherwise) throws ImageException {
        byte[] data = members.get(name);
        if (data != null || !atEnd) {
            return data;
        }
        throw new ImageException("missing " + name + (members.get(otherName) != null
                ? " (it has " + otherName + ": try " + otherTransport + ":)" : ": " + otherwise));
    }

    static ArchiveFormat oci(String ref, Platform platform) {
        return new ArchiveFormat() {
            @Override
            ArchivePlan plan(Members members, boolean atEnd) throws IOException {
                byte[] index = required(members, "index.json", atEnd, "manifest.json", "docker-archive",
                        "not an OCI image layout");
                if (index == null) {
                    return null;
                }
                if (atEnd && members.get("oci-layout") == null) {
                    throw new ImageException("not an OCI image layout: missing oci-layout file");
                }
                OciSelector selector = new OciSelector(d -> members.get(d.blobPath()), ref, platform);
                OciSelector.Selection selection;
                try {
                    selection = selector.select(index);
                } catch (MissingBlobException e) {
                    if (atEnd) {
                        throw e;
                    }
                    return null;
                }
                List<ArchivePlan.Layer> layers = new ArrayList<>();
                for (Descriptor d : selection.layers()) {
                    layers.add(new ArchivePlan.Layer(d.blobPath(), d.mediaType(), d.digest(), d.size()));
                }
                return new ArchivePlan(selection.describe(), selection.manifestDescriptor().digest(),
                        selection.config().blobPath(), selection.config(), layers);
            }
        };
    }

    static ArchiveFormat docker(String ref) {
        return new ArchiveFormat() {
            @Override
            ArchivePlan plan(Members members, boolean atEnd) throws IOException {
                byte[] manifest = required(members, "manifest.json", atEnd, "index.json", "oci-archive",
                        "not a docker save archive");
                if (manifest == null) {
                    return null;
                }
                DockerManifest image = DockerManifest.select(DockerManifest.parse(manifest), ref);
                List<ArchivePlan.Layer> layers = new ArrayList<>();
                for (String path : image.layers()) {
                    String normalized = ArchivePaths.normalize(path);
                    // Docker 25+ points into its OCI layout, where the path names the digest
                    layers.add(new ArchivePlan.Layer(normalized, MediaTypes.DOCKER_LAYER,
                            Digest.fromBlobPath(normalized), -1));
                }
                return new ArchivePlan(image.label(), null, ArchivePaths.normalize(image.config()), null, layers);
            }
        };
    }
}
