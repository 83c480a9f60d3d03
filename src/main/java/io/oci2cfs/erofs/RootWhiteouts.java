package io.oci2cfs.erofs;

import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Node;
import io.oci2cfs.tree.Xattr;
import java.util.ArrayList;
import java.util.List;

/** §7.4: the 256 overlay whiteouts 00..ff the root gets for every name it does not already hold. */
final class RootWhiteouts {
    private static final int COUNT = 256;
    private static final ByteString[] HEX_NAMES = new ByteString[COUNT];

    static {
        for (int i = 0; i < COUNT; i++) {
            HEX_NAMES[i] = ByteString.of(String.format("%02x", i));
        }
    }

    /** A directory entry: a name and the node it names. */
    record Entry(ByteString name, Node node) {
    }

    private RootWhiteouts() {
    }

    /** The root's entries: its children and the whiteouts 00..ff it lacks, merged in name order. */
    static List<Entry> rootEntries(Node root) {
        ByteString selinux = root.xattrs().get(Xattr.SECURITY_SELINUX);
        List<Entry> out = new ArrayList<>(root.childCount() + COUNT);
        int w = 0;
        for (Node c : root.children()) {
            for (; w < COUNT && HEX_NAMES[w].compareTo(c.name()) <= 0; w++) {
                if (!HEX_NAMES[w].equals(c.name())) {
                    out.add(new Entry(HEX_NAMES[w], whiteout(root, selinux)));
                }
            }
            out.add(new Entry(c.name(), c));
        }
        for (; w < COUNT; w++) {
            out.add(new Entry(HEX_NAMES[w], whiteout(root, selinux)));
        }
        return out;
    }

    private static Node whiteout(Node root, ByteString selinux) {
        Node w = new Node(FileMode.S_IFCHR | 0644).uid(root.uid()).gid(root.gid())
                .mtime(root.mtimeSec(), root.mtimeNsec());
        if (selinux != null) {
            w.setXattr(Xattr.SECURITY_SELINUX, selinux);
        }
        return w;
    }
}
