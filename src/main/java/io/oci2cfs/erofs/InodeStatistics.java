package io.oci2cfs.erofs;

import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Node;
import io.oci2cfs.tree.Xattr;
import java.util.Map;

/** §3: each inode's nlink (a directory's counted from its subdirectories), the minimum mtime and the ACL flag. */
final class InodeStatistics {
    private final int[] nlink;
    final long minMtimeSec;
    final int minMtimeNsec;
    final boolean hasAcl;

    private InodeStatistics(int[] nlink, long minMtimeSec, int minMtimeNsec, boolean hasAcl) {
        this.nlink = nlink;
        this.minMtimeSec = minMtimeSec;
        this.minMtimeNsec = minMtimeNsec;
        this.hasAcl = hasAcl;
    }

    int nlink(int i) {
        return nlink[i];
    }

    static InodeStatistics of(Inodes inodes) {
        int count = inodes.count();
        int[] nlink = new int[count];
        long minSec = Long.MAX_VALUE;
        int minNsec = Integer.MAX_VALUE;
        boolean acl = false;
        for (int i = 0; i < count; i++) {
            Node n = inodes.node(i);
            if (n.isDirectory()) {
                int dirs = 0;
                for (int c = inodes.firstChild(i); c < inodes.endChild(i); c++) {
                    if (FileMode.isDir(inodes.node(c).mode())) {
                        dirs++;
                    }
                }
                nlink[i] = 2 + dirs;
            } else {
                nlink[i] = n.nlink();
            }
            if (n.mtimeSec() < minSec
                    || (n.mtimeSec() == minSec && Integer.compareUnsigned(n.mtimeNsec(), minNsec) < 0)) {
                minSec = n.mtimeSec();
                minNsec = n.mtimeNsec();
            }
            Map<ByteString, ByteString> x = n.xattrs();
            if (x.containsKey(Xattr.POSIX_ACL_ACCESS) || x.containsKey(Xattr.POSIX_ACL_DEFAULT)) {
                acl = true;
            }
        }
        return new InodeStatistics(nlink, minSec, minNsec, acl);
    }
}
