package io.oci2cfs.registry;

import io.oci2cfs.error.Blocking;
import io.oci2cfs.image.Blob;
import io.oci2cfs.image.BlobReaders;
import io.oci2cfs.image.Descriptor;
import io.oci2cfs.image.ImageSource;
import io.oci2cfs.image.LayerConsumer;
import io.oci2cfs.image.Platform;
import io.oci2cfs.image.ResolvedImage;
import io.oci2cfs.image.ResolvedLayer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code docker://REF}: an image pulled from a registry. Layers stream from the socket to the consumer, up to
 * {@link RegistryOptions#jobs()} at once, each verified (digest and size) as it is read; the converter merges
 * them in layer order.
 */
public final class RegistrySource implements ImageSource {
    /** Chunks asked for ahead of the consumer, per layer. */
    private static final int PREFETCH = 32;

    private final DockerReference reference;
    private final Platform platform;
    private final RegistryOptions options;
    private final RegistryClient client;

    public RegistrySource(DockerReference reference, Platform platform, RegistryOptions options) {
        this.reference = reference;
        this.platform = platform;
        this.options = options;
        this.client = new RegistryClient(options);
    }

    @Override
    public String describe() {
        return reference.toString();
    }

    /** What the pull cost; complete once {@link #read} has returned. */
    public PullReport report() {
        return client.report();
    }

    @Override
    public ResolvedImage read(LayerConsumer consumer, int parallelism) throws IOException {
        ResolvedManifest m = Blocking.block(client.resolve(reference, platform));
        Map<String, Descriptor> distinct = new LinkedHashMap<>();
        for (Descriptor d : m.layers()) {
            distinct.putIfAbsent(d.blobPath(), d);
        }
        stream(m.reference(), distinct, consumer);
        return resolved(m);
    }

    /** The image from its index, manifest and config alone: no layer is downloaded (a batch's skip check). */
    @Override
    public ResolvedImage resolve() throws IOException {
        return resolved(Blocking.block(client.resolve(reference, platform)));
    }

    private static ResolvedImage resolved(ResolvedManifest m) {
        List<ResolvedLayer> layers = new ArrayList<>();
        for (int i = 0; i < m.layers().size(); i++) {
            Descriptor d = m.layers().get(i);
            layers.add(new ResolvedLayer(d.blobPath(), d.mediaType(), d.digest(), d.size(), m.diffIds().get(i)));
        }
        return new ResolvedImage(m.description(), m.manifest().digest(), m.config().digest(), layers);
    }

    private void stream(DockerReference pinned, Map<String, Descriptor> blobs, LayerConsumer consumer)
            throws IOException {
        // largest first (composefs-rs orders its fetches so too): the largest layer takes longest to parse, and
        // started last it would leave the conversion waiting on it after the other downloads are done; the
        // converter merges in layer order whatever the order of reading
        List<Descriptor> bySize = new ArrayList<>(blobs.values());
        bySize.sort(java.util.Comparator.comparingLong(Descriptor::size).reversed());
        BlobReaders.readAll(bySize, options.jobs(), "registry-layer",
                (d, concurrent) -> streamOne(pinned, d, consumer, concurrent));
    }

    private void streamOne(DockerReference pinned, Descriptor d, LayerConsumer consumer, boolean concurrent)
            throws IOException {
        try (InputStream in = new FluxInputStream(client.blob(pinned, d), PREFETCH)) {
            consumer.accept(new Blob(d.blobPath(), d.size(), d.mediaType(), false, concurrent), in);
            // the consumer may stop at the tar's end marker: the rest must still arrive to check the digest
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
