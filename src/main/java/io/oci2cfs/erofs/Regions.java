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
}
