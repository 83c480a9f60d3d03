package io.oci2cfs.erofs;

import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Node;
import io.oci2cfs.tree.Xattr;

/**
 * Defence in depth, whatever the tree's source checked: every value must fit its on-disk field and the
 * kernel's reading of it, or the image would be written and then refused at mount or lookup time.
 */
final class OnDiskFields {
    private OnDiskFields() {
    }

    static void check(Inodes inodes, OverlayRewrite rewrite, DirectoryEntries dirents, Layout layout)
            throws UnrepresentableTreeException {
        for (int i = 0; i < inodes.count(); i++) {
            Node n = inodes.node(i);
            int mode = rewrite.mode(i);
            if (FileMode.isDir(mode)) {
                for (ByteString name : dirents.of(i).names()) {
                    if (name.length() == 0 || name.length() > Format.Dirent.MAX_NAME_LEN) {
                        throw new UnrepresentableTreeException(n.path() + ": an entry name of " + name.length()
                                + " bytes does not fit a dirent (1 to " + Format.Dirent.MAX_NAME_LEN + " bytes)");
                    }
                }
            } else if (FileMode.isLink(mode) && OverlayRewrite.linkTarget(n).length() >= Format.BLOCK) {
                throw new UnrepresentableTreeException(n.path() + ": a symlink target of " + OverlayRewrite.linkTarget(n).length()
                        + " bytes is over the kernel's limit of " + (Format.BLOCK - 1));
            }
            if (layout.xattrSize(i) > Format.XattrHeader.MAX_BODY) {
                throw new UnrepresentableTreeException(n.path() + ": " + layout.xattrSize(i) + " bytes of xattrs do not fit the"
                        + " 16-bit count of xattr words");
            }
            if (!n.xattrs().isEmpty()) {
                for (Xattr x : rewrite.xattrs(i)) {
                    int name = rewrite.split(x.name()).suffix().length();
                    if (name > Format.XattrEntry.MAX_NAME_LEN || x.value().length() > Format.XattrEntry.MAX_VALUE_SIZE) {
                        throw new UnrepresentableTreeException(n.path() + ": xattr " + x.name() + " (stored name " + name
                                + " bytes, value " + x.value().length() + " bytes) does not fit its 8-bit name"
                                + " and 16-bit value sizes");
                    }
                }
            }
        }
        if (layout.totalBlocks() > 0xFFFFFFFFL) {
            throw new UnrepresentableTreeException("the image would take " + layout.totalBlocks()
                    + " blocks, over EROFS's 32-bit count");
        }
    }
}
