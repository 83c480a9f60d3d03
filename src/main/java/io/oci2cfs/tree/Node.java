package io.oci2cfs.tree;

import io.oci2cfs.store.ObjectDigest;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One entry of the metadata tree, shaped like libcomposefs's {@code lcfs_node}.
 *
 * <p>A node is either an inode (directory, regular file, symlink, device, fifo, socket) or a hardlink entry
 * whose {@link #linkTarget()} is another node: a hardlink entry has a name and a place in its parent
 * directory but no inode of its own. Numbers that are unsigned 32-bit on disk (uid, gid, nlink, rdev) are
 * kept in Java {@code int}s and read with {@link Integer#toUnsignedLong}.
 *
 * <p>Nodes are mutable while a tree is built; writers treat them as read-only.
 */
public final class Node {
    private ByteString name;
    private Node parent;
    private int mode;
    private int uid;
    private int gid;
    private int nlink = 1;
    private int rdev;
    private long size;
    private long mtimeSec;
    private int mtimeNsec;
    private ByteString payload;
    private byte[] content;
    private byte[] digest;
    private NavigableMap<ByteString, ByteString> xattrs;
    private NavigableMap<ByteString, Node> children;
    private Node linkTarget;
    private boolean payloadFromDigest;

    public Node(int mode) {
        this.mode = mode;
    }

    /** A hardlink entry named in a directory that refers to {@code target}'s inode. */
    public static Node hardlink(int mode, Node target) {
        Node n = new Node(mode);
        n.linkTarget = target;
        return n;
    }

    public ByteString name() {
        return name;
    }

    public Node parent() {
        return parent;
    }

    public int mode() {
        return mode;
    }

    public Node mode(int mode) {
        this.mode = mode;
        return this;
    }

    public int uid() {
        return uid;
    }

    public Node uid(int uid) {
        this.uid = uid;
        return this;
    }

    public int gid() {
        return gid;
    }

    public Node gid(int gid) {
        this.gid = gid;
        return this;
    }

    public int nlink() {
        return nlink;
    }

    public Node nlink(int nlink) {
        this.nlink = nlink;
        return this;
    }

    public int rdev() {
        return rdev;
    }

    public Node rdev(int rdev) {
        this.rdev = rdev;
        return this;
    }

    public long size() {
        return size;
    }

    public Node size(long size) {
        this.size = size;
        return this;
    }

    public long mtimeSec() {
        return mtimeSec;
    }

    public int mtimeNsec() {
        return mtimeNsec;
    }

    public Node mtime(long sec, int nsec) {
        this.mtimeSec = sec;
        this.mtimeNsec = nsec;
        return this;
    }

    /** The symlink target, or for a regular file the object path that becomes its overlay redirect. */
    public ByteString payload() {
        if (payloadFromDigest && digest != null) {
            return ByteString.wrap(new ObjectDigest(digest).pathBytes());
        }
        return payload;
    }

    public Node payload(ByteString payload) {
        this.payload = payload;
        this.payloadFromDigest = false;
        return this;
    }

    /**
     * Makes the payload the object-store path of the digest, {@code xx/<62 hex>}, computed when asked for
     * rather than kept: a tree of a million files saves a hundred bytes a file.
     */
    public Node payloadFromDigest() {
        this.payload = null;
        this.payloadFromDigest = true;
        return this;
    }

    /** Whether {@link #payload()} is the digest's object path, made on each call (see {@link #payloadFromDigest()}). */
    public boolean hasPayloadFromDigest() {
        return payloadFromDigest && digest != null;
    }

    /** Inline file content, or null when the data lives in the object store. Never modify the array. */
    public byte[] content() {
        return content;
    }

    public Node content(byte[] content) {
        this.content = content;
        return this;
    }

    /** The 32-byte fs-verity SHA-256 digest of the file data, or null. Never modify the array. */
    public byte[] digest() {
        return digest;
    }

    public Node digest(byte[] digest) {
        if (digest != null && digest.length != 32) {
            throw new IllegalArgumentException("fs-verity digest must be 32 bytes, got " + digest.length);
        }
        this.digest = digest;
        return this;
    }

    /**
     * Makes this hardlink entry refer to {@code target} (links to links are followed when resolving).
     *
     * @throws IllegalArgumentException if that would make a loop
     */
    public Node linkTo(Node target) {
        for (Node n = target; n != null; n = n.linkTarget) {
            if (n == this) {
                throw new IllegalArgumentException("hardlink loop at " + path());
            }
        }
        this.linkTarget = target;
        return this;
    }

    public Node linkTarget() {
        return linkTarget;
    }

    public boolean isHardlink() {
        return linkTarget != null;
    }

    /** Follows hardlink entries to the node that owns the inode. */
    public Node resolve() {
        Node n = this;
        while (n.linkTarget != null) {
            n = n.linkTarget;
        }
        return n;
    }

    public boolean isDirectory() {
        return linkTarget == null && FileMode.isDir(mode);
    }

    /** Extended attributes sorted by name as unsigned bytes. */
    public Map<ByteString, ByteString> xattrs() {
        if (xattrs == null) {
            return Collections.emptyMap();
        }
        // A fresh view per call rather than a cached one: a field would cost every node of a million-file
        // tree 4 bytes, and the view is cheap to make.
        return Collections.unmodifiableMap(xattrs);
    }

    public Node setXattr(ByteString name, ByteString value) {
        if (xattrs == null) {
            xattrs = new TreeMap<>();
        }
        xattrs.put(name, value);
        return this;
    }

    public Node setXattr(String name, String value) {
        return setXattr(ByteString.of(name), ByteString.of(value));
    }

    public ByteString removeXattr(ByteString name) {
        if (xattrs == null) {
            return null;
        }
        ByteString old = xattrs.remove(name);
        if (xattrs.isEmpty()) {
            xattrs = null;
        }
        return old;
    }

    public void clearXattrs() {
        xattrs = null;
    }

    /** The directory's entries sorted by name as unsigned bytes ({@code .} and {@code ..} are implicit). */
    public Collection<Node> children() {
        if (children == null) {
            return Collections.emptyList();
        }
        return Collections.unmodifiableCollection(children.values());
    }

    public int childCount() {
        return children == null ? 0 : children.size();
    }

    public Node child(ByteString childName) {
        return children == null ? null : children.get(childName);
    }

    /**
     * Adds {@code child} under {@code childName}.
     *
     * @throws IllegalStateException if this is not a directory or the name is taken
     */
    public Node addChild(ByteString childName, Node child) {
        if (!tryAddChild(childName, child)) {
            throw new IllegalStateException("duplicate name " + childName);
        }
        return child;
    }

    /**
     * Adds {@code child} under {@code childName} unless the name is taken: one map lookup where asking
     * {@link #child} first would take two.
     *
     * @return false, with nothing changed, if the name is taken
     * @throws IllegalStateException if this is not a directory
     */
    public boolean tryAddChild(ByteString childName, Node child) {
        if (!isDirectory()) {
            throw new IllegalStateException("not a directory");
        }
        if (children == null) {
            children = new TreeMap<>();
        }
        if (children.putIfAbsent(childName, child) != null) {
            return false;
        }
        child.name = childName;
        child.parent = this;
        return true;
    }

    public Node removeChild(ByteString childName) {
        if (children == null) {
            return null;
        }
        Node removed = children.remove(childName);
        if (removed != null) {
            removed.parent = null;
        }
        return removed;
    }

    public void clearChildren() {
        if (children != null) {
            children.values().forEach(c -> c.parent = null);
            children = null;
        }
    }

    /** A detached copy of this inode's metadata and content reference (no name, parent or children). */
    public Node copyInode() {
        Node n = new Node(mode).uid(uid).gid(gid).nlink(nlink).rdev(rdev).size(size).mtime(mtimeSec, mtimeNsec)
                .payload(payload).content(content).digest(digest);
        n.payloadFromDigest = payloadFromDigest;
        if (xattrs != null) {
            n.xattrs = new TreeMap<>(xattrs);
        }
        return n;
    }

    /** The path from the root, {@code /} for the root itself. */
    public String path() {
        if (parent == null) {
            return "/";
        }
        StringBuilder sb = new StringBuilder();
        for (Node n = this; n.parent != null; n = n.parent) {
            sb.insert(0, n.name).insert(0, '/');
        }
        return sb.toString();
    }
}
