package io.oci2cfs.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Opens image sources. Typical use:
 * <pre>{@code
 * ImageReference ref = ImageSources.detect(ImageReference.parse(arg));
 * if (!ref.kind().isImage()) { ... ref.path() is one layer, a dump or a directory ... }
 * try (ImageSource source = ImageSources.open(ref, Platform.host(), System.in)) {
 *     ResolvedImage image = source.read(consumer, 4);
 * }
 * }</pre>
 */
public final class ImageSources {
    /** Names that occur at the top of OCI layouts and docker save archives, and rarely in a root filesystem. */
    private static final Pattern ARCHIVE_MEMBER = Pattern.compile(
            "blobs(/.*)?|index\\.json|oci-layout|manifest\\.json|repositories|[0-9a-f]{64}(\\.json|\\.tar)?(/.*)?");

    private ImageSources() {
    }

    /** Opens {@code ref}; a bare path is detected first. Stdin is read from {@code stdin}, once. */
    public static ImageSource open(ImageReference ref, Platform platform, InputStream stdin) throws IOException {
        ImageReference r = detect(ref);
        String name = r.toString();
        return switch (r.kind()) {
            case OCI_LAYOUT -> new OciLayoutSource(r, platform);
            case OCI_ARCHIVE -> new ArchiveSource(name, fileOpener(r.path()), ArchiveFormat.oci(r.ref(), platform));
            case DOCKER_ARCHIVE -> new ArchiveSource(name,
                    r.isStdin() ? onceOpener(stdin) : fileOpener(r.path()), ArchiveFormat.docker(r.ref()));
            case SINGLE_LAYER -> throw new ImageException(name + ": a single layer, not an image");
            case DUMP -> throw new ImageException(name + ": a composefs dump, not an image");
            case DIRECTORY -> throw new ImageException(r.path()
                    + ": directory is not an OCI image layout (no oci-layout file)");
            case DOCKER -> throw new IllegalArgumentException(name
                    + ": registry images are read by io.oci2cfs.registry.RegistrySource");
        };
    }

    /**
     * Gives a bare path its kind by content: a directory with {@code oci-layout} is an OCI layout, any other
     * directory an unpacked root filesystem ({@link SourceKind#DIRECTORY}); a tar
     * (possibly gzip or zstd compressed) holding {@code manifest.json} is a docker archive, one holding
     * {@code oci-layout} but no {@code manifest.json} an OCI archive; anything else is a single layer.
     * Docker 25+ archives hold both and count as docker archives, as {@code docker load} reads them.
     * References with a transport are returned as they are.
     */
    public static ImageReference detect(ImageReference ref) throws IOException {
        if (ref.kind() != null) {
            return ref;
        }
        Path path = ref.path();
        if (Files.isDirectory(path)) {
            return ref.withKind(Files.isRegularFile(path.resolve("oci-layout")) ? SourceKind.OCI_LAYOUT
                    : SourceKind.DIRECTORY);
        }
        if (!Files.exists(path)) {
            throw new ImageException(path + ": no such file");
        }
        if (!Files.isRegularFile(path)) {
            throw new ImageException(path + ": not a regular file or directory (a FIFO, socket or device);"
                    + " give - to read a docker save stream from stdin");
        }
        if (Files.size(path) == 0) {
            throw new ImageException(path + ": empty input (0 bytes): not a layer, archive or layout");
        }
        return ref.withKind(scan(path));
    }

    /** Reads member names until they settle the question; the first name foreign to archives means a layer. */
    private static SourceKind scan(Path file) throws IOException {
        boolean ociLayout = false;
        try (InputStream in = ArchiveDecompression.decompress(Files.newInputStream(file));
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = ArchivePaths.normalize(entry.getName());
                if (name.isEmpty()) {
                    continue;
                }
                if (name.equals("manifest.json")) {
                    return SourceKind.DOCKER_ARCHIVE;
                }
                ociLayout |= name.equals("oci-layout");
                if (!ARCHIVE_MEMBER.matcher(name).matches()) {
                    return SourceKind.SINGLE_LAYER;
                }
            }
        } catch (IOException e) {
            // not a tar, or a damaged one: whatever it is, it is not an image archive we can read
            return ociLayout ? SourceKind.OCI_ARCHIVE : SourceKind.SINGLE_LAYER;
        }
        return ociLayout ? SourceKind.OCI_ARCHIVE : SourceKind.SINGLE_LAYER;
    }

    private static ArchiveSource.Opener fileOpener(Path file) {
        return () -> {
            if (!Files.isRegularFile(file)) {
                throw new ImageException(Files.exists(file) ? "not a regular file (a FIFO, socket or device)"
                        : "no such file");
            }
            return Files.newInputStream(file);
        };
    }

    private static ArchiveSource.Opener onceOpener(InputStream stdin) {
        boolean[] used = {false};
        return () -> {
            if (used[0]) {
                throw new IllegalStateException("stdin can be read only once");
            }
            used[0] = true;
            // the caller owns stdin: do not let the reader close it
            return new java.io.FilterInputStream(stdin) {
                @Override
                public void close() {
                }
            };
        };
    }
}
