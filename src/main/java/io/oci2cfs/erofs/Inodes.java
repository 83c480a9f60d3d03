package io.oci2cfs.erofs;

import io.oci2cfs.erofs.RootWhiteouts.Entry;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * §3: the inodes of an image in breadth-first order, the index of each being its {@code i_ino}; each
 * directory's inode children are contiguous. Hardlink entries are not inodes: they name their target's index.
 */
final class Inodes {
    final Node root;
    /** The root's entries, its 00..ff whiteouts included (§7.4). */
    private final List<Entry> rootEntries;
    private Node[] nodes;
    private int[] parent;
    private int[] firstChild;
    private int count;
    private final IdentityHashMap<Node, Integer> linkTargetIndex = new IdentityHashMap<>();
    /** Whether a directory holds a whiteout of the source tree (§7.3). */
    private boolean[] holdsWhiteout;

    private Inodes(Node root, List<Entry> rootEntries) {
        this.root = root;
        this.rootEntries = rootEntries;
    }

    static Inodes number(Node root, List<Entry> rootEntries) {
        Inodes inodes = new Inodes(root, rootEntries);
        inodes.numberBreadthFirst();
        return inodes;
    }

    int count() {
        return count;
    }

    Node node(int i) {
        return nodes[i];
    }

    int parent(int i) {
        return parent[i];
    }

    int firstChild(int i) {
        return firstChild[i];
    }

    int endChild(int i) {
        return i + 1 < count ? firstChild[i + 1] : count;
    }

    boolean holdsWhiteout(int i) {
        return holdsWhiteout[i];
    }

    /** A directory's entries in name order, without {@code .} and {@code ..}. */
    List<Entry> entries(Node dir) {
        if (dir == root) {
            return rootEntries;
        }
        List<Entry> entries = new ArrayList<>(dir.childCount());
        for (Node c : dir.children()) {
            entries.add(new Entry(c.name(), c));
        }
        return entries;
    }

    /** The index of the inode a hardlink entry names. */
    int targetIndex(Node link) {
        Integer idx = linkTargetIndex.get(link.resolve());
        if (idx == null || idx < 0) {
            throw new IllegalStateException(link.path() + ": hardlink target is not in the tree");
        }
        return idx;
    }

    /** One of the whiteouts §7.4 adds: the only inodes outside the source tree. */
    boolean isRootWhiteout(Node n) {
        return n.parent() == null && n != root;
    }

    /** A whiteout of the source tree (a 0/0 character device), which §7.3 turns into a regular file. */
    static boolean isSourceWhiteout(Node n) {
        return !n.isHardlink() && FileMode.isChr(n.mode()) && n.rdev() == 0;
    }

    private void numberBreadthFirst() {
        int cap = 1024;
        nodes = new Node[cap];
        parent = new int[cap];
        firstChild = new int[cap];
        nodes[0] = root;
        count = 1;
        for (int i = 0; i < count; i++) {
            firstChild[i] = count;
            Node n = nodes[i];
            if (!n.isDirectory()) {
                continue;
            }
            if (n == root) {
                for (Entry e : rootEntries) {
                    add(e.node(), i);
                }
            } else {
                for (Node c : n.children()) {
                    add(c, i);
                }
            }
        }
        nodes = Arrays.copyOf(nodes, count);
        parent = Arrays.copyOf(parent, count);
        firstChild = Arrays.copyOf(firstChild, count);
        for (int i = 0; i < count && !linkTargetIndex.isEmpty(); i++) {
            if (linkTargetIndex.containsKey(nodes[i])) {
                linkTargetIndex.put(nodes[i], i);
            }
        }
        holdsWhiteout = new boolean[count];
        for (int i = 1; i < count; i++) {
            if (isSourceWhiteout(nodes[i]) && !isRootWhiteout(nodes[i])) {
                holdsWhiteout[parent[i]] = true;
            }
        }
    }

    private void add(Node n, int parentIndex) {
        if (n.isHardlink()) {
            linkTargetIndex.put(n.resolve(), -1);
            return;
        }
        if (count == nodes.length) {
            nodes = Arrays.copyOf(nodes, count * 2);
            parent = Arrays.copyOf(parent, count * 2);
            firstChild = Arrays.copyOf(firstChild, count * 2);
        }
        nodes[count] = n;
        parent[count] = parentIndex;
        count++;
    }
}
