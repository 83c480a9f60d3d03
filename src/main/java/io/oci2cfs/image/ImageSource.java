package io.oci2cfs.image;

import java.io.IOException;

/** A container image to read; see {@link ImageSources} to open one. */
public interface ImageSource extends AutoCloseable {
    /** The source as the user named it, for messages. */
    String describe();

    /**
     * Streams each layer blob of the selected image to the consumer and returns the resolved image.
     *
     * <p>Archives are read in one pass and never spooled to disk: {@code docker save} may write
     * {@code manifest.json} after the layers, so blobs arrive in archive order before the manifest is known
     * and the consumer must fully read each stream before returning. Until the manifest is known, a blob
     * the selected image does not use may be handed over (marked {@link Blob#speculative()}); once it is
     * known, such blobs are skipped. Random-access sources (a layout directory) may call the consumer
     * concurrently from up to {@code parallelism} threads.
     *
     * <p>Every blob is checked against its descriptor's digest and size (or, in a layout, the digest its
     * path names) while the consumer reads it; a mismatch fails the read after the consumer returns.
     *
     * @throws ImageException for a bad image, with a one-line message naming the input and the reason
     */
    ResolvedImage read(LayerConsumer consumer, int parallelism) throws IOException;

    /**
     * Selects the image as {@link #read} would and returns it without unpacking any layer. This default reads
     * the layers' bytes (checking their digests) and throws them away; sources that can select from their
     * index and manifest alone override it.
     */
    default ResolvedImage resolve() throws IOException {
        return read((blob, data) -> data.transferTo(java.io.OutputStream.nullOutputStream()), 1);
    }

    @Override
    void close() throws IOException;
}
