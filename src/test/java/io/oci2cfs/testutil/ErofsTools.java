package io.oci2cfs.testutil;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

/**
 * The Debian tools the tests check our output against ({@code erofs-utils}, {@code fsverity}); each check
 * returns false, checking nothing, when its tool is not installed ({@code .ci/run} installs them).
 */
public final class ErofsTools {
    private ErofsTools() {
    }

    /** Asserts that {@code fsck.erofs} accepts the image; false when fsck.erofs is not installed. */
    public static boolean fsck(Path image) {
        if (!Proc.has("fsck.erofs")) {
            return false;
        }
        Proc.Result r = Proc.run("fsck.erofs", image.toString());
        assertThat(r.code()).as("fsck.erofs %s: %s %s", image, r.out(), r.stderr()).isZero();
        return true;
    }

    /** The hex digest {@code fsverity digest} prints for the file, or null when the tool is missing. */
    public static String fsverityDigest(Path file) {
        return fsverityDigest(file, "sha256");
    }

    /** The hex digest {@code fsverity digest --hash-alg=ALG} prints, or null when the tool is missing. */
    public static String fsverityDigest(Path file, String alg) {
        if (!Proc.has("fsverity")) {
            return null;
        }
        Proc.Result r = Proc.run("fsverity", "digest", "--hash-alg=" + alg, file.toString());
        assertThat(r.code()).as("fsverity digest %s: %s", file, r.stderr()).isZero();
        String line = r.out().trim();
        assertThat(line).startsWith(alg + ":");
        return line.substring(alg.length() + 1).split(" ")[0];
    }
}
