package io.oci2cfs.tree;

import java.nio.charset.StandardCharsets;
import java.util.TreeMap;

/** Test helper: builds a layer's change set member by member, as a tar would list them. */
final class Layers {
    private final LayerChanges changes;

    Layers(String name) {
        changes = new LayerChanges(name);
    }

    LayerChanges done() {
        return changes;
    }

    Layers dir(String path) throws LayerChangeException {
        return dir(path, 0755, 0);
    }

    Layers dir(String path, int perms, int uid) throws LayerChangeException {
        changes.add(new Change.Entry(ByteString.of(path), FileMode.S_IFDIR | perms, uid, uid, 1000, 0, null, null,
                null, 0));
        return this;
    }

    Layers file(String path, String content) throws LayerChangeException {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        ContentRef ref = ContentRef.fitsInline(data.length) ? ContentRef.inline(data)
                : ContentRef.stored(io.oci2cfs.fsverity.FsVerityHasher.digestOf(data), data.length);
        return add(new Change.Entry(ByteString.of(path), FileMode.S_IFREG | 0644, 0, 0, 1000, 0, null, ref, null, 0));
    }

    Layers fileWithXattr(String path, String xattr, String value) throws LayerChangeException {
        TreeMap<ByteString, ByteString> x = new TreeMap<>();
        x.put(ByteString.of(xattr), ByteString.of(value));
        return add(new Change.Entry(ByteString.of(path), FileMode.S_IFREG | 0600, 0, 0, 1000, 0, x,
                ContentRef.inline(new byte[0]), null, 0));
    }

    Layers symlink(String path, String target) throws LayerChangeException {
        return add(new Change.Entry(ByteString.of(path), FileMode.S_IFLNK | 0777, 0, 0, 1000, 0, null, null,
                ByteString.of(target), 0));
    }

    Layers hardlink(String path, String target) throws LayerChangeException {
        return add(new Change.Hardlink(ByteString.of(path), ByteString.of(target)));
    }

    Layers add(Change c) throws LayerChangeException {
        changes.add(c);
        return this;
    }

    /** Regular file or directory listing of a tree, e.g. "/a/ d", "/a/f r=data", "/l l->t", "/h h->/a/f". */
    static String dump(Node root) {
        StringBuilder sb = new StringBuilder();
        dump(root, sb);
        return sb.toString().trim();
    }

    private static void dump(Node dir, StringBuilder sb) {
        for (Node n : dir.children()) {
            sb.append(n.path()).append(' ');
            if (n.isHardlink()) {
                sb.append("h->").append(n.linkTarget().path());
            } else if (n.isDirectory()) {
                sb.append('d');
            } else if (FileMode.isReg(n.mode())) {
                sb.append("r=").append(n.content() == null ? (n.digest() == null ? "" : "#" + n.size())
                        : new String(n.content(), StandardCharsets.UTF_8));
            } else if (FileMode.isLink(n.mode())) {
                sb.append("l->").append(n.payload());
            } else {
                sb.append("m").append(Integer.toOctalString(n.mode())).append(" rdev=").append(n.rdev());
            }
            sb.append('\n');
            if (n.isDirectory()) {
                dump(n, sb);
            }
        }
    }

    static Node at(Node root, String path) {
        Node n = root;
        for (String c : path.split("/")) {
            n = n.child(ByteString.of(c));
            if (n == null) {
                throw new AssertionError("no " + path + " in\n" + dump(root));
            }
        }
        return n;
    }
}
