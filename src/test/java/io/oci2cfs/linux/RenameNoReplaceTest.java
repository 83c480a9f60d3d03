package io.oci2cfs.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** renameat2(RENAME_NOREPLACE) through JNA's direct mapping, on the real filesystem of the temporary directory. */
class RenameNoReplaceTest {
    /** Filesystems whose Linux drivers take RENAME_NOREPLACE (see renameat2(2)). */
    private static final Set<String> SUPPORTING = Set.of("ext2/ext3", "ext4", "tmpfs", "xfs", "btrfs");

    @TempDir
    Path tmp;

    @Test
    void movesOnlyWhenTheTargetIsFree() throws IOException, InterruptedException {
        String fs = new String(new ProcessBuilder("stat", "-f", "-c", "%T", tmp.toString()).start()
                .getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assumeTrue(SUPPORTING.contains(fs), "the temporary directory is on " + fs
                + ", not a filesystem known to take RENAME_NOREPLACE: skipped");
        Path a = Files.writeString(tmp.resolve("a"), "first");
        Path b = Files.writeString(tmp.resolve("b"), "second");

        assertThat(RenameNoReplace.move(a, b)).isEqualTo(RenameNoReplace.Outcome.TARGET_EXISTS);
        assertThat(Files.readString(a)).isEqualTo("first");
        assertThat(Files.readString(b)).isEqualTo("second");

        Path c = tmp.resolve("c");
        assertThat(RenameNoReplace.move(a, c)).isEqualTo(RenameNoReplace.Outcome.MOVED);
        assertThat(a).doesNotExist();
        assertThat(Files.readString(c)).isEqualTo("first");
    }
}
