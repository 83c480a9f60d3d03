package io.oci2cfs.dump;

import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.Node;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Map;

/**
 * Prints a tree in the composefs-dump(5) format, depth-first in name order, the way {@code composefs-info dump}
 * does: a hardlink entry is an {@code @MODE} line carrying its target's fields and the target's path as
 * PAYLOAD. Reading the output back with {@link DumpReader} gives the same tree.
 */
public final class DumpWriter {
    private DumpWriter() {
    }

    public static void write(Node root, OutputStream out) throws IOException {
        StringBuilder sb = new StringBuilder(256);
        // Each node travels with its path, built from its parent's, so no line walks back to the root.
        Deque<Node> nodes = new ArrayDeque<>();
        Deque<byte[]> paths = new ArrayDeque<>();
        nodes.push(root);
        paths.push(new byte[] {'/'});
        while (!nodes.isEmpty()) {
            Node n = nodes.pop();
            byte[] path = paths.pop();
            sb.setLength(0);
            line(sb, n, path);
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            Node[] kids = n.children().toArray(new Node[0]);
            int prefix = n.parent() == null ? 0 : path.length;
            for (int i = kids.length - 1; i >= 0; i--) {
                byte[] name = kids[i].name().unsafeArray();
                byte[] child = java.util.Arrays.copyOf(path, prefix + 1 + name.length);
                child[prefix] = '/';
                System.arraycopy(name, 0, child, prefix + 1, name.length);
                nodes.push(kids[i]);
                paths.push(child);
            }
        }
    }

    /** Appends one line; bytes are kept one-to-one as ISO-8859-1 chars so that nothing is re-encoded. */
    static void line(StringBuilder sb, Node n, byte[] path) {
        Node t = n.resolve();
        escape(sb, path, Escapes.STANDARD);
        sb.append(' ').append(Long.toUnsignedString(t.size())).append(' ');
        if (n.isHardlink()) {
            sb.append('@');
        }
        sb.append(Integer.toOctalString(t.mode())).append(' ')
                .append(Integer.toUnsignedString(t.nlink())).append(' ')
                .append(Integer.toUnsignedString(t.uid())).append(' ')
                .append(Integer.toUnsignedString(t.gid())).append(' ')
                .append(Integer.toUnsignedString(t.rdev())).append(' ')
                .append(t.mtimeSec()).append('.').append(Integer.toUnsignedString(t.mtimeNsec())).append(' ');
        ByteString payload = n.isHardlink() ? ByteString.wrap(rawPath(t)) : t.payload();
        optional(sb, payload == null ? null : payload.unsafeArray());
        sb.append(' ');
        optional(sb, t.content());
        sb.append(' ').append(t.digest() == null ? "-" : HexFormat.of().formatHex(t.digest()));
        for (Map.Entry<ByteString, ByteString> x : t.xattrs().entrySet()) {
            sb.append(' ');
            escape(sb, x.getKey().unsafeArray(), Escapes.ESCAPE_EQUAL);
            sb.append('=');
            escape(sb, x.getValue().unsafeArray(), Escapes.ESCAPE_EQUAL);
        }
        sb.append('\n');
    }

    private static void optional(StringBuilder sb, byte[] v) {
        if (v == null) {
            sb.append('-');
        } else {
            escape(sb, v, Escapes.ESCAPE_LONE_DASH);
        }
    }

    private static void escape(StringBuilder sb, byte[] v, int flags) {
        Escapes.escape(sb, v, flags);
    }

    /** The path of a hardlink's target, walked up from the node (only hardlink lines need it). */
    private static byte[] rawPath(Node n) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        java.util.List<ByteString> parts = new java.util.ArrayList<>();
        for (Node p = n; p.parent() != null; p = p.parent()) {
            parts.add(p.name());
        }
        for (int i = parts.size() - 1; i >= 0; i--) {
            b.write('/');
            b.writeBytes(parts.get(i).unsafeArray());
        }
        return b.toByteArray();
    }
}
