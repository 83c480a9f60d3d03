package io.oci2cfs.tree;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The change set of one layer: its tar members in tar order, with whiteout files recognised.
 *
 * <p>Layers are reduced to change sets first and applied afterwards because an image archive (such as
 * {@code docker save} output) may deliver the layer blobs in any order, while they must be applied in
 * manifest order.
 */
public final class LayerChanges {
    static final ByteString WHITEOUT_PREFIX = ByteString.of(".wh.");
    static final ByteString OPAQUE = ByteString.of(".wh..wh..opq");

    private final String layer;
    private List<Change> changes = new ArrayList<>();

    public LayerChanges(String layer) {
        this.layer = layer;
    }

    public String layer() {
        return layer;
    }

    /** The changes in tar order; whiteouts are {@link Change.Whiteout} and {@link Change.Opaque}. */
    public List<Change> changes() {
        return Collections.unmodifiableList(changes);
    }

    /**
     * Adds the next tar member. An entry whose name is {@code .wh..wh..opq} or {@code .wh.NAME} is recorded as
     * the whiteout it stands for, whatever its file type (OCI layer.md: only the name matters).
     *
     * @throws LayerChangeException for a bare {@code .wh.}, a whiteout of {@code .} or {@code ..}, or a
     *     hardlink named like a whiteout
     */
    public LayerChanges add(Change change) throws LayerChangeException {
        ByteString path = change.path();
        int slash = lastSlash(path);
        ByteString name = path.substring(slash + 1);
        if (!(change instanceof Change.Entry || change instanceof Change.Hardlink) || !name.startsWith(WHITEOUT_PREFIX)) {
            changes.add(change);
            return this;
        }
        if (change instanceof Change.Hardlink link) {
            throw new LayerChangeException(layer, "hardlink " + path + " -> " + link.target() + " has a whiteout name");
        }
        ByteString dir = slash < 0 ? ByteString.EMPTY : ByteString.of(path.unsafeArray(), 0, slash);
        if (name.equals(OPAQUE)) {
            changes.add(new Change.Opaque(dir));
            return this;
        }
        ByteString hidden = name.substring(WHITEOUT_PREFIX.length());
        if (hidden.length() == 0 || hidden.equals(ByteString.of(".")) || hidden.equals(ByteString.of(".."))) {
            throw new LayerChangeException(layer, "whiteout " + path + " names no file");
        }
        changes.add(new Change.Whiteout(dir.length() == 0 ? hidden : dir.concat(ByteString.of("/")).concat(hidden)));
        return this;
    }

    /** Hands the changes over and leaves this change set empty. */
    List<Change> takeChanges() {
        List<Change> taken = changes;
        changes = new ArrayList<>();
        return taken;
    }

    static int lastSlash(ByteString path) {
        for (int i = path.length() - 1; i >= 0; i--) {
            if (path.byteAt(i) == '/') {
                return i;
            }
        }
        return -1;
    }
}
