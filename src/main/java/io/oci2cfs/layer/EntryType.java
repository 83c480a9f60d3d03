package io.oci2cfs.layer;

import io.oci2cfs.tree.FileMode;

/** The kinds of tar member a layer may hold, with the {@code st_mode} file type each becomes. */
public enum EntryType {
    REGULAR(FileMode.S_IFREG),
    DIRECTORY(FileMode.S_IFDIR),
    SYMLINK(FileMode.S_IFLNK),
    /** A second name for an earlier member; has no file type of its own. */
    HARDLINK(0),
    CHAR(FileMode.S_IFCHR),
    BLOCK(FileMode.S_IFBLK),
    FIFO(FileMode.S_IFIFO);

    private final int fileType;

    EntryType(int fileType) {
        this.fileType = fileType;
    }

    int fileType() {
        return fileType;
    }
}
