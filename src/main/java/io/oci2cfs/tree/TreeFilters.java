package io.oci2cfs.tree;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one home of the {@link TreeOptions} rules: mkcomposefs's {@code --use-epoch}, {@code --skip-xattrs},
 * {@code --user-xattrs}, {@code --skip-devices}, and the splitting of hardlinks that mkcomposefs's directory
 * walk does implicitly. A converted image's tree gets them as a whole; a directory walk applies them entry by
 * entry as it reads, as libcomposefs's {@code lcfs_build} does.
 */
public final class TreeFilters {

    private TreeFilters() {
    }

    /** Applies {@code options} to the whole tree. */
    public static void apply(Node root, TreeOptions options) {
        if (options.useEpoch() || options.skipXattrs() || options.userXattrs()) {
            forEachInode(root, n -> applyToInode(n, options));
        }
        if (options.skipDevices()) {
            forEachDirectory(root, dir -> {
                for (Node c : new ArrayList<>(dir.children())) {
                    if (!keeps(c.resolve().mode(), options)) {
                        dir.removeChild(c.name());
                    }
                }
            });
        }
        if (options.breakHardlinks()) {
            breakHardlinks(root);
        }
    }

    /**
     * Whether an entry of this mode stays: {@code --skip-devices} drops character and block devices, and
     * hardlinks to them; whiteouts are character devices too.
     */
    public static boolean keeps(int mode, TreeOptions options) {
        return !(options.skipDevices() && FileMode.isDevice(mode));
    }

    /** The mtime and xattr rules for one inode; a directory walk applies them as it reads each file. */
    public static void applyToInode(Node n, TreeOptions options) {
        if (options.useEpoch()) {
            n.mtime(0, 0);
        }
        if (options.skipXattrs()) {
            n.clearXattrs();
        } else if (options.userXattrs()) {
            for (ByteString name : new ArrayList<>(n.xattrs().keySet())) {
                if (!name.startsWith(Xattr.USER_PREFIX)) {
                    n.removeXattr(name);
                }
            }
        }
    }

    /** Gives every name its own inode with nlink 1, as {@code mkcomposefs DIR} does for a tree on disk. */
    private static void breakHardlinks(Node root) {
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
