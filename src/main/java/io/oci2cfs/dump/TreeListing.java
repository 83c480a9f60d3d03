package io.oci2cfs.dump;

import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Node;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.TreeSet;

/** The plain listings of {@code composefs-info}: {@code ls} and the object lists. */
public final class TreeListing {
    private TreeListing() {
    }

    /** One line per entry below the root: directories end in {@code /}, symlinks show their target, files their object. */
    public static void ls(Node root, OutputStream out) throws IOException {
        StringBuilder sb = new StringBuilder();
        lsChildren(root, new byte[0], sb, out);
    }

    private static void lsChildren(Node dir, byte[] prefix, StringBuilder sb, OutputStream out) throws IOException {
        for (Node c : dir.children()) {
            byte[] path = new byte[prefix.length + 1 + c.name().length()];
            System.arraycopy(prefix, 0, path, 0, prefix.length);
            path[prefix.length] = '/';
            System.arraycopy(c.name().unsafeArray(), 0, path, prefix.length + 1, c.name().length());
            Node t = c.resolve();
            sb.setLength(0);
            escapeKeepingSpaces(sb, path);
            int mode = t.mode();
            if (FileMode.isDir(mode)) {
                sb.append("/\t");
            } else if (FileMode.isLink(mode)) {
                sb.append("\t-> ");
                Escapes.escape(sb, t.payload().unsafeArray(), Escapes.STANDARD);
            } else if (FileMode.isReg(mode) && t.payload() != null) {
                sb.append("\t@ ");
                Escapes.escape(sb, t.payload().unsafeArray(), Escapes.STANDARD);
            }
            sb.append('\n');
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (c.isDirectory()) {
                lsChildren(c, path, sb, out);
            }
        }
    }

    private static void escapeKeepingSpaces(StringBuilder sb, byte[] v) {
        int start = 0;
        for (int i = 0; i <= v.length; i++) {
            if (i == v.length || v[i] == ' ') {
                Escapes.escape(sb, java.util.Arrays.copyOfRange(v, start, i), Escapes.STANDARD);
                if (i < v.length) {
                    sb.append(' ');
                }
                start = i + 1;
            }
        }
    }

    /** The distinct object paths (redirect payloads) of regular files, sorted as bytes. */
    public static Collection<ByteString> objects(Node root) {
        TreeSet<ByteString> out = new TreeSet<>();
        collect(root, out);
        return out;
    }

    private static void collect(Node n, TreeSet<ByteString> out) {
        if (!n.isHardlink() && FileMode.isReg(n.mode()) && n.payload() != null) {
            out.add(n.payload());
        }
        for (Node c : n.children()) {
            collect(c, out);
        }
    }
}
