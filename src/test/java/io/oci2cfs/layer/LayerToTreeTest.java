package io.oci2cfs.layer;

import static org.assertj.core.api.Assertions.assertThat;

import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.ContentRef;
import io.oci2cfs.tree.LayerChanges;
import io.oci2cfs.tree.MergedTree;
import io.oci2cfs.tree.Node;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;

/** The path a converter takes: gzip layer blobs, read into change sets, merged in manifest order. */
class LayerToTreeTest {

    private static LayerChanges changes(String name, byte[] blob) throws IOException {
        LayerChanges changes = new LayerChanges(name);
        LayerReader.read(name, new ByteArrayInputStream(blob), (entry, content) -> {
            ContentRef ref = null;
            if (entry.type() == EntryType.REGULAR) {
                byte[] data = content.readAllBytes();
                ref = ContentRef.fitsInline(data.length) ? ContentRef.inline(data)
                        : ContentRef.stored(FsVerityHasher.digestOf(data), data.length);
            }
            changes.add(entry.toChange(ref));
        });
        return changes;
    }

    @Test
    void gzipLayersMergeWithWhiteoutsAndHardlinks() throws Exception {
        String big = "0123456789".repeat(10);
        byte[] base = Tars.filter(Tars.tar(out -> {
            Tars.entry(out, "etc/", TarConstants.LF_DIR, null);
            Tars.file(out, "etc/big", big);
            Tars.entry(out, "etc/big-link", TarConstants.LF_LINK, "etc/big");
            Tars.file(out, "etc/gone", "x");
        }), "gzip", "-c");
        byte[] upper = Tars.filter(Tars.tar(out -> {
            Tars.file(out, "etc/.wh.gone", "");
            Tars.file(out, "etc/.wh.big", "");
        }), "gzip", "-c");
        // Change sets can be made in any order; they are applied in manifest order.
        LayerChanges second = changes("upper", upper);
        LayerChanges first = changes("base", base);
        Node root = new MergedTree().apply(first).apply(second).toNode();

        Node etc = root.child(ByteString.of("etc"));
        assertThat(etc.children()).extracting(Node::name).containsExactly(ByteString.of("big-link"));
        Node link = etc.child(ByteString.of("big-link"));
        assertThat(link.isHardlink()).isFalse();
        assertThat(link.nlink()).isEqualTo(1);
        assertThat(link.digest()).isEqualTo(FsVerityHasher.digestOf(big.getBytes()));
        assertThat(link.size()).isEqualTo(100);
    }
}
