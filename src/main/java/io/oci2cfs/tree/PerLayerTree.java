package io.oci2cfs.tree;

/**
 * One layer on its own, in the form of an overlayfs upper directory (for mounting layers separately):
 * whiteouts become 0/0 character devices and opaque directories get {@code trusted.overlay.opaque=y}.
 */
public final class PerLayerTree {
    private PerLayerTree() {
    }

    public static Node build(LayerChanges layer) {
        InodeTree tree = new InodeTree();
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
