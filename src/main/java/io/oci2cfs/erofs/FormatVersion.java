package io.oci2cfs.erofs;

/**
 * The composefs format version range, as {@code --min-version}/{@code --max-version} give it.
 *
 * <p>Version 1 adds the {@code opaque=x} markers on directories that hold whiteouts; the writer picks 1 only
 * when allowed and the tree holds a whiteout (lcfs-writer.c, {@code lcfs_compute_tree}'s version bump).
 */
public record FormatVersion(int min, int max) {
    public static final int LATEST = 1;
    public static final FormatVersion DEFAULT = new FormatVersion(0, LATEST);

    public FormatVersion {
        if (min < 0 || min > LATEST || max < 0 || max > LATEST) {
            throw new IllegalArgumentException("format version must be 0.." + LATEST + ", got min " + min
                    + " max " + max);
        }
        if (max < min) {
            max = min;
        }
    }

    public static FormatVersion exactly(int version) {
        return new FormatVersion(version, version);
    }

    /**
     * The range from command-line flags the way mkcomposefs reads them: with neither flag the defaults
     * apply, but once either is given the other one defaults to 0.
     */
    public static FormatVersion fromFlags(Integer min, Integer max) {
        if (min == null && max == null) {
            return DEFAULT;
        }
        return new FormatVersion(min == null ? 0 : min, max == null ? 0 : max);
    }
}
