package io.oci2cfs.image;

import java.io.IOException;
import java.io.InputStream;

/** Receives layer blobs from an {@link ImageSource}; it must read each stream to the end before returning. */
@FunctionalInterface
public interface LayerConsumer {
    void accept(Blob blob, InputStream data) throws IOException;
}
