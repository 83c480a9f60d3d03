package io.oci2cfs.erofs;

/** The writer's check that each region ends where the layout said it would. */
final class Regions {
    private Regions() {
    }

    /** Throws an internal error when a region ends at {@code actual} instead of {@code expected}. */
    static void expectEnd(String region, long actual, long expected) {
        if (actual != expected) {
            throw new IllegalStateException("internal error: " + region + " ends at byte " + actual
                    + ", the layout placed its end at " + expected);
        }
    }

    /**
     * As {@link #expectEnd(String, long, long)} for a region of inode {@code inode}, the message made only on
     * failure: this runs once per inode.
     */
    static void expectEnd(String region, int inode, long actual, long expected) {
        if (actual != expected) {
            expectEnd(region + " of inode " + inode, actual, expected);
        }
    }
}
