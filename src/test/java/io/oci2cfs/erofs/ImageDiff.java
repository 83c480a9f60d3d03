package io.oci2cfs.erofs;

import io.oci2cfs.dump.DumpWriter;
import io.oci2cfs.erofs.Format.Compact;
import io.oci2cfs.erofs.Format.Extended;
import io.oci2cfs.erofs.Format.Header;
import io.oci2cfs.erofs.Format.Inode;
import io.oci2cfs.erofs.Format.Superblock;
import io.oci2cfs.erofs.Format.XattrHeader;
import io.oci2cfs.testutil.Proc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a failing writer test shows: where our image and the reference's differ. The first differing byte, the
 * region it is in (header, superblock field, which inode and which of its fields, xattr body, inline tail,
 * shared xattr table, data block) and the bytes around it, then the two images listed as dumps ({@code info
 * dump}) with the lines that differ.
 */
final class ImageDiff {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");
    private static final int MAX_LINES = 40;

    private ImageDiff() {
    }

    /** The image mkcomposefs 1.0.8 builds from a dump with {@code flags}, or null when it is not installed or fails. */
    static byte[] reference(byte[] dump, List<String> flags) {
        if (!Proc.has("mkcomposefs")) {
            return null;
        }
        try {
            Path dir = Files.createTempDirectory("image-diff-");
            try {
                Path in = Files.write(dir.resolve("in.dump"), dump);
                Path out = dir.resolve("out.cfs");
                List<String> cmd = new ArrayList<>(List.of("mkcomposefs", "--from-file"));
                cmd.addAll(flags);
                cmd.addAll(List.of(in.toString(), out.toString()));
                Proc.Result r = Proc.run(cmd);
                return r.code() == 0 ? Files.readAllBytes(out) : null;
            } finally {
                try (var s = Files.walk(dir)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException e) {
            return null;
        }
    }

    /** The account for a dump whose image is not the reference's: rebuilt by mkcomposefs when it is at hand. */
    static String explain(byte[] dump, List<String> flags, byte[] ours) {
        byte[] reference = reference(dump, flags);
        if (reference == null) {
            return "our image differs from the reference's (mkcomposefs is not installed or refused the dump, so"
                    + " no byte diff)\nour image:\n" + listing(ours);
        }
        return explain(ours, reference);
    }

    /** How {@code ours} differs from {@code reference}, or "identical". */
    static String explain(byte[] ours, byte[] reference) {
        int first = Arrays.mismatch(ours, reference);
        if (first < 0) {
            return "identical";
        }
        StringBuilder sb = new StringBuilder();
        sb.append("images differ: ours ").append(ours.length).append(" bytes, the reference's ")
                .append(reference.length).append(" bytes; first difference at byte ").append(first)
                .append(" (0x").append(Integer.toHexString(first)).append(")\n");
        sb.append("  in the reference: ").append(regionOf(reference, first)).append('\n');
        sb.append("  in ours:          ").append(regionOf(ours, first)).append('\n');
        int from = Math.max(0, first - 8);
        sb.append("  reference at ").append(from).append(": ").append(bytesAt(reference, from)).append('\n');
        sb.append("  ours      at ").append(from).append(": ").append(bytesAt(ours, from)).append('\n');
        sb.append(listingDiff(listing(ours), listing(reference)));
        return sb.toString();
    }

    private static String bytesAt(byte[] image, int from) {
        return from >= image.length ? "(end)" : HEX.formatHex(image, from, Math.min(image.length, from + 24));
    }

    /** The image as {@code info dump} prints it, or why it cannot be read. */
    static String listing(byte[] image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DumpWriter.write(ErofsReader.read(ByteBuffer.wrap(image)), out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "(cannot be read: " + e.getMessage() + ")\n";
        }
    }

    /** The lines only one of the listings has, each side in its order. */
    static String listingDiff(String ours, String reference) {
        List<String> a = List.of(ours.split("\n"));
        List<String> b = List.of(reference.split("\n"));
        LinkedHashSet<String> onlyOurs = new LinkedHashSet<>(a);
        b.forEach(onlyOurs::remove);
        LinkedHashSet<String> onlyReference = new LinkedHashSet<>(b);
        a.forEach(onlyReference::remove);
        StringBuilder sb = new StringBuilder();
        if (onlyOurs.isEmpty() && onlyReference.isEmpty()) {
            return "  the dump listings of both images are the same (the difference is in the layout only)\n";
        }
        sb.append("  dump listing, lines only in the reference's image (-) and only in ours (+):\n");
        onlyReference.stream().limit(MAX_LINES).forEach(l -> sb.append("  - ").append(l).append('\n'));
        onlyOurs.stream().limit(MAX_LINES).forEach(l -> sb.append("  + ").append(l).append('\n'));
        if (onlyOurs.size() > MAX_LINES || onlyReference.size() > MAX_LINES) {
            sb.append("  (").append(onlyReference.size()).append(" and ").append(onlyOurs.size())
                    .append(" lines differ; the first ").append(MAX_LINES).append(" of each are shown)\n");
        }
        return sb.toString();
    }

    /** The region of §4.1 that holds {@code offset}, down to the field where the format names one. */
    static String regionOf(byte[] image, long offset) {
        if (offset >= image.length) {
            return "past the end of the image";
        }
        if (offset < Header.SIZE) {
            return "composefs header, " + field(HEADER_FIELDS, offset);
        }
        if (offset < Superblock.OFFSET) {
            return "zeros after the composefs header";
        }
        if (offset < Format.INODES_START) {
            return "superblock, " + field(SUPERBLOCK_FIELDS, offset - Superblock.OFFSET);
        }
        try {
            Map.Entry<Long, String> r = regions(image).floorEntry(offset);
            return r == null ? "unknown" : r.getValue().replace("@", Long.toString(offset - r.getKey()));
        } catch (RuntimeException e) {
            return "unknown (the image cannot be walked: " + e + ")";
        }
    }

    private static final TreeMap<Long, String> HEADER_FIELDS = new TreeMap<>(Map.of(
            (long) Header.MAGIC_AT, "magic", (long) Header.VERSION_AT, "version", (long) Header.FLAGS_AT, "flags",
            (long) Header.FORMAT_VERSION_AT, "composefs format version", 16L, "unused"));
    private static final TreeMap<Long, String> SUPERBLOCK_FIELDS = new TreeMap<>(Map.ofEntries(
            Map.entry((long) Superblock.MAGIC_AT, "magic"), Map.entry(4L, "checksum"),
            Map.entry((long) Superblock.FEATURE_COMPAT_AT, "feature_compat"),
            Map.entry((long) Superblock.BLKSZBITS_AT, "blkszbits"), Map.entry(13L, "sb_extslots"),
            Map.entry((long) Superblock.ROOT_NID_AT, "root_nid"), Map.entry((long) Superblock.INOS_AT, "inos"),
            Map.entry((long) Superblock.BUILD_TIME_AT, "build_time"),
            Map.entry((long) Superblock.BUILD_TIME_NSEC_AT, "build_time_nsec"),
            Map.entry((long) Superblock.BLOCKS_AT, "blocks"),
            Map.entry((long) Superblock.META_BLKADDR_AT, "meta_blkaddr"),
            Map.entry((long) Superblock.XATTR_BLKADDR_AT, "xattr_blkaddr"), Map.entry(48L, "uuid and beyond")));
    private static final TreeMap<Long, String> COMPACT_FIELDS = new TreeMap<>(Map.of(
            (long) Inode.FORMAT_AT, "i_format", (long) Inode.XATTR_ICOUNT_AT, "i_xattr_icount",
            (long) Inode.MODE_AT, "i_mode", (long) Compact.NLINK_AT, "i_nlink", (long) Inode.SIZE_AT, "i_size",
            12L, "reserved", (long) Inode.U_AT, "i_u", (long) Inode.INO_AT, "i_ino", (long) Compact.UID_AT, "i_uid",
            (long) Compact.GID_AT, "i_gid"));
    private static final TreeMap<Long, String> EXTENDED_FIELDS = new TreeMap<>(Map.ofEntries(
            Map.entry((long) Inode.FORMAT_AT, "i_format"), Map.entry((long) Inode.XATTR_ICOUNT_AT, "i_xattr_icount"),
            Map.entry((long) Inode.MODE_AT, "i_mode"), Map.entry(6L, "reserved"), Map.entry((long) Inode.SIZE_AT, "i_size"),
            Map.entry((long) Inode.U_AT, "i_u"), Map.entry((long) Inode.INO_AT, "i_ino"),
            Map.entry((long) Extended.UID_AT, "i_uid"), Map.entry((long) Extended.GID_AT, "i_gid"),
            Map.entry((long) Extended.MTIME_AT, "i_mtime"), Map.entry((long) Extended.MTIME_NSEC_AT, "i_mtime_nsec"),
            Map.entry((long) Extended.NLINK_AT, "i_nlink"), Map.entry(48L, "reserved")));

    private static String field(TreeMap<Long, String> fields, long offset) {
        Map.Entry<Long, String> f = fields.floorEntry(offset);
        return f.getValue() + " (byte " + (offset - f.getKey()) + " of it)";
    }

    /**
     * The image's regions by start offset, found by walking its directories from the root: each inode's record
     * (field by field), xattr body and inline tail, the zeros and shared xattr table after the inodes, and each
     * inode's data blocks. "@" in a label stands for the offset within the region.
     */
    private static TreeMap<Long, String> regions(byte[] bytes) {
        ByteBuffer img = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int sb = Superblock.OFFSET;
        TreeMap<Long, String> regions = new TreeMap<>();
        long xattrStart = Integer.toUnsignedLong(img.getInt(sb + Superblock.XATTR_BLKADDR_AT)) * Format.BLOCK;
        long dataStart = Long.MAX_VALUE;
        long inodesEnd = Format.INODES_START;
        ArrayDeque<Long> queue = new ArrayDeque<>();
        LinkedHashSet<Long> seen = new LinkedHashSet<>();
        queue.add(Short.toUnsignedLong(img.getShort(sb + Superblock.ROOT_NID_AT)));
        while (!queue.isEmpty()) {
            long nid = queue.poll();
            if (!seen.add(nid)) {
                continue;
            }
            int at = (int) (nid * Format.INODE_SLOT);
            int format = Short.toUnsignedInt(img.getShort(at + Inode.FORMAT_AT));
            boolean ext = Inode.isExtended(format);
            int layout = Inode.layout(format);
            int mode = Short.toUnsignedInt(img.getShort(at + Inode.MODE_AT));
            long size = ext ? img.getLong(at + Inode.SIZE_AT) : Integer.toUnsignedLong(img.getInt(at + Inode.SIZE_AT));
            int ino = img.getInt(at + Inode.INO_AT);
            int u = img.getInt(at + Inode.U_AT);
            String name = "inode nid " + nid + " (ino " + ino + ", mode " + Integer.toOctalString(mode) + ")";
            TreeMap<Long, String> fields = ext ? EXTENDED_FIELDS : COMPACT_FIELDS;
            for (Map.Entry<Long, String> f : fields.entrySet()) {
                regions.put(at + f.getKey(), name + " " + (ext ? "extended" : "compact") + " record, field "
                        + f.getValue() + " (byte @ of it)");
            }
            long xattrs = at + Inode.size(ext);
            int xsize = XattrHeader.bodySize(Short.toUnsignedInt(img.getShort(at + Inode.XATTR_ICOUNT_AT)));
            if (xsize > 0) {
                regions.put(xattrs, name + " xattr body header (byte @)");
                regions.put(xattrs + XattrHeader.SIZE, name + " xattr body, shared references and entries (byte @)");
            }
            long tail = xattrs + xsize;
            long tailSize;
            long blocks;
            if (layout == Inode.LAYOUT_CHUNK_BASED) {
                tailSize = Format.Chunks.ENTRY_SIZE * Format.Chunks.count(size);
                blocks = 0;
            } else if (layout == Inode.LAYOUT_FLAT_INLINE) {
                tailSize = size % Format.BLOCK;
                blocks = size / Format.BLOCK;
            } else {
                tailSize = 0;
                blocks = (size + Format.BLOCK - 1) / Format.BLOCK;
            }
            if (tailSize > 0) {
                regions.put(tail, name + " inline tail (byte @)");
            }
            inodesEnd = Math.max(inodesEnd, tail + tailSize);
            regions.putIfAbsent(tail + tailSize, "zeros after " + name + " (byte @)");
            if (blocks > 0 && layout != Inode.LAYOUT_CHUNK_BASED) {
                long data = Integer.toUnsignedLong(u) * Format.BLOCK;
                dataStart = Math.min(dataStart, data);
                for (long b = 0; b < blocks; b++) {
                    regions.put(data + b * Format.BLOCK, name + " data block " + b + " (byte @)");
                }
                regions.putIfAbsent(data + blocks * Format.BLOCK, "after the data of " + name + " (byte @)");
            }
            if ((mode & 0170000) == 0040000) {
                for (long b = 0; b < blocks; b++) {
                    children(img, Integer.toUnsignedLong(u) * Format.BLOCK + b * Format.BLOCK, Format.BLOCK, queue);
                }
                if (tailSize > 0) {
                    children(img, tail, tailSize, queue);
                }
            }
        }
        long tableStart = Math.max(xattrStart, inodesEnd);
        regions.put(inodesEnd, "zeros after the last inode (byte @)");
        regions.put(tableStart, "shared xattr table, or the zeros after it (byte @ of it)");
        if (dataStart != Long.MAX_VALUE) {
            regions.putIfAbsent(dataStart, "data blocks (byte @)");
        }
        return regions;
    }

    private static void children(ByteBuffer img, long at, long size, ArrayDeque<Long> queue) {
        int first = Short.toUnsignedInt(img.getShort((int) at + Format.Dirent.NAME_OFF_AT));
        for (int i = 0; i < first / Format.Dirent.SIZE && (long) (i + 1) * Format.Dirent.SIZE <= size; i++) {
            queue.add(img.getLong((int) at + i * Format.Dirent.SIZE + Format.Dirent.NID_AT));
        }
    }
}
