package io.oci2cfs.batch;

import io.oci2cfs.image.Platform;
import java.nio.file.Path;

/**
 * One image to convert.
 *
 * @param position the job's place among all jobs of the batch, from 0 (report order, sharding)
 * @param source what {@link io.oci2cfs.convert.Converter#convert} accepts, except stdin
 * @param image the composefs image to write
 * @param platform the manifest to take from an index; null for the batch's default
 * @param perLayerDir when set, also one image per layer there
 */
public record Job(int position, String source, Path image, Platform platform, Path perLayerDir) {
    public Job {
        if (position < 0) {
            throw new IllegalArgumentException("job position must not be negative, got " + position);
        }
        if (source == null || source.isEmpty()) {
            throw new IllegalArgumentException("job " + position + ": empty source");
        }
        if (source.equals(io.oci2cfs.image.ImageReference.STDIN)) {
            throw new IllegalArgumentException("job " + position + ": source '-' (stdin) cannot be used in a batch");
        }
        if (image == null) {
            throw new IllegalArgumentException("job " + position + ": no image");
        }
    }

    public static Job of(int position, String source, Path image) {
        return new Job(position, source, image, null, null);
    }
}
