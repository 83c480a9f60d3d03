package io.oci2cfs.seal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oci2cfs.error.FailureKind;
import io.oci2cfs.image.Descriptor;
import io.oci2cfs.image.Digest;
import io.oci2cfs.image.ImageException;
import io.oci2cfs.image.MediaTypes;
import io.oci2cfs.image.Platform;
import io.oci2cfs.registry.DockerReference;
import io.oci2cfs.registry.RegistryClient;
import io.oci2cfs.registry.RegistryPusher;
import io.oci2cfs.registry.ResolvedManifest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sealed images on a registry. {@link #push} sends what {@link Sealer} wrote into an OCI layout: the blobs,
 * the sealed manifest under the reference's tag, and the signature artifact by digest, listed as a referrer
 * of the sealed manifest in the referrers tag scheme unless the registry lists it itself (it answers {@code
 * OCI-Subject}). {@link #fetch} brings a sealed image and the signature artifacts the registry lists as its
 * referrers into an OCI layout, where {@link SealVerifier} checks them.
 */
public final class RegistrySeal {
    /** The name {@link #fetch} gives the sealed image in the layout it writes. */
    public static final String FETCHED = "sealed";

    private RegistrySeal() {
    }

    /**
     * Pushes the sealed image {@code sealed} (and its signature artifact) from the layout {@code layout} to
     * {@code ref}: its tag, or its digest, which must then be the sealed manifest's.
     */
    public static void push(Path layout, Sealer.Result sealed, RegistryClient client, DockerReference ref)
            throws IOException {
        if (ref.digest() != null && !ref.digest().equals(sealed.manifest())) {
            throw new ImageException(ref + ": the sealed manifest has digest " + sealed.manifest()
                    + ", not the digest the reference names; push it to a tag");
        }
        RegistryPusher pusher = client.pusher(ref);
        pushManifest(pusher, layout, sealed.manifest(), ref.manifestReference());
        if (sealed.artifact() == null) {
            return;
        }
        byte[] artifact = Files.readAllBytes(layout.resolve(sealed.artifact().blobPath()));
        RegistryPusher.PushedManifest pushed = pushManifest(pusher, layout, sealed.artifact(),
                sealed.artifact().toString());
        if (!pushed.subjectProcessed()) {
            await(pusher.addReferrer(sealed.manifest(), referrerDescriptor(artifact, sealed.artifact())));
        }
    }

    /** The blobs a manifest of the layout names, then the manifest itself as {@code reference}. */
    private static RegistryPusher.PushedManifest pushManifest(RegistryPusher pusher, Path layout, Digest manifest,
            String reference) throws IOException {
        byte[] bytes = Files.readAllBytes(layout.resolve(manifest.blobPath()));
        ObjectNode json = SealJson.parse(bytes, "manifest " + manifest);
        List<RegistryPusher.BlobFile> blobs = new ArrayList<>();
        for (JsonNode d : blobsOf(json)) {
            Digest digest = Digest.parse(d.path("digest").asText());
            blobs.add(new RegistryPusher.BlobFile(digest, d.path("size").asLong(), layout.resolve(digest.blobPath())));
        }
        await(pusher.pushBlobs(blobs));
        return await(pusher.putManifest(reference, json.path("mediaType").asText(MediaTypes.OCI_MANIFEST), bytes));
    }

    /** The descriptors of a manifest's config and layers. */
    private static List<JsonNode> blobsOf(ObjectNode manifest) {
        List<JsonNode> blobs = new ArrayList<>();
        blobs.add(manifest.path("config"));
        manifest.path("layers").forEach(blobs::add);
        return blobs;
    }

    /** A referrers-list entry: the manifest's descriptor with its artifactType and annotations (spec 1.1). */
    private static ObjectNode referrerDescriptor(byte[] manifest, Digest digest) throws IOException {
        ObjectNode json = SealJson.parse(manifest, "manifest " + digest);
        ObjectNode d = LayoutWriter.descriptor(MediaTypes.OCI_MANIFEST, digest, manifest.length, null);
        d.put("artifactType", json.path("artifactType").asText(json.path("config").path("mediaType").asText()));
        if (json.get("annotations") instanceof ObjectNode a) {
            d.set("annotations", a);
        }
        return d;
    }

    /**
     * Writes the image {@code ref} names (for {@code platform}) into the new layout {@code dir} as {@link
     * #FETCHED}, with the signature artifacts the registry lists as its referrers.
     *
     * @return the number of signature artifacts found
     */
    public static int fetch(RegistryClient client, DockerReference ref, Platform platform, Path dir)
            throws IOException {
        ResolvedManifest resolved = await(client.resolve(ref, platform));
        Digest manifest = resolved.manifest().digest();
        int found = 0;
        try (LayoutWriter out = new LayoutWriter(dir)) {
            byte[] bytes = manifestBytes(client, ref, manifest);
            out.put(bytes);
            out.put(resolved.configJson());
            for (Descriptor layer : resolved.layers()) {
                download(client, resolved.reference(), layer, dir);
            }
            out.index(LayoutWriter.descriptor(resolved.manifest().mediaType(), manifest, bytes.length, FETCHED));
            for (JsonNode referrer : await(client.referrers(ref, manifest))) {
                if (!SealFormat.ARTIFACT_TYPE.equals(referrer.path("artifactType").asText(null))) {
                    continue;
                }
                Digest d = Digest.parse(referrer.path("digest").asText());
                byte[] artifact = manifestBytes(client, ref, d);
                out.put(artifact);
                ObjectNode json = SealJson.parse(artifact, "signature artifact " + d);
                for (JsonNode b : blobsOf(json)) {
                    download(client, resolved.reference(), new Descriptor(b.path("mediaType").asText(),
                            Digest.parse(b.path("digest").asText()), b.path("size").asLong(), java.util.Map.of(), null), dir);
                }
                ObjectNode entry = LayoutWriter.descriptor(MediaTypes.OCI_MANIFEST, d, artifact.length, null);
                entry.put("artifactType", SealFormat.ARTIFACT_TYPE);
                out.index(entry);
                found++;
            }
            out.commit();
        }
        return found;
    }

    private static byte[] manifestBytes(RegistryClient client, DockerReference ref, Digest digest)
            throws IOException {
        byte[] bytes = await(client.manifestBytes(ref, digest.toString()));
        if (bytes == null) {
            throw new ImageException(ref + ": manifest " + digest + ": not found");
        }
        return bytes;
    }

    /** A blob, verified as it streams, straight to its place in the layout. */
    private static void download(RegistryClient client, DockerReference ref, Descriptor blob, Path dir)
            throws IOException {
        Path target = dir.resolve(blob.digest().blobPath());
        if (Files.exists(target)) {
            return;
        }
        Path tmp = target.resolveSibling("." + blob.digest().hex() + ".part");
        try (OutputStream os = Files.newOutputStream(tmp)) {
            for (byte[] chunk : client.blob(ref, blob).toIterable()) {
                os.write(chunk);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw rethrown(e);
        }
        Files.move(tmp, target);
    }

    /** The value of {@code mono}, its failure rethrown as the {@link IOException} it carries. */
    private static <T> T await(reactor.core.publisher.Mono<T> mono) throws IOException {
        try {
            return mono.block();
        } catch (RuntimeException e) {
            throw rethrown(e);
        }
    }

    /** The {@link IOException} {@code e} is or carries; other failures are thrown as they are. */
    private static IOException rethrown(Exception e) {
        Throwable t = FailureKind.unwrap(e);
        if (t instanceof IOException io) {
            return io;
        }
        if (e instanceof RuntimeException r) {
            throw r;
        }
        return new IOException(e);
    }
}
