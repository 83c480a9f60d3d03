package io.oci2cfs.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** An OCI image layout directory (image-layout.md): random access, so layers may stream in parallel. */
final class OciLayoutSource implements ImageSource {
    private final ImageReference reference;
    private final Platform platform;

    OciLayoutSource(ImageReference reference, Platform platform) {
        this.reference = reference;
        this.platform = platform;
    }

    @Override
    public String describe() {
        return reference.toString();
    }

    @Override
    public ResolvedImage read(LayerConsumer consumer, int parallelism) throws IOException {
        try {
            return readLayout(consumer, parallelism);
        } catch (ImageException e) {
            throw e.in(describe());
        }
    }

    /** Reads index.json, the manifest and the config only; checks that the layer blobs exist. */
    @Override
    public ResolvedImage resolve() throws IOException {
        try {
            return readLayout(null, 1);
        } catch (ImageException e) {
            throw e.in(describe());
        }
    }

    /** With a null consumer, resolves without reading the layers. */
    private ResolvedImage readLayout(LayerConsumer consumer, int parallelism) throws IOException {
        Path dir = reference.path();
        if (!Files.isDirectory(dir)) {
            throw new ImageException("not a directory");
        }
        if (!Files.isRegularFile(dir.resolve("oci-layout"))) {
            throw new ImageException("not an OCI image layout: missing oci-layout file");
        }
        byte[] index = readOrNull(dir.resolve("index.json"));
        if (index == null) {
            throw new ImageException("missing index.json");
        }
        OciSelector selector = new OciSelector(d -> readOrNull(dir.resolve(d.blobPath())), reference.ref(), platform);
        OciSelector.Selection selection = selector.select(index);
        String configWhat = "config " + selection.config().digest();
        List<Digest> diffIds = ImageConfig.diffIds(selector.fetch(selection.config(), configWhat),
                selection.layers().size(), configWhat);

        List<ResolvedLayer> layers = new ArrayList<>();
        Map<String, Descriptor> distinct = new LinkedHashMap<>();
        for (int i = 0; i < selection.layers().size(); i++) {
            Descriptor d = selection.layers().get(i);
            if (!Files.isRegularFile(dir.resolve(d.blobPath()))) {
                throw new MissingBlobException(d.digest(), "layer " + i);
            }
            layers.add(new ResolvedLayer(d.blobPath(), d.mediaType(), d.digest(), d.size(), diffIds.get(i)));
            distinct.putIfAbsent(d.blobPath(), d);
        }
        if (consumer != null) {
            stream(dir, distinct, consumer, parallelism);
        }
        return new ResolvedImage(describe() + " " + selection.describe(), selection.manifestDescriptor().digest(),
                selection.config().digest(), layers);
    }

    private static void stream(Path dir, Map<String, Descriptor> blobs, LayerConsumer consumer, int parallelism)
            throws IOException {
        int threads = Math.max(1, Math.min(parallelism, blobs.size()));
        if (threads == 1) {
            for (Descriptor d : blobs.values()) {
                streamOne(dir, d, consumer, false);
            }
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "oci-layout-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (Descriptor d : blobs.values()) {
                futures.add(pool.submit(() -> {
                    streamOne(dir, d, consumer, true);
                    return null;
                }));
            }
            for (Future<Void> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading layers");
        } finally {
            pool.shutdownNow();
        }
    }

    private static void streamOne(Path dir, Descriptor d, LayerConsumer consumer, boolean concurrent)
            throws IOException {
        try (InputStream file = Files.newInputStream(dir.resolve(d.blobPath()))) {
            HashingInputStream in = new HashingInputStream(file, d.digest().newMessageDigest());
            consumer.accept(new Blob(d.blobPath(), d.size(), d.mediaType(), false, concurrent), in);
            HashingInputStream.Hashed hashed = in.finish();
            Verify.content("layer " + d.blobPath(), d.digest(), d.size(), hashed.digest(), hashed.size());
        }
    }

    private static byte[] readOrNull(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void close() {
        // nothing held between reads
    }
}
