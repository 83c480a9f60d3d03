package io.oci2cfs.convert;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a conversion made.
 *
 * @param imageDigest fs-verity digest of the image file, lowercase hex
 * @param objectsNew objects this run added to the store
 * @param objectsReused objects the store already held, or that another process published while this one ran
 * @param bytesRead layer blob bytes read (compressed)
 * @param bytesUnpacked tar bytes after decompression
 * @param bytesStored object bytes written to the store
 * @param bytesReused bytes of the objects the store already held (each counted once)
 * @param bytesAdded bytes of the objects this run added to the store
 * @param stageMillis wall time per stage, in the order they ran
 * @param manifestDigest the digest that names what was converted: the image manifest's, the config's for a
 *     classic docker archive; null for a single layer, a dump or a directory
 * @param pull for a {@code docker://} source, the resolved manifest digest and what the download cost; else null
 */
public record ConvertResult(String source, Path image, String imageDigest, int formatVersion, int layers,
        long files, long directories, long symlinks, long otherInodes, long objectsNew, long objectsReused,
        long bytesRead, long bytesUnpacked, long bytesStored, long bytesReused, long bytesAdded,
        List<Path> layerImages, Map<String, Long> stageMillis, String manifestDigest,
        io.oci2cfs.registry.PullReport pull) {
}
