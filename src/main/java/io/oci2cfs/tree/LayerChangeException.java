package io.oci2cfs.tree;

/** A layer whose changes cannot be applied: bad whiteout names, dangling hardlinks, impossible paths. */
public class LayerChangeException extends IllegalArgumentException {
    public LayerChangeException(String layer, String message) {
        super("layer " + layer + ": " + message);
    }
}
