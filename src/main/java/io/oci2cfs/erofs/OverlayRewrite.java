package io.oci2cfs.erofs;

import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Node;
import io.oci2cfs.tree.OverlayXattrs;
import io.oci2cfs.tree.Xattr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * §7: the overlayfs rewriting that mkcomposefs applies to a clone of the tree (escaped xattrs, metacopy and
 * redirect, whiteout conversion, the root's opaque marker), computed per inode instead: the tree is not modified.
 */
final class OverlayRewrite {
    private static final ByteString METACOPY = OverlayXattrs.METACOPY;
    private static final ByteString REDIRECT = OverlayXattrs.REDIRECT;
    private static final XattrName METACOPY_NAME = XattrName.split(METACOPY);
    private static final XattrName REDIRECT_NAME = XattrName.split(REDIRECT);
    private static final ByteString SLASH = ByteString.of("/");
    private static final ByteString Y = ByteString.of("y");
    private static final ByteString X = ByteString.of("x");

    private final Inodes inodes;
    private final int version;
    private final List<Xattr>[] xattrCache;
    private final Map<ByteString, XattrName> splitNames = new ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    OverlayRewrite(Inodes inodes, int version) {
        this.inodes = inodes;
        this.version = version;
        this.xattrCache = new List[inodes.count()];
    }

    /** A regular file whose data is an object of the store rather than in the image (§7.2). */
    static boolean isExternal(Node n) {
        return FileMode.isReg(n.mode()) && n.size() > 0 && n.content() == null;
    }

    /** Most files of an image: external, with no xattrs of their own, so only metacopy and redirect. */
    static boolean isPlainExternal(Node n) {
        return n.xattrs().isEmpty() && isExternal(n);
    }

    static ByteString linkTarget(Node n) {
        return n.payload() == null ? ByteString.EMPTY : n.payload();
    }

    static ByteString metacopy(byte[] digest) {
        return Format.Metacopy.value(digest);
    }

    static ByteString redirect(ByteString payload) {
        return SLASH.concat(payload);
    }

    /** The mode as stored: a whiteout of the source tree becomes a regular file (§7.3). */
    int mode(int i) {
        Node n = inodes.node(i);
        if (Inodes.isSourceWhiteout(n) && !inodes.isRootWhiteout(n)) {
            return FileMode.S_IFREG | (n.mode() & ~FileMode.S_IFMT);
        }
        return n.mode();
    }

    /** A name split into prefix index and suffix (§6.1), remembered across inodes. */
    XattrName split(ByteString name) {
        // The two names nearly every file has skip the map.
        if (name == METACOPY) {
            return METACOPY_NAME;
        }
        if (name == REDIRECT) {
            return REDIRECT_NAME;
        }
        return splitNames.computeIfAbsent(name, XattrName::split);
    }

    /** The size of one xattr's entry (§6). */
    int entrySize(Xattr x) {
        return Format.XattrEntry.size(split(x.name()).suffix().length(), x.value().length());
    }

    /** The node's xattrs as they are stored, sorted by name (computed once per inode). */
    List<Xattr> xattrs(int i) {
        List<Xattr> x = xattrCache[i];
        if (x != null) {
            return x;
        }
        x = rewrittenXattrs(i);
        // A plain external file gets just metacopy and redirect, cheap to rebuild; not caching those keeps the
        // writer's memory per file small on trees of a million files.
        if (!isPlainExternal(inodes.node(i))) {
            xattrCache[i] = x;
        }
        return x;
    }

    /** Drops the cached xattrs of an inode once it is written. */
    void release(int i) {
        xattrCache[i] = null;
    }

    private List<Xattr> rewrittenXattrs(int i) {
        Node n = inodes.node(i);
        if (n.xattrs().isEmpty() && !isExternal(n) && !Inodes.isSourceWhiteout(n) && !inodes.holdsWhiteout(i)
                && i != 0) {
            return List.of();
        }
        if (inodes.isRootWhiteout(n)) {
            return sorted(n.xattrs());
        }
        if (isPlainExternal(n)) {
            // Metacopy, then redirect if any: already in name order.
            Xattr meta = new Xattr(METACOPY, metacopy(n.digest()));
            return n.payload() == null || n.payload().length() == 0 ? List.of(meta)
                    : List.of(meta, new Xattr(REDIRECT, redirect(n.payload())));
        }
        // The node's own names are already sorted, and escaping keeps their order: every escaped name gets
        // the same prefix change. The few names the rewrite adds are inserted (or replace) in place.
        List<Xattr> m = new ArrayList<>(n.xattrs().size() + 2);
        for (Map.Entry<ByteString, ByteString> e : n.xattrs().entrySet()) {
            m.add(new Xattr(OverlayXattrs.escape(e.getKey()), e.getValue()));
        }
        if (isExternal(n)) {
            put(m, METACOPY, metacopy(n.digest()));
            if (n.payload() != null && n.payload().length() > 0) {
                put(m, REDIRECT, redirect(n.payload()));
            }
        }
        if (Inodes.isSourceWhiteout(n)) {
            put(m, OverlayXattrs.ESCAPED_WHITEOUT, ByteString.EMPTY);
            put(m, OverlayXattrs.USER_WHITEOUT, ByteString.EMPTY);
        }
        if (inodes.holdsWhiteout(i)) {
            put(m, OverlayXattrs.ESCAPED_WHITEOUTS, ByteString.EMPTY);
            put(m, OverlayXattrs.USER_WHITEOUTS, ByteString.EMPTY);
            if (version >= 1) {
                put(m, OverlayXattrs.ESCAPED_OPAQUE, X);
                put(m, OverlayXattrs.USER_OPAQUE, X);
            }
        }
        if (i == 0) {
            put(m, OverlayXattrs.OPAQUE, Y);
        }
        return m;
    }

    private static void put(List<Xattr> sortedByName, ByteString name, ByteString value) {
        int lo = 0;
        int hi = sortedByName.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int c = sortedByName.get(mid).name().compareTo(name);
            if (c == 0) {
                sortedByName.set(mid, new Xattr(name, value));
                return;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        sortedByName.add(lo, new Xattr(name, value));
    }

    private static List<Xattr> sorted(Map<ByteString, ByteString> m) {
        List<Xattr> out = new ArrayList<>(m.size());
        for (Map.Entry<ByteString, ByteString> e : m.entrySet()) {
            out.add(new Xattr(e.getKey(), e.getValue()));
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }
}
