package io.oci2cfs.erofs;

import io.oci2cfs.erofs.RootWhiteouts.Entry;
import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.Node;
import java.util.Arrays;
import java.util.List;

/**
 * §9: each directory's entries, {@code .} and {@code ..} included, in name order, with their targets' inode
 * indices; and where its blocks start (§4.3). Computed once per directory and dropped once its blocks are written.
 */
final class DirectoryEntries {
    private static final ByteString DOT = ByteString.of(".");
    private static final ByteString DOTDOT = ByteString.of("..");

    /** One directory's entries. */
    record Dirents(ByteString[] names, int[] targets) {
        int size() {
            return names.length;
        }

        int cost(int k) {
            return Format.Dirent.SIZE + names[k].length();
        }
    }

    private final Inodes inodes;
    private final Dirents[] cache;

    DirectoryEntries(Inodes inodes) {
        this.inodes = inodes;
        this.cache = new Dirents[inodes.count()];
    }

    Dirents of(int i) {
        Dirents cached = cache[i];
        if (cached != null) {
            return cached;
        }
        Node dir = inodes.node(i);
        List<Entry> entries = inodes.entries(dir);
        int n = entries.size() + 2;
        ByteString[] names = new ByteString[n];
        int[] targets = new int[n];
        int k = 0;
        int next = inodes.firstChild(i);
        boolean dot = false;
        boolean dotdot = false;
        for (Entry e : entries) {
            // "." sorts before "..", so checking them in this order keeps the entries sorted.
            if (!dot && DOT.compareTo(e.name()) < 0) {
                names[k] = DOT;
                targets[k++] = i;
                dot = true;
            }
            if (!dotdot && DOTDOT.compareTo(e.name()) < 0) {
                names[k] = DOTDOT;
                targets[k++] = inodes.parent(i);
                dotdot = true;
            }
            names[k] = e.name();
            targets[k++] = e.node().isHardlink() ? inodes.targetIndex(e.node()) : next++;
        }
        if (!dot) {
            names[k] = DOT;
            targets[k++] = i;
        }
        if (!dotdot) {
            names[k] = DOTDOT;
            targets[k] = inodes.parent(i);
        }
        Dirents d = new Dirents(names, targets);
        cache[i] = d;
        return d;
    }

    void release(int i) {
        cache[i] = null;
    }

    /**
     * Where each block of a directory's entries starts (§4.3): entries fill a block while they fit, the last
     * block being the tail; ends with the entry count.
     */
    int[] blockStarts(int i) {
        Dirents d = of(i);
        int[] starts = new int[d.size() + 1];
        int blocks = 0;
        long used = 0;
        for (int k = 0; k < d.size(); k++) {
            int cost = d.cost(k);
            if (used + cost > Format.BLOCK) {
                starts[++blocks] = k;
                used = 0;
            }
            used += cost;
        }
        starts[++blocks] = d.size();
        return Arrays.copyOf(starts, blocks + 1);
    }
}
