package io.oci2cfs.layer;

import io.oci2cfs.testutil.Fuzzing;
import io.oci2cfs.tree.ContentRef;
import io.oci2cfs.tree.LayerChangeException;
import io.oci2cfs.tree.LayerChanges;
import io.oci2cfs.tree.MergedTree;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

/**
 * A layer blob as the converter reads it: compression detected by magic bytes, tar members parsed, each
 * member turned into a change and the changes applied as a base layer. Seeds: the fixtures' layers (plain,
 * gzip, zstd, GNU and PAX dialects, a truncated one). See docs/fuzzing.md.
 */
class LayerReaderFuzzTest {
    private static final String LAYER = "fuzz-layer";

    @FuzzTest
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void read(byte[] blob) throws IOException {
        LayerChanges changes = new LayerChanges(LAYER);
        try {
            LayerReader.read(LAYER, new ByteArrayInputStream(blob), (entry, content) ->
                    changes.add(entry.toChange(entry.type() == EntryType.REGULAR ? content(content) : null)));
            new MergedTree().apply(changes).toNode();
        } catch (LayerFormatException | LayerChangeException e) {
            Fuzzing.declared(e, LAYER);
        }
    }

    /** Reads the content to its end as the converter does; its digest does not matter here. */
    private static ContentRef content(InputStream content) throws IOException {
        byte[] head = content.readNBytes(ContentRef.INLINE_MAX + 1);
        if (ContentRef.fitsInline(head.length)) {
            return ContentRef.inline(head);
        }
        long size = head.length;
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = content.read(buf)) >= 0; ) {
            size += n;
        }
        return ContentRef.stored(new byte[32], size);
    }
}
