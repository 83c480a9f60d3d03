package io.oci2cfs.image;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;

/** Member names inside image archives. */
final class ArchivePaths {
    private static final Pattern HEX_JSON = Pattern.compile("([0-9a-f]{64})\\.json");

    private ArchivePaths() {
    }

    /** {@code ./a//b/} becomes {@code a/b}; {@code ..} is resolved but cannot climb above the root. */
    static String normalize(String name) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }

    /** Where a symlink member named {@code name} pointing at {@code target} leads. */
    static String symlinkTarget(String name, String target) {
        if (target.startsWith("/")) {
            return normalize(target);
        }
        int slash = name.lastIndexOf('/');
        return normalize(slash < 0 ? target : name.substring(0, slash + 1) + target);
    }

    /**
     * The digest a member's name promises: {@code blobs/<alg>/<hex>} in a layout, {@code <hex>.json} for a
     * docker config (named by the image ID, the config's sha256). Null if the name promises nothing.
     */
    static Digest promisedDigest(String name) {
        Digest fromLayout = Digest.fromBlobPath(name);
        if (fromLayout != null) {
            return fromLayout;
        }
        var m = HEX_JSON.matcher(name);
        return m.matches() ? new Digest("sha256", m.group(1)) : null;
    }
}
