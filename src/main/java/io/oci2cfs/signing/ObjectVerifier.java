package io.oci2cfs.signing;

import io.oci2cfs.error.ErrorText;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.linux.FsVerity;
import io.oci2cfs.store.ObjectDigest;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks that the object store backs a composefs image: every object a regular file of the image redirects to
 * exists and has the fs-verity digest the image records for it ({@code trusted.overlay.metacopy}), which is
 * what overlayfs's {@code verity=require} enforces at read time. Objects are hashed in parallel.
 */
final class ObjectVerifier {
    private ObjectVerifier() {
    }

    /** One object the image needs: its path in the store, the digest it must have, a file that uses it. */
    private record Reference(String object, byte[] digest, String usedBy) {
    }

    /**
     * The problems found, one line each ({@code STORE/xx/...: missing (for /usr/bin/x)}), sorted by object;
     * empty when the store backs the whole image.
     */
    public static List<String> verify(Node root, Path objects) {
        return references(root).values().parallelStream()
                .map(r -> check(r, objects))
                .filter(Objects::nonNull)
                .sorted(Comparator.naturalOrder())
                .toList();
    }

    /** How many distinct objects {@code root} refers to. */
    public static int count(Node root) {
        return references(root).size();
    }

    private static Map<String, Reference> references(Node root) {
        Map<String, Reference> refs = new LinkedHashMap<>();
        Deque<Node> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (!n.isHardlink() && FileMode.isReg(n.mode()) && n.payload() != null) {
                String object = ObjectDigest.storeRelative(n.payload().toString());
                refs.putIfAbsent(object, new Reference(object, n.digest(), n.path()));
            }
            n.children().forEach(todo::push);
        }
        return refs;
    }

    private static String check(Reference r, Path objects) {
        Path p = objects.resolve(r.object());
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return p + ": missing (for " + r.usedBy() + ")";
        }
        if (r.digest() == null) {
            return null; // the image records no digest for it: existence is all there is to check
        }
        try {
            byte[] actual = FsVerity.measure(p);
            if (!Arrays.equals(actual, r.digest())) {
                return p + ": fs-verity digest is " + FsVerityHasher.hex(actual) + ", the image expects "
                        + FsVerityHasher.hex(r.digest()) + " (for " + r.usedBy() + ")";
            }
            return null;
        } catch (IOException e) {
            return p + ": cannot read (" + ErrorText.of(e) + ") (for " + r.usedBy() + ")";
        }
    }
}
