package io.oci2cfs.erofs;

import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.Limits;
import io.oci2cfs.tree.Node;
import io.oci2cfs.tree.OverlayXattrs;
import java.util.HashMap;
import java.util.Map;

/**
 * Replays libcomposefs's xattr size accounting during the overlay rewrite, to refuse exactly the trees
 * mkcomposefs 1.0.8 refuses (quirk Q7, docs/composefs-erofs-format.md §12.4).
 *
 * <p>The writer works on a deep clone whose per-node size counter restarts at 0 while the xattrs are kept.
 * Replacing an xattr subtracts its old cost from that counter as an unsigned 64-bit number, so replacing a
 * long original value (say a 109-byte {@code user.overlay.opaque} on a directory that holds a whiteout)
 * wraps the counter and the next limit check fails with ERANGE. The image bytes never depend on this; only
 * success or failure does.
 */
final class XattrBudget {

    private final Map<ByteString, Integer> valueLengths = new HashMap<>();
    private final Limits.XattrSpace space = new Limits.XattrSpace();

    /** The state right after the clone: the node's xattrs (already escaped), counter at 0. */
    XattrBudget(Node n) {
        for (Map.Entry<ByteString, ByteString> e : n.xattrs().entrySet()) {
            valueLengths.put(OverlayXattrs.escape(e.getKey()), e.getValue().length());
        }
    }

    /** {@code lcfs_node_set_xattr}; returns false where the reference fails with ERANGE. */
    boolean set(ByteString name, int valueLength) {
        Integer old = valueLengths.remove(name);
        if (!space.set(name.length(), old == null ? -1 : old, !valueLengths.isEmpty(), valueLength)) {
            return false;
        }
        valueLengths.put(name, valueLength);
        return true;
    }
}
