package io.oci2cfs.image;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A consumer that keeps every blob it is handed. */
final class Collector implements LayerConsumer {
    final Map<String, byte[]> data = new ConcurrentHashMap<>();
    final Map<String, Blob> blobs = new ConcurrentHashMap<>();

    @Override
    public void accept(Blob blob, InputStream in) throws IOException {
        if (blobs.putIfAbsent(blob.key(), blob) != null) {
            throw new AssertionError("blob handed over twice: " + blob.key());
        }
        data.put(blob.key(), in.readAllBytes());
    }

    static ResolvedImage read(String reference, Platform platform, Collector collector) throws IOException {
        try (ImageSource source = ImageSources.open(ImageReference.parse(reference), platform,
                InputStream.nullInputStream())) {
            return source.read(collector, 4);
        }
    }
}
