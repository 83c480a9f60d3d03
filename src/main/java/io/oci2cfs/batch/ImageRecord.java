package io.oci2cfs.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * What an image was made from, kept beside it as {@code IMAGE.json}, so that a batch run again can tell an
 * image that is up to date without reading any layer: the same manifest digest, the same options, and the
 * image file still has the digest it was written with.
 *
 * @param options the conversion options that shape the image ({@link Batch#optionsOf})
 */
record ImageRecord(String source, String manifestDigest, Map<String, Object> options, String imageDigest,
        long files) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static Path pathFor(Path image) {
        return image.resolveSibling(image.getFileName() + ".json");
    }

    /** The record beside {@code image}, or null when there is none or it cannot be read. */
    public static ImageRecord read(Path image) {
        Path p = pathFor(image);
        try {
            return Files.isRegularFile(p) ? JSON.readValue(p.toFile(), ImageRecord.class) : null;
        } catch (IOException e) {
            return null; // a damaged record only costs a conversion
        }
    }

    /** Writes the record beside {@code image}, atomically. */
    public void write(Path image) throws IOException {
        Path p = pathFor(image);
        Path tmp = Files.createTempFile(p.toAbsolutePath().getParent(), "." + p.getFileName(), ".tmp");
        try {
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
