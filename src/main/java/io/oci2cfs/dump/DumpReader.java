package io.oci2cfs.dump;

import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Limits;
import io.oci2cfs.tree.Node;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.nio.charset.StandardCharsets;

/**
 * Reads a composefs-dump(5) file into a tree, with the rules of {@code mkcomposefs --from-file} 1.0.8.
 *
 * <p>Strict mode (the library default; {@code CFS_PARSE_STRICT} for mkcomposefs) also rejects a missing final
 * newline, a device number on a non-device and a symlink SIZE that is not its target's length. Where the
 * reference has undefined behaviour (a DIGEST that is not 64 hex digits) or reports an error only by accident
 * (a bad GID or RDEV only when UID is 0) this reader always rejects the line.
 */
public final class DumpReader {
    /** Largest inline CONTENT, {@code LCFS_INLINE_CONTENT_MAX}. */
    public static final int INLINE_CONTENT_MAX = 5000;
    private static final int XATTR_LINE_MAX = 0xFFFF;
    private static final int FIELDS = 11;
    private static final ByteString DOT = ByteString.of(".");
    private static final ByteString DOTDOT = ByteString.of("..");

    private final boolean strict;
    private Node root;
    private final List<Fixup> fixups = new ArrayList<>();
    private long lineNo;
    // Dumps list entries depth-first, so consecutive lines mostly share their parent directory.
    private byte[] lastParentPath;
    private Node lastParent;

    private record Fixup(Node link, byte[] target, long line) {
    }

    private DumpReader(boolean strict) {
        this.strict = strict;
    }

    public static Node read(InputStream in, boolean strict) throws IOException {
        DumpReader r = new DumpReader(strict);
        r.readLines(in);
        return r.finish();
    }

    public static Node read(byte[] dump, boolean strict) throws IOException {
        return read(new java.io.ByteArrayInputStream(dump), strict);
    }

    private void readLines(InputStream in) throws IOException {
        byte[] buf = new byte[64 * 1024];
        ByteArrayOutputStream partial = new ByteArrayOutputStream();
        for (int n; (n = in.read(buf)) >= 0; ) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                    byte[] line;
                    if (partial.size() > 0) {
                        partial.write(buf, start, i - start);
                        line = partial.toByteArray();
                        partial.reset();
                    } else {
                        line = Arrays.copyOfRange(buf, start, i);
                    }
                    parseLine(line);
                    start = i + 1;
                }
            }
            partial.write(buf, start, n - start);
        }
        if (partial.size() > 0) {
            if (strict) {
                throw new DumpException(lineNo + 1, "Missing trailing newline");
            }
            parseLine(partial.toByteArray());
        }
    }

    private Node finish() throws DumpException {
        if (root == null) {
            throw new DumpException(0, "No files in dump file");
        }
        // The reference resolves hardlinks after reading everything, last line first.
        for (int i = fixups.size() - 1; i >= 0; i--) {
            Fixup f = fixups.get(i);
            if (f.target == null) {
                throw new DumpException(f.line, "No target path for the hardlink");
            }
            Node target = lookup(f.target);
            if (target == null) {
                throw new DumpException(f.line, "No target at " + shown(f.target) + " for hardlink");
            }
            if (target == f.link) {
                throw new DumpException(f.line, "Self-referential hardlink " + shown(f.target));
            }
            if (target.isDirectory()) {
                // mkcomposefs links it and writes a directory cycle; the kernel refuses directory hardlinks
                throw new DumpException(f.line, "Hardlink to directory " + shown(f.target));
            }
            try {
                f.link.linkTo(target);
            } catch (IllegalArgumentException e) {
                throw new DumpException(f.line, "Hardlink loop through " + shown(f.target));
            }
        }
        return root;
    }

    private void parseLine(byte[] line) throws DumpException {
        lineNo++;
        try {
            parseFields(line);
        } catch (Escapes.BadField e) {
            throw new DumpException(lineNo, e.getMessage());
        }
    }

    private void parseFields(byte[] line) throws Escapes.BadField, DumpException {
        for (int i = 0; i < line.length; i++) {
            if (line[i] == 0) {
                throw new Escapes.BadField("Invalid embedded NUL character at position " + i);
            }
        }
        int[] start = new int[FIELDS];
        int[] end = new int[FIELDS];
        int p = 0;
        for (int f = 0; f < FIELDS; f++) {
            start[f] = p;
            int sp = indexOf(line, (byte) ' ', p);
            if (sp < 0) {
                end[f] = line.length;
                p = line.length;
            } else {
                end[f] = sp;
                p = sp + 1;
            }
        }
        byte[] path = cString(Escapes.unescape(line, start[0], end[0]));
        if (path.length == 0) {
            throw new Escapes.BadField("Invalid empty path");
        }
        int modeStart = start[2];
        boolean hardlink = modeStart < end[2] && line[modeStart] == '@';
        if (hardlink) {
            modeStart++;
        }
        int mode = (int) parseInt(line, modeStart, end[2], 8);
        if (!FileMode.isValidType(mode)) {
            throw new Escapes.BadField("Invalid mode " + Integer.toOctalString(mode));
        }
        Node node = new Node(mode);
        addToTree(path, node);
        if (hardlink) {
            if (FileMode.isDir(mode)) {
                throw new Escapes.BadField("Directories can't be hardlinked");
            }
            fixups.add(new Fixup(node, optional(line, start[8], end[8]), lineNo));
            return;
        }
        long size = parseInt(line, start[1], end[1], 10);
        long nlink = parseInt(line, start[3], end[3], 10);
        long uid = parseInt(line, start[4], end[4], 10);
        long gid = parseInt(line, start[5], end[5], 10);
        long rdev = parseInt(line, start[6], end[6], 10);
        int dot = indexOf(line, (byte) '.', start[7]);
        int secEnd = dot < 0 || dot > end[7] ? end[7] : dot;
        long mtimeSec = parseInt(line, start[7], secEnd, 10);
        long mtimeNsec = parseInt(line, Math.min(secEnd + 1, end[7]), end[7], 10);
        byte[] payload = optional(line, start[8], end[8]);
        byte[] content = optional(line, start[9], end[9]);
        if (content != null && content.length != size) {
            throw new Escapes.BadField("Invalid content size " + content.length + ", must match size " + size);
        }
        byte[] digest = optional(line, start[10], end[10]);

        int type = FileMode.type(mode);
        if (type != FileMode.S_IFLNK) {
            node.size(size);
        }
        node.nlink((int) nlink).uid((int) uid).gid((int) gid).mtime(mtimeSec, (int) mtimeNsec);
        if (FileMode.isDevice(mode)) {
            node.rdev((int) rdev);
        } else if (strict && rdev != 0) {
            throw new Escapes.BadField("Non-zero devnum on non-device");
        }
        if (type == FileMode.S_IFLNK) {
            byte[] target = payload == null ? null : cString(payload);
            if (target == null || target.length == 0 || target.length >= Limits.PATH_MAX) {
                throw new Escapes.BadField("Invalid symlink");
            }
            if (strict && size != target.length) {
                throw new Escapes.BadField("Invalid symlink size " + target.length + ", must match size " + size);
            }
            if (strict && content != null && content.length > 0) {
                throw new Escapes.BadField("Symlink cannot have content");
            }
            node.payload(ByteString.wrap(target)).size(target.length);
        } else {
            if (payload != null) {
                byte[] c = cString(payload);
                if (c.length >= Limits.PATH_MAX) {
                    throw new Escapes.BadField("Invalid payload");
                }
                node.payload(ByteString.wrap(c));
            }
            if (content != null) {
                if (content.length > INLINE_CONTENT_MAX) {
                    throw new Escapes.BadField("Inline content size " + content.length
                            + " exceeds maximum " + INLINE_CONTENT_MAX);
                }
                node.content(content.length == 0 ? null : content).size(content.length);
            }
        }
        // A line cut short leaves DIGEST empty; the reference then stores garbage that only an external
        // file would use, so an empty DIGEST counts as absent.
        if (digest != null && digest.length > 0) {
            node.digest(parseDigest(digest));
        }
        if (line.length - p > XATTR_LINE_MAX) {
            throw new Escapes.BadField("Too many xattrs");
        }
        parseXattrs(node, line, p);
    }

    private static byte[] parseDigest(byte[] hex) throws Escapes.BadField {
        String s = new String(hex, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (s.length() != 64) {
            throw new Escapes.BadField("Invalid digest " + s + ": expected 64 hex digits");
        }
        try {
            return HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException e) {
            throw new Escapes.BadField("Invalid digest " + s + ": expected 64 hex digits");
        }
    }

    // lcfs_node_set_xattr's accounting (Limits.XattrSpace), replayed as each xattr is set: a value set and
    // then replaced counts against the space at the time it was set, as in the reference.
    private static void parseXattrs(Node node, byte[] line, int p) throws Escapes.BadField {
        Limits.XattrSpace space = new Limits.XattrSpace();
        while (p < line.length) {
            int sp = indexOf(line, (byte) ' ', p);
            int end = sp < 0 ? line.length : sp;
            int eq = indexOf(line, (byte) '=', p);
            if (eq < 0 || eq >= end) {
                throw new Escapes.BadField("Missing = in xattr");
            }
            byte[] name = cString(Escapes.unescape(line, p, eq));
            byte[] value = Escapes.unescape(line, eq + 1, end);
            p = sp < 0 ? line.length : sp + 1;
            if (name.length == 0 || name.length > Limits.XATTR_NAME_MAX || value.length > Limits.XATTR_SIZE_MAX) {
                throw new Escapes.BadField("Can't set xattr");
            }
            ByteString key = ByteString.wrap(name);
            ByteString old = node.removeXattr(key);
            if (!space.set(name.length, old == null ? -1 : old.length(), !node.xattrs().isEmpty(), value.length)) {
                throw new Escapes.BadField("Can't set xattr");
            }
            node.setXattr(key, ByteString.wrap(value));
        }
    }

    private void addToTree(byte[] path, Node node) throws Escapes.BadField {
        if (path.length == 1 && path[0] == '/') {
            if (!node.isDirectory()) {
                throw new Escapes.BadField("Root must be a directory");
            }
            if (root != null) {
                throw new Escapes.BadField("Can't have multiple roots");
            }
            root = node;
            return;
        }
        if (root == null) {
            throw new Escapes.BadField("Root node not present");
        }
        int lastSlash = path.length - 1;
        while (lastSlash >= 0 && path[lastSlash] != '/') {
            lastSlash--;
        }
        if (lastSlash > 0 && lastParentPath != null && lastSlash == lastParentPath.length
                && Arrays.equals(path, 0, lastSlash, lastParentPath, 0, lastSlash)) {
            addChild(lastParent, ByteString.of(path, lastSlash + 1, path.length - lastSlash - 1), node, path);
            return;
        }
        Node parent = root;
        int i = 0;
        while (true) {
            while (i < path.length && path[i] == '/') {
                i++;
            }
            int j = i;
            while (j < path.length && path[j] != '/') {
                j++;
            }
            ByteString name = ByteString.of(path, i, j - i);
            if (j == path.length) {
                addChild(parent, name, node, path);
                if (parent.isDirectory() && lastSlash > 0) {
                    lastParentPath = Arrays.copyOf(path, lastSlash);
                    lastParent = parent;
                }
                return;
            }
            Node next = parent.child(name);
            if (next == null) {
                throw new Escapes.BadField("Parent directory missing for " + shown(path));
            }
            parent = next;
            i = j;
        }
    }

    private static String shown(byte[] path) {
        return new String(path, StandardCharsets.UTF_8);
    }

    private static void addChild(Node parent, ByteString name, Node node, byte[] path) throws Escapes.BadField {
        if (!parent.isDirectory()) {
            throw new Escapes.BadField("Parent must be a directory for " + shown(path));
        }
        if (name.equals(DOT) || name.equals(DOTDOT)) {
            throw new Escapes.BadField("Invalid . or .. in path: " + shown(path));
        }
        if (name.length() == 0 || name.length() > Limits.NAME_MAX) {
            throw new Escapes.BadField("Can't add child");
        }
        if (!parent.tryAddChild(name, node)) {
            throw new Escapes.BadField("Path " + shown(path) + " already exist");
        }
    }

    private Node lookup(byte[] path) {
        Node n = root;
        int i = 0;
        while (true) {
            while (i < path.length && path[i] == '/') {
                i++;
            }
            if (i == path.length) {
                return n;
            }
            int j = i;
            while (j < path.length && path[j] != '/') {
                j++;
            }
            n = n.child(ByteString.of(path, i, j - i));
            if (n == null) {
                return null;
            }
            i = j;
        }
    }

    private static byte[] optional(byte[] line, int from, int to) throws Escapes.BadField {
        if (to - from == 1 && line[from] == '-') {
            return null;
        }
        return Escapes.unescape(line, from, to);
    }

    /** Names and paths are C strings in the reference: an escaped NUL ends them. */
    private static byte[] cString(byte[] b) {
        int nul = indexOf(b, (byte) 0, 0);
        return nul < 0 ? b : Arrays.copyOf(b, nul);
    }

    private static int indexOf(byte[] b, byte c, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static Escapes.BadField invalidInteger(byte[] b, int from, int to) {
        return new Escapes.BadField("Invalid integer " + new String(b, from, to - from, StandardCharsets.ISO_8859_1));
    }

    /** {@code strtoull} as the reference calls it: leading blanks and a sign allowed, the rest must be digits. */
    static long parseInt(byte[] b, int from, int to, int base) throws Escapes.BadField {
        int i = from;
        while (i < to && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r'))) {
            i++;
        }
        boolean negative = false;
        if (i < to && (b[i] == '+' || b[i] == '-')) {
            negative = b[i] == '-';
            i++;
        }
        if (i == to || from == to) {
            throw invalidInteger(b, from, to);
        }
        // Bases 8 and 10 only, so a digit is '0' to '0' + base - 1. Plain compares rather than Character.digit
        // and a division per digit: this loop runs for every number of every line, mostly before the JIT's
        // first compiler has even reached it.
        long limit = base == 8 ? -1L >>> 3 : Long.divideUnsigned(-1L, 10);
        long v = 0;
        boolean overflow = false;
        for (; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d >= base) {
                throw invalidInteger(b, from, to);
            }
            long shifted = v * base;
            long next = shifted + d;
            if (Long.compareUnsigned(v, limit) > 0 || Long.compareUnsigned(next, shifted) < 0) {
                overflow = true;
            }
            v = next;
        }
        if (overflow) {
            return -1L;
        }
        return negative ? -v : v;
    }
}
