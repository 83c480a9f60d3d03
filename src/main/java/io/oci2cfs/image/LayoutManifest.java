package io.oci2cfs.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The manifest and config of one image in an OCI layout directory, selected by ref name and platform as
 * {@code oci:DIR[:REF]} selects it for conversion, with their bytes exactly as stored (verified against their
 * descriptors): what sealing rewrites and what a seal's annotations and label are read from.
 *
 * @param digest the manifest's digest
 * @param manifest the manifest JSON
 * @param config the config JSON
 * @param platform the platform of the manifest's index entry, or null
 */
public record LayoutManifest(Digest digest, byte[] manifest, byte[] config, Platform platform) {
    public static LayoutManifest select(Path dir, String ref, Platform platform) throws IOException {
        try {
            if (!Files.isRegularFile(dir.resolve("oci-layout"))) {
                throw new ImageException("not an OCI image layout: missing oci-layout file");
            }
            OciSelector selector = new OciSelector(d -> read(dir.resolve(d.blobPath())), ref, platform);
            byte[] index = read(dir.resolve("index.json"));
            if (index == null) {
                throw new ImageException("missing index.json");
            }
            OciSelector.Selection s = selector.select(index);
            byte[] manifest = selector.fetch(s.manifestDescriptor(), "manifest " + s.manifestDescriptor().digest());
            byte[] config = selector.fetch(s.config(), "config " + s.config().digest());
            return new LayoutManifest(s.manifestDescriptor().digest(), manifest, config,
                    s.manifestDescriptor().platform());
        } catch (ImageException e) {
            throw e.in(dir.toString());
        }
    }

    private static byte[] read(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
