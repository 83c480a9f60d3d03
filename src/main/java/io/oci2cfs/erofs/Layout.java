package io.oci2cfs.erofs;

import io.oci2cfs.erofs.DirectoryEntries.Dirents;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Node;

/**
 * §4: where everything goes. §4.3 how much each inode needs (data blocks and an inline tail), §5.1 which
 * inodes need the extended form, §4.4 where each inode record starts, §4.5 the data blocks, and the regions
 * of §4.1 that follow from them.
 */
final class Layout {
    private static final int BLOCK = Format.BLOCK;

    private final Inodes inodes;
    private final OverlayRewrite rewrite;
    private final DirectoryEntries dirents;
    private final InodeStatistics stats;
    /** The byte offset of each inode record; the nid is this / 32. */
    private final long[] pos;
    private final int[] nblocks;
    private final int[] tail;
    private final int[] xattrSize;
    private final int[] blkaddr;
    private final boolean[] extended;
    private final boolean[] chunkTableInBlock;
    private long inodesEnd;
    private long dataStart;
    private long totalBlocks;

    private Layout(Inodes inodes, OverlayRewrite rewrite, DirectoryEntries dirents, InodeStatistics stats) {
        this.inodes = inodes;
        this.rewrite = rewrite;
        this.dirents = dirents;
        this.stats = stats;
        int count = inodes.count();
        pos = new long[count];
        nblocks = new int[count];
        tail = new int[count];
        xattrSize = new int[count];
        blkaddr = new int[count];
        extended = new boolean[count];
        chunkTableInBlock = new boolean[count];
    }

    static Layout compute(Inodes inodes, OverlayRewrite rewrite, SharedXattrTable shared, DirectoryEntries dirents,
            InodeStatistics stats, Workers workers) {
        Layout l = new Layout(inodes, rewrite, dirents, stats);
        workers.forEach(0, inodes.count(), i -> {
            l.size(i);
            l.xattrSize[i] = shared.bodySize(rewrite.xattrs(i));
            l.extended[i] = l.needsExtended(i);
        });
        l.place(shared.size());
        return l;
    }

    /** The offset of an inode record. */
    long pos(int i) {
        return pos[i];
    }

    long nid(int i) {
        return pos[i] / Format.INODE_SLOT;
    }

    /** The inode's data blocks. */
    int blocks(int i) {
        return nblocks[i];
    }

    /** The size of the inline tail after the record and its xattr body. */
    int tail(int i) {
        return tail[i];
    }

    int xattrSize(int i) {
        return xattrSize[i];
    }

    /** The first data block of the inode, when it has any. */
    int blkaddr(int i) {
        return blkaddr[i];
    }

    boolean extended(int i) {
        return extended[i];
    }

    /** Quirk Q2: the chunk table moved to a data block of its own. */
    boolean chunkTableInBlock(int i) {
        return chunkTableInBlock[i];
    }

    /** Where the inodes end and the shared xattr table starts. */
    long inodesEnd() {
        return inodesEnd;
    }

    long dataStart() {
        return dataStart;
    }

    long totalBlocks() {
        return totalBlocks;
    }

    /** A directory's {@code i_size}: its blocks and tail. */
    long directorySize(int i) {
        return (long) nblocks[i] * BLOCK + tail[i];
    }

    private void size(int i) {
        Node n = inodes.node(i);
        int mode = rewrite.mode(i);
        if (FileMode.isDir(mode)) {
            long cur = 0;
            int blocks = 0;
            Dirents d = dirents.of(i);
            for (int k = 0; k < d.size(); k++) {
                int cost = d.cost(k);
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
            tail[i] = OverlayRewrite.linkTarget(n).length();
        } else if (FileMode.isReg(mode) && n.content() != null && n.size() > 0) {
            nblocks[i] = (int) (n.size() / BLOCK);
            tail[i] = (int) (n.size() % BLOCK);
            if (tail[i] > BLOCK / 2) {
                nblocks[i]++;
                tail[i] = 0;
            }
        } else if (FileMode.isReg(mode) && OverlayRewrite.isExternal(n)) {
            tail[i] = (int) (Format.Chunks.ENTRY_SIZE * Format.Chunks.count(n.size()));
        }
    }

    // §5.1, including quirk Q3: special files are judged by their stored size although i_size is 0.
    private boolean needsExtended(int i) {
        Node n = inodes.node(i);
        int mode = rewrite.mode(i);
        long size;
        if (FileMode.isDir(mode)) {
            size = directorySize(i);
        } else if (FileMode.isLink(mode)) {
            size = OverlayRewrite.linkTarget(n).length();
        } else if (Inodes.isSourceWhiteout(n) && !inodes.isRootWhiteout(n)) {
            size = 0;
        } else {
            size = n.size();
        }
        return n.mtimeSec() != stats.minMtimeSec || n.mtimeNsec() != stats.minMtimeNsec
                || Integer.toUnsignedLong(stats.nlink(i)) > 0xFFFF
                || Integer.toUnsignedLong(n.uid()) > 0xFFFF
                || Integer.toUnsignedLong(n.gid()) > 0xFFFF
                || size < 0 || size > 0xFFFFFFFFL;
    }

    // §4.4 placement, §4.5 data blocks.
    private void place(long sharedSize) {
        int count = inodes.count();
        long p = Format.INODES_START;
        for (int i = 0; i < count; i++) {
            p = roundUp(p, Format.INODE_SLOT);
            long nontail = Format.Inode.size(extended[i]) + xattrSize[i];
            if (FileMode.isLink(inodes.node(i).mode())) {
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
                    long pad = roundUp(rem, Format.INODE_SLOT);
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
        inodesEnd = roundUp(p, Format.INODE_SLOT);
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

    static long roundUp(long v, long to) {
        return (v + to - 1) / to * to;
    }
}
