package io.oci2cfs.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        Path root = dir.toRealPath();
        byte[] index = readOrNull(root, "index.json");
        if (index == null) {
            throw new ImageException("missing index.json");
        }
        OciSelector selector = new OciSelector(d -> readOrNull(root, d.blobPath()), reference.ref(), platform);
        OciSelector.Selection selection = selector.select(index);
        String configWhat = "config " + selection.config().digest();
        List<Digest> diffIds = ImageConfig.diffIds(selector.fetch(selection.config(), configWhat),
                selection.layers().size(), configWhat);

        List<ResolvedLayer> layers = new ArrayList<>();
        Map<String, Descriptor> distinct = new LinkedHashMap<>();
        for (int i = 0; i < selection.layers().size(); i++) {
            Descriptor d = selection.layers().get(i);
            if (layoutFile(root, d.blobPath()) == null) {
                throw new MissingBlobException(d.digest(), "layer " + i);
            }
            layers.add(new ResolvedLayer(d.blobPath(), d.mediaType(), d.digest(), d.size(), diffIds.get(i)));
            distinct.putIfAbsent(d.blobPath(), d);
        }
        if (consumer != null) {
            stream(root, distinct, consumer, parallelism);
        }
        return new ResolvedImage(describe() + " " + selection.describe(), selection.manifestDescriptor().digest(),
                selection.config().digest(), layers);
    }

    private static void stream(Path dir, Map<String, Descriptor> blobs, LayerConsumer consumer, int parallelism)
            throws IOException {
        BlobReaders.readAll(blobs.values(), parallelism, "oci-layout-reader",
                (d, concurrent) -> streamOne(dir, d, consumer, concurrent));
    }

    private static void streamOne(Path dir, Descriptor d, LayerConsumer consumer, boolean concurrent)
            throws IOException {
        Path blob = layoutFile(dir, d.blobPath());
        if (blob == null) {
            throw new MissingBlobException(d.digest(), d.blobPath());
        }
        try (InputStream file = Files.newInputStream(blob)) {
            HashingInputStream in = new HashingInputStream(file, d.digest().newMessageDigest());
            consumer.accept(new Blob(d.blobPath(), d.size(), d.mediaType(), false, concurrent), in);
            HashingInputStream.Hashed hashed = in.finish();
            Verify.content("layer " + d.blobPath(), d.digest(), d.size(), hashed.digest(), hashed.size());
        }
    }

    private static byte[] readOrNull(Path root, String relative) throws IOException {
        Path file = layoutFile(root, relative);
        try {
            return file == null ? null : Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * The file at {@code relative} in the layout whose real path is {@code root}, resolved, or null if there is
     * none. Checked before anything opens it: a FIFO would block the open for ever, and a symlink may point
     * anywhere, so it must stay inside the layout and lead to a regular file.
     */
    private static Path layoutFile(Path root, String relative) throws IOException {
        Path real;
        try {
            real = root.resolve(relative).toRealPath();
        } catch (NoSuchFileException e) {
            return null;
        }
        if (!real.startsWith(root)) {
            throw new ImageException(relative + ": a symlink leads out of the layout, to " + real);
        }
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageException(relative + ": not a regular file ("
                    + (Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS) ? "a directory" : "a FIFO, socket or device")
                    + ")");
        }
        return real;
    }

    @Override
    public void close() {
        // nothing held between reads
    }
}
