package io.oci2cfs.tree;

import io.oci2cfs.error.UnsupportedTreeException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The working tree behind {@link MergedTree} and {@link PerLayerTree}: directory entries map names to
 * {@link Inode} objects, and hardlinked names share one object, so removing or replacing one name never
 * touches the others and nlink is simply the number of names left at the end.
 */
final class InodeTree {
    private static final ByteString SLASH = ByteString.of("/");
    /** Directories no layer lists (OCI layer.md leaves them unspecified; this is what tar extraction does). */
    private static final int IMPLIED_DIR_MODE = FileMode.S_IFDIR | 0755;

    static final class Inode {
        private final int layer;
        private final TreeMap<ByteString, Inode> children;
        private int mode;
        private int uid;
        private int gid;
        private long mtimeSec;
        private int mtimeNsec;
        /** Shared with the change it came from (immutable) until a marker is added; see {@link #putXattr}. */
        private NavigableMap<ByteString, ByteString> xattrs = java.util.Collections.emptyNavigableMap();
        private ContentRef content;
        private ByteString symlinkTarget;
        private int rdev;
        /** Names this inode has in the tree, counted by {@link #toNode(boolean)} (fits the object's padding). */
        private int names;

        private Inode(int mode, int layer) {
            this.mode = mode;
            this.layer = layer;
            this.children = FileMode.isDir(mode) ? new TreeMap<>() : null;
        }

        static Inode of(Change.Entry e, int layer) {
            Inode inode = new Inode(e.mode(), layer);
            inode.setMetadata(e);
            inode.content = e.content();
            inode.symlinkTarget = e.symlinkTarget();
            inode.rdev = e.rdev();
            return inode;
        }

        void setMetadata(Change.Entry e) {
            mode = e.mode();
            uid = e.uid();
            gid = e.gid();
            mtimeSec = e.mtimeSec();
            mtimeNsec = e.mtimeNsec();
            xattrs = e.xattrs();
        }

        boolean isDir() {
            return children != null;
        }

        void putXattr(ByteString name, ByteString value) {
            if (!(xattrs instanceof TreeMap)) {
                xattrs = new TreeMap<>(xattrs);
            }
            xattrs.put(name, value);
        }

        void copyMetadata(Inode from) {
            mode = from.mode;
            uid = from.uid;
            gid = from.gid;
            mtimeSec = from.mtimeSec;
            mtimeNsec = from.mtimeNsec;
            xattrs = from.xattrs instanceof TreeMap ? new TreeMap<>(from.xattrs) : from.xattrs;
        }

        /** A copy of a lower non-directory, as overlayfs copy-up makes when an upper layer links to it. */
        Inode copyUp(int layer) {
            Inode copy = new Inode(mode, layer);
            copy.copyMetadata(this);
            copy.content = content;
            copy.symlinkTarget = symlinkTarget;
            copy.rdev = rdev;
            return copy;
        }
    }

    private final Inode root;
    /** For a per-layer tree, the layers below: implied directories and hardlinked files come from there. */
    private final InodeTree lower;
    private final Map<Inode, Inode> copiedUp = new IdentityHashMap<>();

    InodeTree() {
        this(null);
    }

    InodeTree(InodeTree lower) {
        this.lower = lower;
        this.root = new Inode(IMPLIED_DIR_MODE, -1);
        if (lower != null) {
            root.copyMetadata(lower.root);
        }
    }

    /** Adds one entry or hardlink on top of what is there, as extracting it from a tar would. */
    void apply(Change change, int layer, String layerName) throws LayerChangeException {
        List<ByteString> comps = split(change.path());
        if (change instanceof Change.Entry e) {
            if (comps.isEmpty()) {
                if (!FileMode.isDir(e.mode())) {
                    throw new LayerChangeException(layerName, "the root entry is not a directory");
                }
                root.setMetadata(e);
                return;
            }
            Inode parent = walk(comps, comps.size() - 1, true, layer, layerName, change.path());
            ByteString name = comps.get(comps.size() - 1);
            Inode old = parent.children.get(name);
            if (old != null && old.isDir() && FileMode.isDir(e.mode())) {
                old.setMetadata(e);
            } else {
                parent.children.put(name, Inode.of(e, layer));
            }
        } else if (change instanceof Change.Hardlink h) {
            Inode target = find(split(h.target()));
            if (target == null && lower != null) {
                Inode below = lower.find(split(h.target()));
                if (below != null && !below.isDir()) {
                    target = copiedUp.computeIfAbsent(below, b -> b.copyUp(layer));
                }
            }
            if (target == null || target.isDir()) {
                throw new LayerChangeException(layerName, "hardlink " + h.path() + " -> " + h.target() + ": target "
                        + (target == null ? "does not exist" : "is a directory"));
            }
            if (comps.isEmpty()) {
                throw new LayerChangeException(layerName, "hardlink to " + h.target() + " replaces the root");
            }
            Inode parent = walk(comps, comps.size() - 1, true, layer, layerName, change.path());
            parent.children.put(comps.get(comps.size() - 1), target);
        } else {
            throw new IllegalArgumentException("not an entry or hardlink: " + change);
        }
    }

    /**
     * Applies a whiteout to what the lower layers built. Missing parent directories are created, as
     * extracting the whiteout file would; a parent that is a symlink or other non-directory is not followed
     * and makes the whiteout a no-op.
     */
    void hideLower(Change change, int layer, String layerName) throws LayerChangeException {
        List<ByteString> comps = split(change.path());
        if (change instanceof Change.Whiteout) {
            Inode parent = walk(comps, comps.size() - 1, false, layer, layerName, change.path());
            if (parent != null) {
                parent.children.remove(comps.get(comps.size() - 1));
            }
        } else if (change instanceof Change.Opaque) {
            Inode dir = walk(comps, comps.size(), false, layer, layerName, change.path());
            if (dir != null) {
                dir.children.clear();
            }
        }
    }

    /**
     * Records a whiteout the way overlayfs stores it in an upper directory: {@code .wh.NAME} becomes a 0/0
     * character device NAME, {@code .wh..wh..opq} the xattr {@code trusted.overlay.opaque=y}. An entry of the
     * layer at the same name wins; if it is a directory it becomes opaque, since its lower twin is hidden.
     */
    void addOverlayMarker(Change change, int layer, String layerName)
            throws LayerChangeException, UnsupportedTreeException {
        List<ByteString> comps = split(change.path());
        int dirDepth = change instanceof Change.Whiteout ? comps.size() - 1 : comps.size();
        if (lower != null && lower.nonDirectoryOnPath(comps, dirDepth)) {
            // The merge treats this whiteout as a no-op (it never follows symlinks); so must the layer image.
            return;
        }
        if (change instanceof Change.Whiteout) {
            Inode parent = walk(comps, comps.size() - 1, true, layer, layerName, change.path());
            ByteString name = comps.get(comps.size() - 1);
            Inode existing = parent.children.get(name);
            if (existing == null) {
                // Mode 0000 as Docker's overlay2 driver creates them: mknod(path, S_IFCHR, 0).
                parent.children.put(name, new Inode(FileMode.S_IFCHR, layer));
            } else if (existing.isDir()) {
                markOpaque(existing, layerName, change.path());
            }
        } else if (change instanceof Change.Opaque) {
            markOpaque(walk(comps, comps.size(), true, layer, layerName, change.path()), layerName, change.path());
        }
    }

    /** The opaque marker takes xattr space the layer's own xattrs may already fill. */
    private static void markOpaque(Inode dir, String layerName, ByteString path) throws UnsupportedTreeException {
        dir.putXattr(OverlayXattrs.OPAQUE, ByteString.of("y"));
        try {
            Limits.checkXattrs(dir.xattrs);
        } catch (Limits.Exceeded e) {
            throw new UnsupportedTreeException("layer " + layerName + ": member " + path
                    + ": with the opaque marker, " + e.getMessage(), e);
        }
    }

    /**
     * The directory at the first {@code n} components, creating missing ones. A non-directory on the way is
     * replaced by a directory when {@code replace} is set and a lower layer made it (an overlayfs upper
     * directory hides a lower non-directory the same way); one made by this layer is an error, as tar
     * extraction would fail there. Without {@code replace} a non-directory yields null.
     */
    private Inode walk(List<ByteString> comps, int n, boolean replace, int layer, String layerName, ByteString path)
            throws LayerChangeException {
        Inode dir = root;
        for (int i = 0; i < n; i++) {
            ByteString name = comps.get(i);
            Inode next = dir.children.get(name);
            if (next != null && !next.isDir()) {
                if (!replace) {
                    return null;
                }
                if (next.layer == layer) {
                    throw new LayerChangeException(layerName, path + ": parent " + join(comps, i + 1)
                            + " is not a directory");
                }
                next = null;
            }
            if (next == null) {
                next = new Inode(IMPLIED_DIR_MODE, layer);
                Inode below = lower == null ? null : lower.find(comps.subList(0, i + 1));
                if (below != null && below.isDir()) {
                    // An overlay upper directory made by copy-up carries the lower directory's metadata.
                    next.copyMetadata(below);
                }
                dir.children.put(name, next);
            }
            dir = next;
        }
        return dir;
    }

    /** Whether one of the first {@code n} components names something other than a directory. */
    private boolean nonDirectoryOnPath(List<ByteString> comps, int n) {
        Inode node = root;
        for (int i = 0; i < n; i++) {
            node = node.children.get(comps.get(i));
            if (node == null) {
                return false;
            }
            if (!node.isDir()) {
                return true;
            }
        }
        return false;
    }

    /** The inode at a path, without following symlinks; null if absent. */
    private Inode find(List<ByteString> comps) {
        Inode node = root;
        for (ByteString name : comps) {
            if (!node.isDir()) {
                return null;
            }
            node = node.children.get(name);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    /**
     * Builds the {@link Node} tree. Of the names of a multiply-linked inode, the first one met walking the tree
     * breadth-first with names in unsigned-byte order holds the real node; the others are hardlink entries to
     * it. Directory nlink is 2 plus the number of subdirectories, as on Linux filesystems.
     */
    Node toNode() {
        return toNode(false);
    }

    /**
     * The tree as {@link Node}s. With {@code release}, each directory's entries are dropped here as soon as
     * they are converted, so the two trees are never both whole in memory; this tree is empty afterwards.
     */
    Node toNode(boolean release) {
        resetNames(root);
        countNames(root);
        Map<Inode, Node> primaries = new IdentityHashMap<>();
        Node rootNode = newNode(root);
        ArrayDeque<Map.Entry<Inode, Node>> queue = new ArrayDeque<>();
        queue.add(Map.entry(root, rootNode));
        while (!queue.isEmpty()) {
            Map.Entry<Inode, Node> dir = queue.poll();
            for (Map.Entry<ByteString, Inode> child : dir.getKey().children.entrySet()) {
                Inode inode = child.getValue();
                Node primary = primaries.get(inode);
                if (primary != null) {
                    dir.getValue().addChild(child.getKey(), Node.hardlink(inode.mode, primary));
                    continue;
                }
                Node node = dir.getValue().addChild(child.getKey(), newNode(inode));
                if (inode.isDir()) {
                    queue.add(Map.entry(inode, node));
                } else if (inode.names > 1) {
                    primaries.put(inode, node);
                }
            }
            if (release) {
                dir.getKey().children.clear();
            }
        }
        return rootNode;
    }

    private static void resetNames(Inode dir) {
        for (Inode child : dir.children.values()) {
            if (child.isDir()) {
                resetNames(child);
            } else {
                child.names = 0;
            }
        }
    }

    private static void countNames(Inode dir) {
        for (Inode child : dir.children.values()) {
            if (child.isDir()) {
                countNames(child);
            } else {
                child.names++;
            }
        }
    }

    private static Node newNode(Inode inode) {
        Node node = new Node(inode.mode).uid(inode.uid).gid(inode.gid).mtime(inode.mtimeSec, inode.mtimeNsec)
                .rdev(inode.rdev);
        inode.xattrs.forEach(node::setXattr);
        if (inode.isDir()) {
            int subdirs = (int) inode.children.values().stream().filter(Inode::isDir).count();
            return node.nlink(2 + subdirs);
        }
        node.nlink(inode.names);
        if (inode.content != null) {
            node.size(inode.content.size());
            if (inode.content.inline() != null) {
                node.content(inode.content.size() == 0 ? null : inode.content.inline());
            } else {
                node.digest(inode.content.digest()).payloadFromDigest();
            }
        } else if (inode.symlinkTarget != null) {
            node.payload(inode.symlinkTarget).size(inode.symlinkTarget.length());
        }
        return node;
    }

    static List<ByteString> split(ByteString path) {
        List<ByteString> comps = new ArrayList<>();
        byte[] b = path.unsafeArray();
        int start = 0;
        for (int i = 0; i <= b.length; i++) {
            if (i == b.length || b[i] == '/') {
                if (i > start) {
                    comps.add(ByteString.of(b, start, i - start));
                }
                start = i + 1;
            }
        }
        return comps;
    }

    private static ByteString join(List<ByteString> comps, int n) {
        ByteString out = ByteString.EMPTY;
        for (int i = 0; i < n; i++) {
            out = i == 0 ? comps.get(i) : out.concat(SLASH).concat(comps.get(i));
        }
        return out;
    }
}
