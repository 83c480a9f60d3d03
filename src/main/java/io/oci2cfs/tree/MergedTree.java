package io.oci2cfs.tree;

import java.util.List;

/**
 * The filesystem an image's layers make when applied in manifest order, following the OCI image-spec
 * "Representing Changes" (layer.md).
 *
 * <p>Within one layer, whiteouts ({@code .wh.NAME}, {@code .wh..wh..opq}) are applied first, to the lower
 * layers only, wherever they sit in the tar; then the layer's entries are applied in tar order, so a later
 * entry for a path wins over an earlier one, as with tar extraction. An entry replaces whatever is at its
 * path, except that a directory over a directory keeps the lower children and takes the new metadata.
 */
public final class MergedTree {
    private final InodeTree tree = new InodeTree();
    private int layers;

    /** Applies the next layer up (the first call is the base layer). */
    public MergedTree apply(LayerChanges layer) {
        int index = layers++;
        List<Change> changes = layer.changes();
        for (Change c : changes) {
            if (c instanceof Change.Whiteout || c instanceof Change.Opaque) {
                tree.hideLower(c, index, layer.layer());
            }
        }
        for (Change c : changes) {
            if (c instanceof Change.Entry || c instanceof Change.Hardlink) {
                tree.apply(c, index, layer.layer());
            }
        }
        return this;
    }

    InodeTree inodes() {
        return tree;
    }

    /** A fresh {@link Node} tree of the current state; see {@link InodeTree#toNode()} for hardlink layout. */
    public Node toNode() {
        return tree.toNode();
    }
}
