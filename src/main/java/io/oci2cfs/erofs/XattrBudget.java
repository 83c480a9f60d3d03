package io.oci2cfs.erofs;

import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.Node;
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
    private static final long LIMIT = 0xFFFF / 2;
    private static final int ENTRY_OVERHEAD = 7;
    private static final int HEADER = 12;

    private final Map<ByteString, Integer> valueLengths = new HashMap<>();
    private long counter;

    /** The state right after the clone: the node's xattrs (already escaped), counter at 0. */
    XattrBudget(Node n, ByteString trustedOverlay, ByteString escapedOverlay) {
        for (Map.Entry<ByteString, ByteString> e : n.xattrs().entrySet()) {
            ByteString name = e.getKey();
            if (name.startsWith(trustedOverlay)) {
                name = escapedOverlay.concat(name.substring(trustedOverlay.length()));
            }
            valueLengths.put(name, e.getValue().length());
        }
    }

    /** {@code lcfs_node_set_xattr}; returns false where the reference fails with ERANGE. */
    boolean set(ByteString name, int valueLength) {
        Integer old = valueLengths.remove(name);
        if (old != null) {
            counter = valueLengths.isEmpty() ? 0 : counter - (ENTRY_OVERHEAD + name.length() + old);
        }
        long entry = ENTRY_OVERHEAD + name.length() + valueLength + (valueLengths.isEmpty() ? HEADER : 0);
        if (Long.compareUnsigned(counter + entry, LIMIT) > 0) {
            return false;
        }
        counter += entry;
        valueLengths.put(name, valueLength);
        return true;
    }
}
