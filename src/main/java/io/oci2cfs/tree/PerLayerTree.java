package io.oci2cfs.tree;

/**
 * One layer on its own, in the form of an overlayfs upper directory (for mounting layers separately):
 * whiteouts become 0/0 character devices and opaque directories get {@code trusted.overlay.opaque=y}.
 */
public final class PerLayerTree {
    private PerLayerTree() {
    }

    /** One layer alone (the base layer, or one whose hardlinks and parents are all its own). */
    public static Node build(LayerChanges layer) throws LayerChangeException {
        return build(layer, null);
    }

    /**
     * One layer as an upper directory over {@code below} (the merged layers under it, or null): directories it
     * does not list take the lower directory's metadata, and a hardlink to a lower file becomes a copy of that
     * file, as overlayfs copy-up would leave them.
     */
    public static Node build(LayerChanges layer, MergedTree below) throws LayerChangeException {
        InodeTree tree = new InodeTree(below == null ? null : below.inodes());
        for (Change c : layer.changes()) {
            if (c instanceof Change.Entry || c instanceof Change.Hardlink) {
                tree.apply(c, 0, layer.layer());
            }
        }
        for (Change c : layer.changes()) {
            if (c instanceof Change.Whiteout || c instanceof Change.Opaque) {
                tree.addOverlayMarker(c, 0, layer.layer());
            }
        }
        return tree.toNode();
    }
}
