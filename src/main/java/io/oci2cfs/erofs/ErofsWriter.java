package io.oci2cfs.erofs;

import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.store.ObjectDigest;
import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Node;
import io.oci2cfs.tree.Xattr;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a tree as a composefs EROFS image, byte-identical to libcomposefs 1.0.8.
 *
 * <p>The tree is not modified: the overlay rewriting that mkcomposefs applies to a clone (escaped xattrs,
 * metacopy/redirect, whiteout conversion, the root whiteouts) is computed on the fly. The layout is computed
 * first and the image is then streamed in one sequential pass, so memory stays proportional to the number of
 * inodes, not to the image size.
 *
 * <p>Section numbers (§) and quirks (Qn) in the comments refer to docs/composefs-erofs-format.md.
 */
public final class ErofsWriter {
    static final int BLOCK = 4096;
    static final int SUPERBLOCK_OFFSET = 1024;
    static final int INODES_START = 1152;
    static final int COMPOSEFS_MAGIC = 0xd078629a;
    static final int EROFS_MAGIC = 0xE0F5E1E2;
    static final int FEATURE_COMPAT = 2 | 4; // MTIME | XATTR_FILTER
    static final int LAYOUT_FLAT_PLAIN = 0;
    static final int LAYOUT_FLAT_INLINE = 2;
    static final int LAYOUT_CHUNK_BASED = 4;
    static final int MAX_CHUNKS = 1024;
    static final int MAX_SHARED_REFS = 128;
    static final int DIRENT_SIZE = 12;
    /** The kernel refuses longer entry names as "bogus dirent". */
    static final int EROFS_NAME_LEN = 255;
    /** Inodes serialized in parallel before being written in order. */
    private static final int BATCH = 8192;
    /** At most this many data blocks (4 MiB) are encoded ahead of the output. */
    private static final int BATCH_BLOCKS = 1024;

    private static final ByteString TRUSTED_OVERLAY = ByteString.of("trusted.overlay.");
    private static final ByteString ESCAPED_OVERLAY = ByteString.of("trusted.overlay.overlay.");
    private static final ByteString METACOPY = ByteString.of("trusted.overlay.metacopy");
    private static final ByteString REDIRECT = ByteString.of("trusted.overlay.redirect");
    private static final XattrName METACOPY_NAME = XattrName.split(METACOPY);
    private static final XattrName REDIRECT_NAME = XattrName.split(REDIRECT);
    private static final ByteString ROOT_OPAQUE = ByteString.of("trusted.overlay.opaque");
    private static final ByteString WHITEOUT_T = ByteString.of("trusted.overlay.overlay.whiteout");
    private static final ByteString WHITEOUT_U = ByteString.of("user.overlay.whiteout");
    private static final ByteString WHITEOUTS_T = ByteString.of("trusted.overlay.overlay.whiteouts");
    private static final ByteString WHITEOUTS_U = ByteString.of("user.overlay.whiteouts");
    private static final ByteString OPAQUE_T = ByteString.of("trusted.overlay.overlay.opaque");
    private static final ByteString OPAQUE_U = ByteString.of("user.overlay.opaque");
    private static final ByteString SELINUX = ByteString.of("security.selinux");
    private static final ByteString ACL_ACCESS = ByteString.of("system.posix_acl_access");
    private static final ByteString ACL_DEFAULT = ByteString.of("system.posix_acl_default");
    private static final ByteString DOT = ByteString.of(".");
    private static final ByteString DOTDOT = ByteString.of("..");
    private static final ByteString EMPTY = ByteString.EMPTY;
    private static final ByteString SLASH = ByteString.of("/");
    private static final ByteString Y = ByteString.of("y");
    private static final ByteString X = ByteString.of("x");
    private static final ByteString[] HEX_NAMES = new ByteString[256];

    static {
        for (int i = 0; i < 256; i++) {
            HEX_NAMES[i] = ByteString.of(String.format("%02x", i));
        }
    }

    /** What was written: the format version chosen, the image size and its fs-verity digest (if asked for). */
    public record Result(int formatVersion, long size, byte[] fsverityDigest) {
        /** The digest as lowercase hex, or null when it was not computed. */
        public String digestHex() {
            return fsverityDigest == null ? null : FsVerityHasher.hex(fsverityDigest);
        }
    }

    private final Node root;
    private int version;
    private final List<Node> rootWhiteouts = new ArrayList<>();
    private List<Named> rootEntries;

    // Per inode, indexed by breadth-first position (§3).
    private Node[] nodes;
    private int[] parent;
    private int[] firstChild;
    private int count;
    private final IdentityHashMap<Node, Integer> linkTargetIndex = new IdentityHashMap<>();
    private boolean[] holdsWhiteout;
    private long[] pos;
    private int[] nblocks;
    private int[] tail;
    private int[] xattrSize;
    private int[] blkaddr;
    private boolean[] extended;
    private boolean[] chunkTableInBlock;
    private int[] nlinkOf;
    private Dirents[] direntCache;
    private List<Xattr>[] xattrCache;
    private final Map<ByteString, XattrName> splitNames = new java.util.concurrent.ConcurrentHashMap<>();

    private long minMtimeSec;
    private int minMtimeNsec;
    private boolean hasAcl;
    private long inodesEnd;
    private long dataStart;
    private long totalBlocks;
    private final List<Xattr> sharedTable = new ArrayList<>();
    private final Map<Xattr, Long> sharedOffset = new HashMap<>();
    private long sharedSize;
    private boolean sharesRedirects;

    private ErofsWriter(Node root) {
        this.root = root;
    }

    /** Writes the image of {@code root} to {@code out} (not closed), computing its fs-verity digest. */
    public static Result write(Node root, FormatVersion versions, OutputStream out) throws IOException {
        return write(root, versions, out, true);
    }

    /**
     * Writes the image of {@code root} to {@code out} (not closed); the fs-verity digest of the image is
     * computed on the way only when {@code digest} is set, as mkcomposefs does only for --print-digest.
     */
    public static Result write(Node root, FormatVersion versions, OutputStream out, boolean digest)
            throws IOException {
        if (!root.isDirectory()) {
            throw new UnrepresentableTreeException("the root must be a directory");
        }
        ErofsWriter w = new ErofsWriter(root);
        w.addRootWhiteouts();
        w.numberInodes();
        w.chooseVersion(versions);
        w.validate();
        w.collectStatistics();
        w.buildSharedXattrs();
        w.layOut();
        w.checkOnDiskFields();
        DigestingOutput dout = new DigestingOutput(out, digest);
        w.emit(dout);
        return new Result(w.version, dout.written(), dout.digest());
    }

    // §10: the version starts at min and becomes 1 if allowed and the input tree holds a whiteout.
    private void chooseVersion(FormatVersion v) {
        version = v.min();
        if (v.min() < 1 && v.max() >= 1) {
            for (int i = 0; i < count && version < 1; i++) {
                if (holdsWhiteout[i]) {
                    version = 1;
                }
            }
        }
    }

    private static boolean isSourceWhiteout(Node n) {
        return !n.isHardlink() && FileMode.isChr(n.mode()) && n.rdev() == 0;
    }

    /**
     * §2 step 4, over the numbered inodes. Each budget sees the same changes in the same order as in the
     * reference's depth-first walk (a directory before its children, children in name order), so the tree
     * passes or fails alike; on a failure that walk is replayed to report the error mkcomposefs reports first.
     */
    private void validate() throws UnrepresentableTreeException {
        try {
            IdentityHashMap<Node, XattrBudget> dirBudgets = new IdentityHashMap<>();
            for (int i = 0; i < count; i++) {
                if (!isRootWhiteout(nodes[i])) {
                    check(nodes[i], dirBudgets);
                }
            }
            checkRootBudget(dirBudgets);
        } catch (UnrepresentableTreeException e) {
            validateInReferenceOrder();
            throw e;
        }
    }

    private void validateInReferenceOrder() throws UnrepresentableTreeException {
        IdentityHashMap<Node, XattrBudget> dirBudgets = new IdentityHashMap<>();
        ArrayList<Node> stack = new ArrayList<>();
        stack.add(root);
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            check(n, dirBudgets);
            List<Node> kids = new ArrayList<>(n.children());
            for (int i = kids.size() - 1; i >= 0; i--) {
                if (!kids.get(i).isHardlink()) {
                    stack.add(kids.get(i));
                }
            }
        }
        checkRootBudget(dirBudgets);
    }

    private void check(Node n, IdentityHashMap<Node, XattrBudget> dirBudgets) throws UnrepresentableTreeException {
        if (!FileMode.isValidType(n.mode())) {
            throw new UnrepresentableTreeException(n.path() + ": invalid mode " + Integer.toOctalString(n.mode()));
        }
        if (isExternal(n) && chunkCount(n.size()) > MAX_CHUNKS) {
            throw new UnrepresentableTreeException(n.path() + ": file too large (" + n.size() + " bytes)");
        }
        replayXattrBudget(n, dirBudgets);
    }

    private void checkRootBudget(IdentityHashMap<Node, XattrBudget> dirBudgets) throws UnrepresentableTreeException {
        if (!budgetOf(root, dirBudgets).set(ROOT_OPAQUE, 1)) {
            throw rangeError(root);
        }
    }

    /** The xattrs §7 adds to a node and to its parent, in the reference's order, against its size budget. */
    private void replayXattrBudget(Node n, IdentityHashMap<Node, XattrBudget> dirBudgets) throws UnrepresentableTreeException {
        if (n.xattrs().isEmpty() && !isSourceWhiteout(n)) {
            // Nothing to replace, and metacopy plus a redirect of under 4 KiB cannot reach the limit.
            return;
        }
        boolean ok = true;
        if (isExternal(n)) {
            XattrBudget b = budgetOf(n, dirBudgets);
            ok = b.set(METACOPY, n.digest() == null ? 0 : 36);
            if (ok && n.payload() != null && n.payload().length() > 0) {
                ok = b.set(REDIRECT, 1 + n.payload().length());
            }
        }
        if (ok && isSourceWhiteout(n)) {
            XattrBudget b = budgetOf(n, dirBudgets);
            ok = b.set(WHITEOUT_T, 0) && b.set(WHITEOUT_U, 0);
            if (!ok) {
                throw rangeError(n);
            }
            XattrBudget p = budgetOf(n.parent(), dirBudgets);
            ok = p.set(WHITEOUTS_T, 0) && p.set(WHITEOUTS_U, 0) && (version < 1 || p.set(OPAQUE_T, 1) && p.set(OPAQUE_U, 1));
            if (!ok) {
                throw rangeError(n.parent());
            }
        }
        if (!ok) {
            throw rangeError(n);
        }
    }

    private XattrBudget budgetOf(Node n, IdentityHashMap<Node, XattrBudget> dirBudgets) {
        if (!n.isDirectory()) {
            return new XattrBudget(n, TRUSTED_OVERLAY, ESCAPED_OVERLAY);
        }
        return dirBudgets.computeIfAbsent(n, d -> new XattrBudget(d, TRUSTED_OVERLAY, ESCAPED_OVERLAY));
    }

    private static UnrepresentableTreeException rangeError(Node n) {
        return new UnrepresentableTreeException(n.path() + ": xattrs exceed the size limit once rewritten for overlayfs"
                + " (mkcomposefs 1.0.8: Numerical result out of range)");
    }

    // §7.4: the 256 overlay whiteouts 00..ff the root gets for every name it does not already hold.
    private void addRootWhiteouts() {
        ByteString selinux = root.xattrs().get(SELINUX);
        for (int i = 0; i < 256; i++) {
            ByteString name = HEX_NAMES[i];
            if (root.child(name) != null) {
                rootWhiteouts.add(null);
                continue;
            }
            Node w = new Node(FileMode.S_IFCHR | 0644).uid(root.uid()).gid(root.gid())
                    .mtime(root.mtimeSec(), root.mtimeNsec());
            if (selinux != null) {
                w.setXattr(SELINUX, selinux);
            }
            rootWhiteouts.add(w);
        }
    }

    /** The root's entries: its children and the whiteouts 00..ff it lacks, merged in name order. */
    private List<Named> rootEntries() {
        if (rootEntries == null) {
            List<Named> out = new ArrayList<>(root.childCount() + 256);
            int w = 0;
            for (Node c : root.children()) {
                while (w < 256 && (rootWhiteouts.get(w) == null || HEX_NAMES[w].compareTo(c.name()) < 0)) {
                    if (rootWhiteouts.get(w) != null) {
                        out.add(new Named(HEX_NAMES[w], rootWhiteouts.get(w)));
                    }
                    w++;
                }
                out.add(new Named(c.name(), c));
            }
            for (; w < 256; w++) {
                if (rootWhiteouts.get(w) != null) {
                    out.add(new Named(HEX_NAMES[w], rootWhiteouts.get(w)));
                }
            }
            rootEntries = out;
        }
        return rootEntries;
    }

    private record Named(ByteString name, Node node) {
    }

    // §3: breadth-first numbering; each directory's inode children are contiguous.
    private void numberInodes() {
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
                for (Named e : rootEntries()) {
                    if (e.node.isHardlink()) {
                        linkTargetIndex.put(e.node.resolve(), -1);
                    } else {
                        append(e.node, i);
                    }
                }
            } else {
                for (Node c : n.children()) {
                    if (c.isHardlink()) {
                        linkTargetIndex.put(c.resolve(), -1);
                    } else {
                        append(c, i);
                    }
                }
            }
        }
        nodes = Arrays.copyOf(nodes, count);
        parent = Arrays.copyOf(parent, count);
        firstChild = Arrays.copyOf(firstChild, count);
        @SuppressWarnings("unchecked")
        List<Xattr>[] cache = new List[count];
        xattrCache = cache;
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

    private void append(Node n, int parentIndex) {
        if (count == nodes.length) {
            nodes = Arrays.copyOf(nodes, count * 2);
            parent = Arrays.copyOf(parent, count * 2);
            firstChild = Arrays.copyOf(firstChild, count * 2);
        }
        nodes[count] = n;
        parent[count] = parentIndex;
        count++;
    }

    /** Runs {@code body} for every index in [from, to) on the common pool; each index touches only its slots. */
    private static void parallelFor(int from, int to, java.util.function.IntConsumer body) {
        java.util.stream.IntStream.range(from, to).parallel().forEach(body);
    }

    private boolean isRootWhiteout(Node n) {
        return n.parent() == null && n != root;
    }

    // §3: directory nlink, minimum mtime and the ACL flag.
    private void collectStatistics() {
        nlinkOf = new int[count];
        minMtimeSec = Long.MAX_VALUE;
        minMtimeNsec = Integer.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            Node n = nodes[i];
            if (n.isDirectory()) {
                int dirs = 0;
                for (int c = firstChild[i]; c < endChild(i); c++) {
                    if (FileMode.isDir(nodes[c].mode())) {
                        dirs++;
                    }
                }
                nlinkOf[i] = 2 + dirs;
            } else {
                nlinkOf[i] = n.nlink();
            }
            if (n.mtimeSec() < minMtimeSec
                    || (n.mtimeSec() == minMtimeSec && Integer.compareUnsigned(n.mtimeNsec(), minMtimeNsec) < 0)) {
                minMtimeSec = n.mtimeSec();
                minMtimeNsec = n.mtimeNsec();
            }
            Map<ByteString, ByteString> x = n.xattrs();
            if (x.containsKey(ACL_ACCESS) || x.containsKey(ACL_DEFAULT)) {
                hasAcl = true;
            }
        }
    }

    private int endChild(int i) {
        return i + 1 < count ? firstChild[i + 1] : count;
    }

    // ---- the overlay rewriting of §7, computed per inode ----

    private static boolean isExternal(Node n) {
        return FileMode.isReg(n.mode()) && n.size() > 0 && n.content() == null;
    }

    /** Most files of an image: external, with no xattrs of their own, so only metacopy and redirect. */
    private static boolean isPlainExternal(Node n) {
        return n.xattrs().isEmpty() && isExternal(n);
    }

    private int effectiveMode(int i) {
        Node n = nodes[i];
        if (isSourceWhiteout(n) && !isRootWhiteout(n)) {
            return FileMode.S_IFREG | (n.mode() & ~FileMode.S_IFMT);
        }
        return n.mode();
    }

    /** The node's xattrs as they are stored, sorted by name (computed once per inode). */
    private List<Xattr> xattrsOf(int i) {
        List<Xattr> x = xattrCache[i];
        if (x != null) {
            return x;
        }
        x = rewrittenXattrs(i);
        // A plain external file gets just metacopy and redirect, cheap to rebuild; not caching those keeps the
        // writer's memory per file small on trees of a million files.
        if (!isPlainExternal(nodes[i])) {
            xattrCache[i] = x;
        }
        return x;
    }

    private XattrName split(ByteString name) {
        // The two names nearly every file has skip the map.
        if (name == METACOPY) {
            return METACOPY_NAME;
        }
        if (name == REDIRECT) {
            return REDIRECT_NAME;
        }
        return splitNames.computeIfAbsent(name, XattrName::split);
    }

    /**
     * Whether {@code x}, coming after {@code references} shared references of the same inode, is stored as a
     * reference to the shared table (at most 128 per inode) rather than inline. A redirect is looked up only
     * when the table holds one: its value is made afresh for each file, so hashing it costs a pass over the path.
     */
    private boolean takesReference(Xattr x, int references) {
        return references < MAX_SHARED_REFS && (sharesRedirects || x.name() != REDIRECT) && sharedOffset.containsKey(x);
    }

    private int entrySize(Xattr x) {
        return (4 + split(x.name()).suffix().length() + x.value().length() + 3) & ~3;
    }

    private List<Xattr> rewrittenXattrs(int i) {
        Node n = nodes[i];
        if (n.xattrs().isEmpty() && !isExternal(n) && !isSourceWhiteout(n) && !holdsWhiteout[i] && i != 0) {
            return List.of();
        }
        if (isRootWhiteout(n)) {
            return sorted(n.xattrs());
        }
        if (isPlainExternal(n)) {
            // Metacopy, then redirect if any: already in name order.
            Xattr meta = new Xattr(METACOPY, metacopy(n.digest()));
            return n.payload() == null || n.payload().length() == 0 ? List.of(meta)
                    : List.of(meta, new Xattr(REDIRECT, SLASH.concat(n.payload())));
        }
        // The node's own names are already sorted, and escaping keeps their order: every escaped name gets
        // the same prefix change. The few names the rewrite adds are inserted (or replace) in place.
        List<Xattr> m = new ArrayList<>(n.xattrs().size() + 2);
        for (Map.Entry<ByteString, ByteString> e : n.xattrs().entrySet()) {
            ByteString name = e.getKey();
            if (name.startsWith(TRUSTED_OVERLAY)) {
                name = ESCAPED_OVERLAY.concat(name.substring(TRUSTED_OVERLAY.length()));
            }
            m.add(new Xattr(name, e.getValue()));
        }
        if (isExternal(n)) {
            put(m, METACOPY, metacopy(n.digest()));
            if (n.payload() != null && n.payload().length() > 0) {
                put(m, REDIRECT, SLASH.concat(n.payload()));
            }
        }
        if (isSourceWhiteout(n)) {
            put(m, WHITEOUT_T, EMPTY);
            put(m, WHITEOUT_U, EMPTY);
        }
        if (holdsWhiteout[i]) {
            put(m, WHITEOUTS_T, EMPTY);
            put(m, WHITEOUTS_U, EMPTY);
            if (version >= 1) {
                put(m, OPAQUE_T, X);
                put(m, OPAQUE_U, X);
            }
        }
        if (i == 0) {
            put(m, ROOT_OPAQUE, Y);
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

    // §7.2: overlayfs metacopy payload: version 0, length 36, flags 0, hash algorithm SHA-256, digest.
    private static ByteString metacopy(byte[] digest) {
        if (digest == null) {
            return EMPTY;
        }
        byte[] v = new byte[36];
        v[1] = 36;
        v[3] = 1;
        System.arraycopy(digest, 0, v, 4, 32);
        return ByteString.wrap(v);
    }

    // ---- §6.3 shared xattrs ----

    private void buildSharedXattrs() {
        Map<Xattr, Integer> counts = new java.util.concurrent.ConcurrentHashMap<>();
        // The metacopy and redirect xattrs of external files are counted by sorting their digests (and by
        // payload where it is not the digest's object path) rather than made and hashed: in a tree of a million
        // files with distinct contents each would otherwise leave two values and two map entries behind.
        List<byte[]> metacopies = new ArrayList<>();
        List<byte[]> redirectsByDigest = new ArrayList<>();
        Map<ByteString, Integer> redirectsByPayload = new HashMap<>();
        int noDigest = 0;
        for (int i = 0; i < count; i++) {
            Node n = nodes[i];
            if (isExternal(n)) {
                if (n.digest() == null) {
                    noDigest++;
                } else {
                    metacopies.add(n.digest());
                }
                if (n.hasPayloadFromDigest()) {
                    redirectsByDigest.add(n.digest());
                } else if (n.payload() != null && n.payload().length() > 0) {
                    redirectsByPayload.merge(n.payload(), 1, Integer::sum);
                }
            }
        }
        parallelFor(0, count, i -> {
            Node n = nodes[i];
            if (isPlainExternal(n)) {
                return; // metacopy and redirect are all it has, counted above
            }
            boolean external = isExternal(n);
            for (Xattr x : xattrsOf(i)) {
                if (!(external && (x.name().equals(METACOPY) || x.name().equals(REDIRECT)))) {
                    counts.merge(x, 1, Integer::sum);
                }
            }
        });
        // Only external files get a redirect, so a payload seen once is shared only if a digest's object path
        // spells the same redirect: without such files, singletons need no entry.
        boolean digestRedirects = !redirectsByDigest.isEmpty();
        redirectsByPayload.forEach((p, c) -> {
            if (c > 1 || digestRedirects) {
                counts.merge(new Xattr(REDIRECT, SLASH.concat(p)), c, Integer::sum);
            }
        });
        // A value seen once stays out of the counts unless something else has the same xattr.
        if (noDigest > 0) {
            mergeIfShared(counts, new Xattr(METACOPY, EMPTY), noDigest);
        }
        forEachRun(metacopies, (d, c) -> mergeIfShared(counts, new Xattr(METACOPY, metacopy(d)), c));
        forEachRun(redirectsByDigest, (d, c) -> mergeIfShared(counts,
                new Xattr(REDIRECT, SLASH.concat(ByteString.wrap(new ObjectDigest(d).pathBytes()))), c));
        for (Map.Entry<Xattr, Integer> e : counts.entrySet()) {
            if (e.getValue() > 1) {
                sharedTable.add(e.getKey());
            }
        }
        // Descending by name, then longer value first, then value bytes descending (the reference's order).
        sharedTable.sort((a, b) -> {
            int c = b.name().compareTo(a.name());
            if (c != 0) {
                return c;
            }
            c = Integer.compare(b.value().length(), a.value().length());
            return c != 0 ? c : b.value().compareTo(a.value());
        });
        long off = 0;
        for (Xattr x : sharedTable) {
            sharesRedirects |= x.name().equals(REDIRECT);
            sharedOffset.put(x, off);
            off += entrySize(x);
        }
        sharedSize = off;
    }

    /** Sorts the digests and calls {@code run} once per distinct digest with how often it occurs. */
    private static void forEachRun(List<byte[]> digests, java.util.function.ObjIntConsumer<byte[]> run) {
        byte[][] sorted = digests.toArray(new byte[0][]);
        digests.clear();
        Arrays.parallelSort(sorted, Arrays::compareUnsigned);
        for (int start = 0, end; start < sorted.length; start = end) {
            end = start + 1;
            while (end < sorted.length && Arrays.equals(sorted[start], sorted[end])) {
                end++;
            }
            run.accept(sorted[start], end - start);
        }
    }

    private static void mergeIfShared(Map<Xattr, Integer> counts, Xattr x, int count) {
        if (count > 1 || counts.containsKey(x)) {
            counts.merge(x, count, Integer::sum);
        }
    }

    /** Splits a node's xattrs into shared references (at most 128) and inline entries, both in name order. */
    private void splitXattrs(List<Xattr> all, List<Xattr> shared, List<Xattr> inline) {
        for (Xattr x : all) {
            if (takesReference(x, shared.size())) {
                shared.add(x);
            } else {
                inline.add(x);
            }
        }
    }

    /** The size of the inode's xattr area: header, shared references and inline entries (split as splitXattrs does). */
    private int computeXattrSize(int i) {
        List<Xattr> all = xattrsOf(i);
        if (all.isEmpty()) {
            return 0;
        }
        int size = 12;
        int refs = 0;
        for (Xattr x : all) {
            if (takesReference(x, refs)) {
                size += 4;
                refs++;
            } else {
                size += entrySize(x);
            }
        }
        return size;
    }

    // ---- §4.3 sizing, §5.1 compactness, §4.4 placement, §4.5 data blocks ----

    static int chunkBits(long size) {
        int bits = size <= 1 ? 1 : 64 - Long.numberOfLeadingZeros(size - 1);
        return Math.max(12, Math.min(43, bits));
    }

    static long chunkCount(long size) {
        int bits = chunkBits(size);
        return (size + (1L << bits) - 1) >>> bits;
    }

    /**
     * Defence in depth, whatever the tree's source checked: every value must fit its on-disk field and the
     * kernel's reading of it, or the image would be written and then refused at mount or lookup time.
     */
    private void checkOnDiskFields() throws UnrepresentableTreeException {
        for (int i = 0; i < count; i++) {
            Node n = nodes[i];
            int mode = effectiveMode(i);
            if (FileMode.isDir(mode)) {
                for (ByteString name : dirents(i).names) {
                    if (name.length() == 0 || name.length() > EROFS_NAME_LEN) {
                        throw new UnrepresentableTreeException(n.path() + ": an entry name of " + name.length()
                                + " bytes does not fit a dirent (1 to " + EROFS_NAME_LEN + " bytes)");
                    }
                }
            } else if (FileMode.isLink(mode) && linkTarget(n).length() >= BLOCK) {
                throw new UnrepresentableTreeException(n.path() + ": a symlink target of " + linkTarget(n).length()
                        + " bytes is over the kernel's limit of " + (BLOCK - 1));
            }
            if (xattrSize[i] > 12 + 4 * (0xFFFF - 1)) {
                throw new UnrepresentableTreeException(n.path() + ": " + xattrSize[i] + " bytes of xattrs do not fit the 16-bit"
                        + " count of xattr words");
            }
            if (!n.xattrs().isEmpty()) {
                for (Xattr x : xattrsOf(i)) {
                    int name = split(x.name()).suffix().length();
                    if (name > 0xFF || x.value().length() > 0xFFFF) {
                        throw new UnrepresentableTreeException(n.path() + ": xattr " + x.name() + " (stored name " + name
                                + " bytes, value " + x.value().length() + " bytes) does not fit its 8-bit name"
                                + " and 16-bit value sizes");
                    }
                }
            }
        }
        if (totalBlocks > 0xFFFFFFFFL) {
            throw new UnrepresentableTreeException("the image would take " + totalBlocks + " blocks, over EROFS's 32-bit count");
        }
    }

    private void layOut() {
        pos = new long[count];
        direntCache = new Dirents[count];
        nblocks = new int[count];
        tail = new int[count];
        xattrSize = new int[count];
        blkaddr = new int[count];
        extended = new boolean[count];
        chunkTableInBlock = new boolean[count];
        parallelFor(0, count, i -> {
            sizeNode(i);
            xattrSize[i] = computeXattrSize(i);
            extended[i] = needsExtended(i);
        });
        long p = INODES_START;
        for (int i = 0; i < count; i++) {
            p = roundUp(p, 32);
            long nontail = (extended[i] ? 64 : 32) + xattrSize[i];
            if (FileMode.isLink(nodes[i].mode())) {
                long total = nontail + tail[i];
                if (total >= BLOCK) {
                    nblocks[i] = 1;
                    tail[i] = 0;
                }
                // Quirk Q1: the alignment test uses the total before the target moved out of line.
                if (p / BLOCK != (p + total - 1) / BLOCK) {
                    p = roundUp(p, BLOCK);
                }
            } else {
                long rem = BLOCK - ((p + nontail) % BLOCK);
                if (rem < tail[i]) {
                    long pad = roundUp(rem, 32);
                    long rem2 = BLOCK - ((p + nontail + pad) % BLOCK);
                    if (tail[i] <= rem2) {
                        p += pad;
                    } else {
                        // Quirk Q2: only a chunk table this large gets here; it moves to a data block.
                        nblocks[i] += 1;
                        tail[i] = 0;
                        chunkTableInBlock[i] = true;
                        p = roundUp(p, BLOCK);
                    }
                }
            }
            pos[i] = p;
            p += nontail + tail[i];
        }
        inodesEnd = roundUp(p, 32);
        dataStart = roundUp(inodesEnd + sharedSize, BLOCK);
        long block = dataStart / BLOCK;
        for (int i = 0; i < count; i++) {
            if (nblocks[i] > 0) {
                blkaddr[i] = (int) block;
                block += nblocks[i];
            }
        }
        totalBlocks = block;
    }

    private void sizeNode(int i) {
        Node n = nodes[i];
        int mode = effectiveMode(i);
        if (FileMode.isDir(mode)) {
            long cur = 0;
            int blocks = 0;
            Dirents d = dirents(i);
            for (int k = 0; k < d.size(); k++) {
                int cost = DIRENT_SIZE + d.names[k].length();
                if (cur + cost > BLOCK) {
                    blocks++;
                    cur = 0;
                }
                cur += cost;
            }
            if (cur > BLOCK / 2) {
                blocks++;
                cur = 0;
            }
            nblocks[i] = blocks;
            tail[i] = (int) cur;
        } else if (FileMode.isLink(mode)) {
            tail[i] = linkTarget(n).length();
        } else if (FileMode.isReg(mode) && n.content() != null && n.size() > 0) {
            nblocks[i] = (int) (n.size() / BLOCK);
            tail[i] = (int) (n.size() % BLOCK);
            if (tail[i] > BLOCK / 2) {
                nblocks[i]++;
                tail[i] = 0;
            }
        } else if (FileMode.isReg(mode) && isExternal(n)) {
            tail[i] = (int) (4 * chunkCount(n.size()));
        }
    }

    private static ByteString linkTarget(Node n) {
        return n.payload() == null ? EMPTY : n.payload();
    }

    // §5.1, including quirk Q3: special files are judged by their stored size although i_size is 0.
    private boolean needsExtended(int i) {
        Node n = nodes[i];
        int mode = effectiveMode(i);
        long size;
        if (FileMode.isDir(mode)) {
            size = (long) nblocks[i] * BLOCK + tail[i];
        } else if (FileMode.isLink(mode)) {
            size = linkTarget(n).length();
        } else if (isSourceWhiteout(n) && !isRootWhiteout(n)) {
            size = 0;
        } else {
            size = n.size();
        }
        return n.mtimeSec() != minMtimeSec || n.mtimeNsec() != minMtimeNsec
                || Integer.toUnsignedLong(nlinkOf[i]) > 0xFFFF
                || Integer.toUnsignedLong(n.uid()) > 0xFFFF
                || Integer.toUnsignedLong(n.gid()) > 0xFFFF
                || size < 0 || size > 0xFFFFFFFFL;
    }

    private static long roundUp(long v, long to) {
        return (v + to - 1) / to * to;
    }

    // ---- §9 directory entries ----

    /** A directory's entries, {@code .} and {@code ..} included, in name order, with their targets' indices. */
    private record Dirents(ByteString[] names, int[] targets) {
        int size() {
            return names.length;
        }
    }

    /** Computed once per directory and dropped once its blocks are written; no sorting needed. */
    private Dirents dirents(int i) {
        Dirents cached = direntCache[i];
        if (cached != null) {
            return cached;
        }
        Node dir = nodes[i];
        List<Named> entries;
        if (dir == root) {
            entries = rootEntries();
        } else {
            entries = new ArrayList<>(dir.childCount());
            for (Node c : dir.children()) {
                entries.add(new Named(c.name(), c));
            }
        }
        int n = entries.size() + 2;
        ByteString[] names = new ByteString[n];
        int[] targets = new int[n];
        int k = 0;
        int next = firstChild[i];
        boolean dot = false;
        boolean dotdot = false;
        for (Named e : entries) {
            // "." sorts before "..", so checking them in this order keeps the entries sorted.
            if (!dot && DOT.compareTo(e.name) < 0) {
                names[k] = DOT;
                targets[k++] = i;
                dot = true;
            }
            if (!dotdot && DOTDOT.compareTo(e.name) < 0) {
                names[k] = DOTDOT;
                targets[k++] = parent[i];
                dotdot = true;
            }
            names[k] = e.name;
            targets[k++] = e.node.isHardlink() ? targetIndex(e.node) : next++;
        }
        if (!dot) {
            names[k] = DOT;
            targets[k++] = i;
        }
        if (!dotdot) {
            names[k] = DOTDOT;
            targets[k] = parent[i];
        }
        Dirents d = new Dirents(names, targets);
        direntCache[i] = d;
        return d;
    }

    private int targetIndex(Node link) {
        Integer idx = linkTargetIndex.get(link.resolve());
        if (idx == null || idx < 0) {
            throw new IllegalStateException(link.path() + ": hardlink target is not in the tree");
        }
        return idx;
    }

    // ---- emission ----

    private void emit(DigestingOutput out) throws IOException {
        LeBuffer b = new LeBuffer(INODES_START);
        b.putInt(0, COMPOSEFS_MAGIC);
        b.putInt(4, 1);
        b.putInt(8, hasAcl ? 1 : 0);
        b.putInt(12, version);
        int sb = SUPERBLOCK_OFFSET;
        b.putInt(sb, EROFS_MAGIC);
        b.putInt(sb + 8, FEATURE_COMPAT);
        b.putByte(sb + 12, 12);
        b.putShort(sb + 14, (int) (pos[0] / 32));
        b.putLong(sb + 16, count);
        b.putLong(sb + 24, minMtimeSec);
        b.putInt(sb + 32, minMtimeNsec);
        b.putInt(sb + 36, (int) totalBlocks);
        b.putInt(sb + 44, (int) (inodesEnd / BLOCK));
        out.write(b.array());

        byte[][] batch = new byte[Math.min(BATCH, count)][];
        for (int start = 0; start < count; start += BATCH) {
            int end = Math.min(count, start + BATCH);
            int base = start;
            parallelFor(start, end, i -> batch[i - base] = inodeBytes(i));
            for (int i = start; i < end; i++) {
                out.zeros(pos[i] - out.written());
                out.write(batch[i - start]);
                xattrCache[i] = null;
            }
        }
        out.zeros(inodesEnd - out.written());
        for (Xattr x : sharedTable) {
            out.write(xattrEntry(x));
        }
        out.zeros(dataStart - out.written());
        for (int start = 0, end; start < count; start = end) {
            // Batches are cut by size too: a thousand large directories would otherwise be tens of MiB at once.
            end = start;
            for (long blocks = 0; end < count && end - start < BATCH && blocks < BATCH_BLOCKS; end++) {
                blocks += nblocks[end];
            }
            int base = start;
            parallelFor(start, end, i -> batch[i - base] = nblocks[i] > 0 ? blockBytes(i) : null);
            for (int i = start; i < end; i++) {
                if (batch[i - start] != null) {
                    out.write(batch[i - start]);
                    batch[i - start] = null;
                }
            }
        }
        if (out.written() != totalBlocks * BLOCK) {
            throw new IllegalStateException("image size " + out.written() + " != " + totalBlocks * BLOCK);
        }
    }

    /** The inode record with its xattr body and inline tail (§5), without the alignment padding before it. */
    private byte[] inodeBytes(int i) {
        Node n = nodes[i];
        int mode = effectiveMode(i);
        boolean ext = extended[i];
        boolean chunked = FileMode.isReg(mode) && isExternal(n);
        int layout = chunked ? LAYOUT_CHUNK_BASED : tail[i] > 0 ? LAYOUT_FLAT_INLINE : LAYOUT_FLAT_PLAIN;
        long size;
        if (FileMode.isDir(mode)) {
            size = (long) nblocks[i] * BLOCK + tail[i];
        } else if (FileMode.isReg(mode)) {
            size = isSourceWhiteout(n) ? 0 : n.size();
        } else if (FileMode.isLink(mode)) {
            size = linkTarget(n).length();
        } else {
            size = 0;
        }
        int iu;
        if (FileMode.isDevice(mode)) {
            iu = n.rdev();
        } else if (chunked) {
            iu = chunkBits(n.size()) - 12;
            if (chunkTableInBlock[i]) {
                iu |= blkaddr[i] & 0xFFFF0000;
            }
        } else if (nblocks[i] > 0) {
            iu = blkaddr[i];
        } else {
            iu = 0;
        }
        int xsize = xattrSize[i];
        int icount = xsize == 0 ? 0 : (xsize - 12) / 4 + 1;
        LeBuffer b = new LeBuffer((ext ? 64 : 32) + xsize + tail[i]);
        b.putShort(0, (layout << 1) | (ext ? 1 : 0));
        b.putShort(2, icount);
        b.putShort(4, mode & 0xFFFF);
        if (ext) {
            b.putLong(8, size);
            b.putInt(16, iu);
            b.putInt(20, i);
            b.putInt(24, n.uid());
            b.putInt(28, n.gid());
            b.putLong(32, n.mtimeSec());
            b.putInt(40, n.mtimeNsec());
            b.putInt(44, nlinkOf[i]);
        } else {
            b.putShort(6, nlinkOf[i]);
            b.putInt(8, (int) size);
            b.putInt(16, iu);
            b.putInt(20, i);
            b.putShort(24, n.uid());
            b.putShort(26, n.gid());
        }
        int off = ext ? 64 : 32;
        if (xsize > 0) {
            off = putXattrBody(b, off, xattrsOf(i));
        }
        if (tail[i] > 0) {
            putTail(b, off, i, mode);
        }
        return b.array();
    }

    private int putXattrBody(LeBuffer b, int off, List<Xattr> all) {
        List<Xattr> shared = new ArrayList<>();
        List<Xattr> inline = new ArrayList<>();
        splitXattrs(all, shared, inline);
        int filter = 0;
        for (Xattr x : all) {
            filter |= 1 << split(x.name()).filterBit();
        }
        b.putInt(off, ~filter);
        b.putByte(off + 4, shared.size());
        off += 12;
        for (Xattr x : shared) {
            b.putInt(off, (int) (((inodesEnd % BLOCK) + sharedOffset.get(x)) / 4));
            off += 4;
        }
        for (Xattr x : inline) {
            off = putXattrEntry(b, off, x);
        }
        return off;
    }

    private byte[] xattrEntry(Xattr x) {
        LeBuffer e = new LeBuffer(entrySize(x));
        putXattrEntry(e, 0, x);
        return e.array();
    }

    /** Puts one entry (§6) at {@code off} of a zero-filled buffer; returns the offset after its padding. */
    private int putXattrEntry(LeBuffer b, int off, Xattr x) {
        XattrName split = split(x.name());
        byte[] suffix = split.suffix().unsafeArray();
        byte[] value = x.value().unsafeArray();
        b.putByte(off, suffix.length);
        b.putByte(off + 1, split.index());
        b.putShort(off + 2, value.length);
        b.putBytes(off + 4, suffix);
        b.putBytes(off + 4 + suffix.length, value);
        return off + ((4 + suffix.length + value.length + 3) & ~3);
    }

    private void putTail(LeBuffer b, int off, int i, int mode) {
        Node n = nodes[i];
        if (FileMode.isDir(mode)) {
            int[] starts = direntBlockStarts(i);
            b.putBytes(off, direntBlock(dirents(i), starts[starts.length - 2], starts[starts.length - 1], false));
            if (nblocks[i] == 0) {
                direntCache[i] = null;
            }
        } else if (FileMode.isLink(mode)) {
            b.putBytes(off, linkTarget(n).unsafeArray());
        } else if (isExternal(n)) {
            byte[] table = new byte[tail[i]];
            Arrays.fill(table, (byte) 0xFF);
            b.putBytes(off, table);
        } else {
            byte[] c = n.content();
            b.putBytes(off, Arrays.copyOfRange(c, nblocks[i] * BLOCK, c.length));
        }
    }

    /** A node's data blocks (§4.5), {@code nblocks × 4096} bytes. */
    private byte[] blockBytes(int i) {
        Node n = nodes[i];
        int mode = effectiveMode(i);
        int len = nblocks[i] * BLOCK;
        byte[] out;
        if (FileMode.isDir(mode)) {
            out = new byte[len];
            int[] starts = direntBlockStarts(i);
            for (int k = 0; k < nblocks[i]; k++) {
                byte[] block = direntBlock(dirents(i), starts[k], starts[k + 1], true);
                System.arraycopy(block, 0, out, k * BLOCK, BLOCK);
            }
            direntCache[i] = null;
        } else if (FileMode.isLink(mode)) {
            out = Arrays.copyOf(linkTarget(n).unsafeArray(), len);
        } else if (chunkTableInBlock[i]) {
            out = new byte[len];
            Arrays.fill(out, (byte) 0xFF);
        } else {
            byte[] c = n.content();
            out = Arrays.copyOf(c, len);
        }
        return out;
    }

    /** Where each block of a directory's entries starts (§4.3), ending with the entry count. */
    private int[] direntBlockStarts(int i) {
        Dirents d = dirents(i);
        int[] starts = new int[nblocks[i] + 2];
        int blocks = 0;
        long used = 0;
        for (int k = 0; k < d.size(); k++) {
            int cost = DIRENT_SIZE + d.names[k].length();
            if (used + cost > BLOCK) {
                starts[++blocks] = k;
                used = 0;
            }
            used += cost;
        }
        starts[++blocks] = d.size();
        return Arrays.copyOf(starts, blocks + 1);
    }

    private byte[] direntBlock(Dirents d, int from, int to, boolean padToBlock) {
        int len = 0;
        for (int k = from; k < to; k++) {
            len += DIRENT_SIZE + d.names[k].length();
        }
        LeBuffer b = new LeBuffer(padToBlock ? BLOCK : len);
        int nameOff = DIRENT_SIZE * (to - from);
        for (int k = from; k < to; k++) {
            int off = (k - from) * DIRENT_SIZE;
            ByteString name = d.names[k];
            int target = d.targets[k];
            b.putLong(off, pos[target] / 32);
            b.putShort(off + 8, nameOff);
            b.putByte(off + 10, FileMode.direntType(effectiveMode(target)));
            b.putBytes(nameOff, name.unsafeArray());
            nameOff += name.length();
        }
        return b.array();
    }
}
