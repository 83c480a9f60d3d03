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
    public MergedTree apply(LayerChanges layer) throws LayerChangeException {
        apply(layer.layer(), layer.changes(), false);
        return this;
    }

    /**
     * As {@link #apply}, but empties {@code layer} while applying it, so that its changes are garbage as soon
     * as the tree holds them (for large layers the two would otherwise be in memory together).
     */
    public MergedTree applyAndEmpty(LayerChanges layer) throws LayerChangeException {
        apply(layer.layer(), layer.takeChanges(), true);
        return this;
    }

    private void apply(String layerName, List<Change> changes, boolean release) throws LayerChangeException {
        int index = layers++;
        for (Change c : changes) {
            if (c instanceof Change.Whiteout || c instanceof Change.Opaque) {
                tree.hideLower(c, index, layerName);
            }
        }
        for (int i = 0; i < changes.size(); i++) {
            Change c = changes.get(i);
            if (c instanceof Change.Entry || c instanceof Change.Hardlink) {
                tree.apply(c, index, layerName);
            }
            if (release) {
                changes.set(i, null);
            }
        }
    }

    InodeTree inodes() {
        return tree;
    }

    /** A fresh {@link Node} tree of the current state; see {@link InodeTree#toNode()} for hardlink layout. */
    public Node toNode() {
        return tree.toNode();
    }

    /** As {@link #toNode()}, freeing this tree as the new one is built; this tree is empty afterwards. */
    public Node takeNode() {
        return tree.toNode(true);
    }
}
