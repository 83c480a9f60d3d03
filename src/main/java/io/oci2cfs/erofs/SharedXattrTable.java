package io.oci2cfs.erofs;

import io.oci2cfs.store.ObjectDigest;
import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.Node;
import io.oci2cfs.tree.OverlayXattrs;
import io.oci2cfs.tree.Xattr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ObjIntConsumer;

/**
 * §6.3: the xattrs (name and value) that more than one inode has, stored once after the inodes, in the
 * reference's order; and, §6.2, which of an inode's xattrs become references to them.
 */
final class SharedXattrTable {
    private static final ByteString METACOPY = OverlayXattrs.METACOPY;
    private static final ByteString REDIRECT = OverlayXattrs.REDIRECT;

    private final OverlayRewrite rewrite;
    private final List<Xattr> entries = new ArrayList<>();
    private final Map<Xattr, Long> offsets = new HashMap<>();
    private long size;
    private boolean sharesRedirects;

    private SharedXattrTable(OverlayRewrite rewrite) {
        this.rewrite = rewrite;
    }

    /** The entries in the order they are stored. */
    List<Xattr> entries() {
        return entries;
    }

    /** The table's size in bytes. */
    long size() {
        return size;
    }

    /** An entry's byte offset in the table. */
    long offset(Xattr x) {
        return offsets.get(x);
    }

    /**
     * Whether {@code x}, coming after {@code references} shared references of the same inode, is stored as a
     * reference to the table (at most 128 per inode) rather than inline. A redirect is looked up only when the
     * table holds one: its value is made afresh for each file, so hashing it costs a pass over the path.
     */
    boolean takesReference(Xattr x, int references) {
        return references < Format.XattrHeader.MAX_SHARED_REFS && (sharesRedirects || x.name() != REDIRECT)
                && offsets.containsKey(x);
    }

    /** The size of an inode's xattr body: header, shared references and inline entries (0 without xattrs). */
    int bodySize(List<Xattr> all) {
        if (all.isEmpty()) {
            return 0;
        }
        int bodySize = Format.XattrHeader.SIZE;
        int refs = 0;
        for (Xattr x : all) {
            if (takesReference(x, refs)) {
                bodySize += Format.XattrHeader.SHARED_REF_SIZE;
                refs++;
            } else {
                bodySize += rewrite.entrySize(x);
            }
        }
        return bodySize;
    }

    static SharedXattrTable build(Inodes inodes, OverlayRewrite rewrite, Workers workers) {
        SharedXattrTable t = new SharedXattrTable(rewrite);
        t.collect(inodes, workers);
        return t;
    }

    private void collect(Inodes inodes, Workers workers) {
        int count = inodes.count();
        Map<Xattr, Integer> counts = new ConcurrentHashMap<>();
        // The metacopy and redirect xattrs of external files are counted by sorting their digests (and by
        // payload where it is not the digest's object path) rather than made and hashed: in a tree of a million
        // files with distinct contents each would otherwise leave two values and two map entries behind.
        List<byte[]> metacopies = new ArrayList<>();
        List<byte[]> redirectsByDigest = new ArrayList<>();
        Map<ByteString, Integer> redirectsByPayload = new HashMap<>();
        int noDigest = 0;
        for (int i = 0; i < count; i++) {
            Node n = inodes.node(i);
            if (OverlayRewrite.isExternal(n)) {
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
        workers.forEach(0, count, i -> {
            Node n = inodes.node(i);
            if (OverlayRewrite.isPlainExternal(n)) {
                return; // metacopy and redirect are all it has, counted above
            }
            boolean external = OverlayRewrite.isExternal(n);
            for (Xattr x : rewrite.xattrs(i)) {
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
                counts.merge(new Xattr(REDIRECT, OverlayRewrite.redirect(p)), c, Integer::sum);
            }
        });
        // A value seen once stays out of the counts unless something else has the same xattr.
        if (noDigest > 0) {
            mergeIfShared(counts, new Xattr(METACOPY, ByteString.EMPTY), noDigest);
        }
        forEachRun(workers, metacopies, (d, c) -> mergeIfShared(counts, new Xattr(METACOPY, OverlayRewrite.metacopy(d)), c));
        forEachRun(workers, redirectsByDigest, (d, c) -> mergeIfShared(counts,
                new Xattr(REDIRECT, OverlayRewrite.redirect(ByteString.wrap(new ObjectDigest(d).pathBytes()))), c));
        for (Map.Entry<Xattr, Integer> e : counts.entrySet()) {
            if (e.getValue() > 1) {
                entries.add(e.getKey());
            }
        }
        // Descending by name, then longer value first, then value bytes descending (the reference's order).
        entries.sort((a, b) -> {
            int c = b.name().compareTo(a.name());
            if (c != 0) {
                return c;
            }
            c = Integer.compare(b.value().length(), a.value().length());
            return c != 0 ? c : b.value().compareTo(a.value());
        });
        long off = 0;
        for (Xattr x : entries) {
            sharesRedirects |= x.name().equals(REDIRECT);
            offsets.put(x, off);
            off += rewrite.entrySize(x);
        }
        size = off;
    }

    /** Sorts the digests and calls {@code run} once per distinct digest with how often it occurs. */
    private static void forEachRun(Workers workers, List<byte[]> digests, ObjIntConsumer<byte[]> run) {
        byte[][] sorted = digests.toArray(new byte[0][]);
        digests.clear();
        workers.sort(sorted, Arrays::compareUnsigned);
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
}
