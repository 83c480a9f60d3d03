package io.oci2cfs.tree;

/** POSIX {@code st_mode} file-type bits and helpers (values from {@code <sys/stat.h>}). */
public final class FileMode {
    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFIFO = 0010000;

    private FileMode() {
    }

    public static int type(int mode) {
        return mode & S_IFMT;
    }

    public static boolean isValidType(int mode) {
        return switch (mode & S_IFMT) {
            case S_IFSOCK, S_IFLNK, S_IFREG, S_IFBLK, S_IFDIR, S_IFCHR, S_IFIFO -> true;
            default -> false;
        };
    }

    public static boolean isDir(int mode) {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public static boolean isReg(int mode) {
        return (mode & S_IFMT) == S_IFREG;
    }

    public static boolean isLink(int mode) {
        return (mode & S_IFMT) == S_IFLNK;
    }

    public static boolean isChr(int mode) {
        return (mode & S_IFMT) == S_IFCHR;
    }

    public static boolean isBlk(int mode) {
        return (mode & S_IFMT) == S_IFBLK;
    }

    public static boolean isDevice(int mode) {
        return isChr(mode) || isBlk(mode);
    }

    /** The EROFS/{@code DT_*} directory-entry file type of a mode: 1 REG ... 7 SYMLINK, 0 unknown. */
    public static int direntType(int mode) {
        return switch (mode & S_IFMT) {
            case S_IFREG -> 1;
            case S_IFDIR -> 2;
            case S_IFCHR -> 3;
            case S_IFBLK -> 4;
            case S_IFIFO -> 5;
            case S_IFSOCK -> 6;
            case S_IFLNK -> 7;
            default -> 0;
        };
    }
}
