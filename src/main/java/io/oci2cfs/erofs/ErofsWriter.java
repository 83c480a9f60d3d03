package io.oci2cfs.erofs;

import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.tree.Node;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ForkJoinPool;

/**
 * Writes a tree as a composefs EROFS image, byte-identical to libcomposefs 1.0.8.
 *
 * <p>The tree is not modified: the overlay rewriting that mkcomposefs applies to a clone (escaped xattrs,
 * metacopy/redirect, whiteout conversion, the root whiteouts) is computed on the fly. The layout is computed
 * first and the image is then streamed in one sequential pass, so memory stays proportional to the number of
 * inodes, not to the image size. The steps follow libcomposefs's {@code lcfs_write_erofs_to}; each is a class
 * of its own, and the on-disk records are in {@link Format}.
 *
 * <p>Section numbers (§) and quirks (Qn) in the comments refer to docs/composefs-erofs-format.md.
 */
public final class ErofsWriter {
    /** What was written: the format version chosen, the image size and its fs-verity digest (if asked for). */
    public record Result(int formatVersion, long size, byte[] fsverityDigest) {
        /** The digest as lowercase hex, or null when it was not computed. */
        public String digestHex() {
            return fsverityDigest == null ? null : FsVerityHasher.hex(fsverityDigest);
        }
    }

    private ErofsWriter() {
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
        return write(root, versions, out, digest, Runtime.getRuntime().availableProcessors());
    }

    /**
     * As {@link #write(Node, FormatVersion, OutputStream, boolean)}, its parallel steps on {@code threads}
     * threads (the caller's {@code --threads}).
     */
    public static Result write(Node root, FormatVersion versions, OutputStream out, boolean digest, int threads)
            throws IOException {
        try (Workers workers = Workers.threads(threads)) {
            return write(root, versions, out, digest, workers);
        }
    }

    /** As {@link #write(Node, FormatVersion, OutputStream, boolean)}, its parallel steps on the caller's pool. */
    public static Result write(Node root, FormatVersion versions, OutputStream out, boolean digest,
            ForkJoinPool pool) throws IOException {
        return write(root, versions, out, digest, Workers.of(pool));
    }

    private static Result write(Node root, FormatVersion versions, OutputStream out, boolean digest, Workers workers)
            throws IOException {
        if (!root.isDirectory()) {
            throw new UnrepresentableTreeException("the root must be a directory");
        }
        Inodes inodes = Inodes.number(root, RootWhiteouts.rootEntries(root));
        int version = chooseVersion(inodes, versions);
        Validation.check(inodes, version);
        InodeStatistics stats = InodeStatistics.of(inodes);
        OverlayRewrite rewrite = new OverlayRewrite(inodes, version);
        SharedXattrTable shared = SharedXattrTable.build(inodes, rewrite, workers);
        DirectoryEntries dirents = new DirectoryEntries(inodes);
        Layout layout = Layout.compute(inodes, rewrite, shared, dirents, stats, workers);
        OnDiskFields.check(inodes, rewrite, dirents, layout);

        DigestingOutput dout = new DigestingOutput(out, digest, workers);
        ImageSerializer image = new ImageSerializer(inodes, version, stats, rewrite, shared, dirents, layout, workers);
        image.writeHeaderAndSuperblock(dout);
        Regions.expectEnd("the superblock", dout.written(), Format.INODES_START);
        image.writeInodes(dout);
        Regions.expectEnd("the inodes", dout.written(), layout.inodesEnd());
        image.writeSharedXattrs(dout);
        Regions.expectEnd("the shared xattr table", dout.written(), layout.dataStart());
        image.writeDataBlocks(dout);
        Regions.expectEnd("the data blocks", dout.written(), layout.totalBlocks() * Format.BLOCK);
        return new Result(version, dout.written(), dout.digest());
    }

    // §10: the version starts at min and becomes 1 if allowed and the input tree holds a whiteout.
    private static int chooseVersion(Inodes inodes, FormatVersion v) {
        if (v.min() < 1 && v.max() >= 1) {
            for (int i = 0; i < inodes.count(); i++) {
                if (inodes.holdsWhiteout(i)) {
                    return 1;
                }
            }
        }
        return v.min();
    }
}
