package io.oci2cfs.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Once an archive's metadata names the image, members it does not use never reach the consumer. */
class ArchiveSkipTest {
    @Test
    void metadataFirstArchiveSkipsOtherPlatformsLayers(@TempDir Path tmp) throws IOException {
        List<TarArchiveEntry> entries = new ArrayList<>();
        List<byte[]> data = new ArrayList<>();
        try (InputStream in = Files.newInputStream(Path.of("oci-fixtures/multiarch.oci-archive.tar"));
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                entries.add(e);
                data.add(tar.readAllBytes());
            }
        }
        // metadata (top-level files, then JSON blobs) first, then everything else
        List<Integer> order = new ArrayList<>();
        for (int pass = 0; pass < 3; pass++) {
            for (int i = 0; i < entries.size(); i++) {
                boolean top = !entries.get(i).getName().contains("/");
                boolean json = data.get(i).length > 0 && data.get(i)[0] == '{';
                if ((pass == 0 && top) || (pass == 1 && !top && json) || (pass == 2 && !top && !json)) {
                    order.add(i);
                }
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            for (int i : order) {
                out.putArchiveEntry(entries.get(i));
                out.write(data.get(i));
                out.closeArchiveEntry();
            }
        }
        Path archive = tmp.resolve("metadata-first.tar");
        Files.write(archive, bytes.toByteArray());

        Collector c = new Collector();
        ResolvedImage image = Collector.read("oci-archive:" + archive + ":multi", Platform.parse("linux/arm64"), c);
        assertThat(c.blobs.keySet()).containsExactly(image.layers().get(0).key());
        assertThat(c.blobs.get(image.layers().get(0).key()).speculative()).isFalse();
        assertThat(c.blobs.get(image.layers().get(0).key()).mediaType()).isEqualTo(MediaTypes.OCI_LAYER_ZSTD);
    }
}
