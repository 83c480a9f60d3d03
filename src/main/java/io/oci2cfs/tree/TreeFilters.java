package io.oci2cfs.tree;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Whole-tree adjustments matching mkcomposefs's options ({@code --use-epoch}, {@code --skip-xattrs},
 * {@code --user-xattrs}, {@code --skip-devices}) and the splitting of hardlinks that mkcomposefs's directory
 * walk does implicitly.
 */
public final class TreeFilters {

    private TreeFilters() {
    }

    public static void useEpoch(Node root) {
        forEachInode(root, n -> n.mtime(0, 0));
    }

    public static void skipXattrs(Node root) {
        forEachInode(root, Node::clearXattrs);
    }

    public static void userXattrsOnly(Node root) {
        forEachInode(root, n -> {
            for (ByteString name : new ArrayList<>(n.xattrs().keySet())) {
                if (!name.startsWith(Xattr.USER_PREFIX)) {
                    n.removeXattr(name);
                }
            }
        });
    }

    /** Drops character and block devices, and hardlinks to them; whiteouts are character devices too. */
    public static void skipDevices(Node root) {
        forEachDirectory(root, dir -> {
            for (Node c : new ArrayList<>(dir.children())) {
                if (FileMode.isDevice(c.resolve().mode())) {
                    dir.removeChild(c.name());
                }
            }
        });
    }

    /** Gives every name its own inode with nlink 1, as {@code mkcomposefs DIR} does for a tree on disk. */
    public static void breakHardlinks(Node root) {
        forEachDirectory(root, dir -> {
            for (Node c : new ArrayList<>(dir.children())) {
                if (c.isHardlink()) {
                    ByteString name = c.name();
                    dir.removeChild(name);
                    dir.addChild(name, c.resolve().copyInode().nlink(1));
                } else if (!c.isDirectory()) {
                    c.nlink(1);
                }
            }
        });
    }

    /** Visits every node that owns an inode (hardlink entries excluded), root first. */
    public static void forEachInode(Node root, Consumer<Node> action) {
        List<Node> stack = new ArrayList<>();
        stack.add(root);
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            if (n.isHardlink()) {
                continue;
            }
            action.accept(n);
            stack.addAll(n.children());
        }
    }

    private static void forEachDirectory(Node root, Consumer<Node> action) {
        forEachInode(root, n -> {
            if (n.isDirectory()) {
                action.accept(n);
            }
        });
    }
}
