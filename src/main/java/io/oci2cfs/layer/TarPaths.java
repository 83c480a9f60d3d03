package io.oci2cfs.layer;

import io.oci2cfs.tree.ByteString;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Normalizes member names and hardlink targets to paths relative to the layer root.
 *
 * <p>Leading {@code /} and {@code ./}, empty and {@code .} components are dropped. A {@code ..} component
 * removes the component before it, so {@code a/../b} is {@code b}; a {@code ..} that would climb above the
 * root is refused rather than clamped, because a layer that tries it is malformed or hostile (Docker and
 * containerd refuse such members as "breakout" too).
 */
final class TarPaths {
    private TarPaths() {
    }

    static ByteString normalize(ByteString raw, String layer) throws LayerFormatException {
        byte[] b = raw.unsafeArray();
        List<int[]> comps = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= b.length; i++) {
            if (i < b.length && b[i] != '/') {
                continue;
            }
            int len = i - start;
            if (len == 2 && b[start] == '.' && b[start + 1] == '.') {
                if (comps.isEmpty()) {
                    throw new LayerFormatException("layer " + layer + ": tar member path " + raw
                            + " escapes the layer root through ..");
                }
                comps.remove(comps.size() - 1);
            } else if (len > 0 && !(len == 1 && b[start] == '.')) {
                comps.add(new int[] {start, len});
            }
            start = i + 1;
        }
        if (b.length > 0 && b[0] != '/' && comps.size() == 1 && comps.get(0)[1] == b.length) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length);
        for (int[] c : comps) {
            if (out.size() > 0) {
                out.write('/');
            }
            out.write(b, c[0], c[1]);
        }
        return ByteString.wrap(out.toByteArray());
    }
}
