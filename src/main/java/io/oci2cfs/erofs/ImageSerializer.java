package io.oci2cfs.erofs;

import io.oci2cfs.erofs.DirectoryEntries.Dirents;
import io.oci2cfs.erofs.Format.Compact;
import io.oci2cfs.erofs.Format.Dirent;
import io.oci2cfs.erofs.Format.Extended;
import io.oci2cfs.erofs.Format.Header;
import io.oci2cfs.erofs.Format.Inode;
import io.oci2cfs.erofs.Format.Superblock;
import io.oci2cfs.erofs.Format.XattrEntry;
import io.oci2cfs.erofs.Format.XattrHeader;
import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Node;
import io.oci2cfs.tree.Xattr;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the regions of §4.1 in one sequential pass, as the layout placed them: header and superblock, the
 * inodes, the shared xattr table, the data blocks. Records are encoded in parallel batches and written in
 * order, so memory stays proportional to a batch, not to the image.
 */
final class ImageSerializer {
    private static final int BLOCK = Format.BLOCK;
    /** Inodes serialized in parallel before being written in order. */
    private static final int BATCH = 8192;
    /** At most this many data blocks (4 MiB) are encoded ahead of the output. */
    private static final int BATCH_BLOCKS = 1024;

    private final Inodes inodes;
    private final int version;
    private final InodeStatistics stats;
    private final OverlayRewrite rewrite;
    private final SharedXattrTable shared;
    private final DirectoryEntries dirents;
    private final Layout layout;
    private final Workers workers;

    ImageSerializer(Inodes inodes, int version, InodeStatistics stats, OverlayRewrite rewrite,
            SharedXattrTable shared, DirectoryEntries dirents, Layout layout, Workers workers) {
        this.inodes = inodes;
        this.version = version;
        this.stats = stats;
        this.rewrite = rewrite;
        this.shared = shared;
        this.dirents = dirents;
        this.layout = layout;
        this.workers = workers;
    }

    void writeHeaderAndSuperblock(DigestingOutput out) throws IOException {
        LeBuffer b = new LeBuffer(Format.INODES_START);
        b.putInt(Header.MAGIC_AT, Header.MAGIC);
        b.putInt(Header.VERSION_AT, Header.VERSION);
        b.putInt(Header.FLAGS_AT, stats.hasAcl ? Header.FLAG_HAS_ACL : 0);
        b.putInt(Header.FORMAT_VERSION_AT, version);
        int sb = Superblock.OFFSET;
        b.putInt(sb + Superblock.MAGIC_AT, Superblock.MAGIC);
        b.putInt(sb + Superblock.FEATURE_COMPAT_AT, Superblock.FEATURE_COMPAT);
        b.putByte(sb + Superblock.BLKSZBITS_AT, Format.BLOCK_BITS);
        b.putShort(sb + Superblock.ROOT_NID_AT, (int) layout.nid(0));
        b.putLong(sb + Superblock.INOS_AT, inodes.count());
        b.putLong(sb + Superblock.BUILD_TIME_AT, stats.minMtimeSec);
        b.putInt(sb + Superblock.BUILD_TIME_NSEC_AT, stats.minMtimeNsec);
        b.putInt(sb + Superblock.BLOCKS_AT, (int) layout.totalBlocks());
        b.putInt(sb + Superblock.META_BLKADDR_AT, 0);
        b.putInt(sb + Superblock.XATTR_BLKADDR_AT, (int) (layout.inodesEnd() / BLOCK));
        out.write(b.array());
    }

    /** Each inode record at its place, with the zeros that align it; then zeros to the shared table. */
    void writeInodes(DigestingOutput out) throws IOException {
        int count = inodes.count();
        byte[][] batch = new byte[Math.min(BATCH, count)][];
        for (int start = 0; start < count; start += BATCH) {
            int end = Math.min(count, start + BATCH);
            int base = start;
            workers.forEach(start, end, i -> batch[i - base] = inodeBytes(i));
            for (int i = start; i < end; i++) {
                out.zeros(layout.pos(i) - out.written());
                out.write(batch[i - start]);
                rewrite.release(i);
            }
        }
        out.zeros(layout.inodesEnd() - out.written());
    }

    /** The shared xattr table, then zeros to the first data block. */
    void writeSharedXattrs(DigestingOutput out) throws IOException {
        for (Xattr x : shared.entries()) {
            LeBuffer e = new LeBuffer(rewrite.entrySize(x));
            putXattrEntry(e, 0, x);
            out.write(e.array());
        }
        Regions.expectEnd("shared xattr table", out.written(), layout.inodesEnd() + shared.size());
        out.zeros(layout.dataStart() - out.written());
    }

    /** Each inode's data blocks, in inode order. */
    void writeDataBlocks(DigestingOutput out) throws IOException {
        int count = inodes.count();
        byte[][] batch = new byte[Math.min(BATCH, count)][];
        for (int start = 0, end; start < count; start = end) {
            // Batches are cut by size too: a thousand large directories would otherwise be tens of MiB at once.
            end = start;
            for (long blocks = 0; end < count && end - start < BATCH && blocks < BATCH_BLOCKS; end++) {
                blocks += layout.blocks(end);
            }
            int base = start;
            workers.forEach(start, end, i -> batch[i - base] = layout.blocks(i) > 0 ? blockBytes(i) : null);
            for (int i = start; i < end; i++) {
                if (batch[i - start] != null) {
                    Regions.expectEnd("the data before the blocks", i, out.written(), (long) layout.blkaddr(i) * BLOCK);
                    out.write(batch[i - start]);
                    batch[i - start] = null;
                }
            }
        }
    }

    /** The inode record with its xattr body and inline tail (§5), without the alignment padding before it. */
    private byte[] inodeBytes(int i) {
        Node n = inodes.node(i);
        int mode = rewrite.mode(i);
        boolean ext = layout.extended(i);
        int tail = layout.tail(i);
        boolean chunked = FileMode.isReg(mode) && OverlayRewrite.isExternal(n);
        int format = chunked ? Inode.LAYOUT_CHUNK_BASED
                : tail > 0 ? Inode.LAYOUT_FLAT_INLINE : Inode.LAYOUT_FLAT_PLAIN;
        long size;
        if (FileMode.isDir(mode)) {
            size = layout.directorySize(i);
        } else if (FileMode.isReg(mode)) {
            size = Inodes.isSourceWhiteout(n) ? 0 : n.size();
        } else if (FileMode.isLink(mode)) {
            size = OverlayRewrite.linkTarget(n).length();
        } else {
            size = 0;
        }
        int iu;
        if (FileMode.isDevice(mode)) {
            iu = n.rdev();
        } else if (chunked) {
            iu = Format.Chunks.format(n.size());
            if (layout.chunkTableInBlock(i)) {
                iu |= layout.blkaddr(i) & 0xFFFF0000;
            }
        } else if (layout.blocks(i) > 0) {
            iu = layout.blkaddr(i);
        } else {
            iu = 0;
        }
        int xsize = layout.xattrSize(i);
        int off = Inode.size(ext);
        LeBuffer b = new LeBuffer(off + xsize + tail);
        b.putShort(Inode.FORMAT_AT, Inode.format(format, ext));
        b.putShort(Inode.XATTR_ICOUNT_AT, XattrHeader.icount(xsize));
        b.putShort(Inode.MODE_AT, mode & 0xFFFF);
        b.putInt(Inode.U_AT, iu);
        b.putInt(Inode.INO_AT, i);
        if (ext) {
            b.putLong(Inode.SIZE_AT, size);
            b.putInt(Extended.UID_AT, n.uid());
            b.putInt(Extended.GID_AT, n.gid());
            b.putLong(Extended.MTIME_AT, n.mtimeSec());
            b.putInt(Extended.MTIME_NSEC_AT, n.mtimeNsec());
            b.putInt(Extended.NLINK_AT, stats.nlink(i));
        } else {
            b.putInt(Inode.SIZE_AT, (int) size);
            b.putShort(Compact.NLINK_AT, stats.nlink(i));
            b.putShort(Compact.UID_AT, n.uid());
            b.putShort(Compact.GID_AT, n.gid());
        }
        if (xsize > 0) {
            off = putXattrBody(b, off, rewrite.xattrs(i));
            Regions.expectEnd("the xattrs", i, off, Inode.size(ext) + xsize);
        }
        if (tail > 0) {
            putTail(b, off, i, mode);
        }
        return b.array();
    }

    /** §6.2: header, shared references and inline entries, both in name order. */
    private int putXattrBody(LeBuffer b, int off, List<Xattr> all) {
        List<Xattr> refs = new ArrayList<>();
        List<Xattr> inline = new ArrayList<>();
        for (Xattr x : all) {
            if (shared.takesReference(x, refs.size())) {
                refs.add(x);
            } else {
                inline.add(x);
            }
        }
        int filter = 0;
        for (Xattr x : all) {
            filter |= 1 << rewrite.split(x.name()).filterBit();
        }
        b.putInt(off + XattrHeader.NAME_FILTER_AT, ~filter);
        b.putByte(off + XattrHeader.SHARED_COUNT_AT, refs.size());
        off += XattrHeader.SIZE;
        for (Xattr x : refs) {
            b.putInt(off, XattrEntry.sharedReference(layout.inodesEnd(), shared.offset(x)));
            off += XattrHeader.SHARED_REF_SIZE;
        }
        for (Xattr x : inline) {
            off = putXattrEntry(b, off, x);
        }
        return off;
    }

    private int putXattrEntry(LeBuffer b, int off, Xattr x) {
        XattrName split = rewrite.split(x.name());
        return XattrEntry.put(b, off, split.index(), split.suffix().unsafeArray(), x.value().unsafeArray());
    }

    private void putTail(LeBuffer b, int off, int i, int mode) {
        Node n = inodes.node(i);
        if (FileMode.isDir(mode)) {
            int[] starts = dirents.blockStarts(i);
            b.putBytes(off, direntBlock(dirents.of(i), starts[starts.length - 2], starts[starts.length - 1], false));
            if (layout.blocks(i) == 0) {
                dirents.release(i);
            }
        } else if (FileMode.isLink(mode)) {
            b.putBytes(off, OverlayRewrite.linkTarget(n).unsafeArray());
        } else if (OverlayRewrite.isExternal(n)) {
            byte[] table = new byte[layout.tail(i)];
            Arrays.fill(table, (byte) 0xFF);
            b.putBytes(off, table);
        } else {
            byte[] c = n.content();
            b.putBytes(off, Arrays.copyOfRange(c, layout.blocks(i) * BLOCK, c.length));
        }
    }

    /** A node's data blocks (§4.5), {@code blocks × 4096} bytes. */
    private byte[] blockBytes(int i) {
        Node n = inodes.node(i);
        int mode = rewrite.mode(i);
        int blocks = layout.blocks(i);
        int len = blocks * BLOCK;
        byte[] out;
        if (FileMode.isDir(mode)) {
            out = new byte[len];
            int[] starts = dirents.blockStarts(i);
            for (int k = 0; k < blocks; k++) {
                byte[] block = direntBlock(dirents.of(i), starts[k], starts[k + 1], true);
                System.arraycopy(block, 0, out, k * BLOCK, BLOCK);
            }
            dirents.release(i);
        } else if (FileMode.isLink(mode)) {
            out = Arrays.copyOf(OverlayRewrite.linkTarget(n).unsafeArray(), len);
        } else if (layout.chunkTableInBlock(i)) {
            out = new byte[len];
            Arrays.fill(out, (byte) 0xFF);
        } else {
            out = Arrays.copyOf(n.content(), len);
        }
        return out;
    }

    /** §9: one block of entries (or the tail): all entries first, then all names. */
    private byte[] direntBlock(Dirents d, int from, int to, boolean padToBlock) {
        int len = 0;
        for (int k = from; k < to; k++) {
            len += d.cost(k);
        }
        LeBuffer b = new LeBuffer(padToBlock ? BLOCK : len);
        int nameOff = Dirent.SIZE * (to - from);
        for (int k = from; k < to; k++) {
            ByteString name = d.names()[k];
            int target = d.targets()[k];
            Dirent.put(b, (k - from) * Dirent.SIZE, layout.nid(target), nameOff,
                    FileMode.direntType(rewrite.mode(target)));
            b.putBytes(nameOff, name.unsafeArray());
            nameOff += name.length();
        }
        return b.array();
    }
}
