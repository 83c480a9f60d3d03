package io.oci2cfs.tree;

import io.oci2cfs.error.BadInputException;

/** A layer whose changes cannot be applied: bad whiteout names, dangling hardlinks, impossible paths. */
public class LayerChangeException extends BadInputException {
    public LayerChangeException(String layer, String message) {
        super("layer " + layer + ": " + message);
    }

    /** This failure with the image it happened in named in front. */
    public LayerChangeException(String image, LayerChangeException cause) {
        super(image + ": " + cause.getMessage(), cause);
    }
}
