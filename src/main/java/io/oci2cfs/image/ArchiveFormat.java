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

    static ArchiveFormat oci(String ref, Platform platform) {
        return new ArchiveFormat() {
            @Override
            ArchivePlan plan(Members members, boolean atEnd) throws IOException {
                byte[] index = members.get("index.json");
                if (index == null) {
                    if (!atEnd) {
                        return null;
                    }
                    throw new ImageException("missing index.json" + (members.get("manifest.json") != null
                            ? " (it has a manifest.json: try docker-archive:)" : ": not an OCI image layout"));
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
                byte[] manifest = members.get("manifest.json");
                if (manifest == null) {
                    if (!atEnd) {
                        return null;
                    }
                    throw new ImageException("missing manifest.json" + (members.get("index.json") != null
                            ? " (it has an index.json: try oci-archive:)" : ": not a docker save archive"));
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
