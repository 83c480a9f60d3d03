package io.oci2cfs.erofs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.dump.DumpReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The account a failing writer test prints names the region and field where two images first differ. */
class ErofsImageDiffTest {
    private static final String DUMP = "/ 4096 40755 3 0 0 0 0.0 - - -\n"
            + "/d 4096 40755 2 0 0 0 5.0 - - - user.a=b\n"
            + "/f 100 100644 1 0 0 0 0.0 ab/cdef - -\n"
            + "/s 3 120777 1 0 0 0 0.0 abc - -\n";

    private static byte[] image(String dump) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ErofsWriter.write(DumpReader.read(dump.getBytes(StandardCharsets.US_ASCII), true), FormatVersion.DEFAULT, out);
        return out.toByteArray();
    }

    @Test
    void identicalImages() throws IOException {
        assertThat(ImageDiff.explain(image(DUMP), image(DUMP))).isEqualTo("identical");
    }

    @Test
    void namesTheSuperblockField() throws IOException {
        byte[] ours = image(DUMP);
        byte[] theirs = ours.clone();
        theirs[Format.Superblock.OFFSET + Format.Superblock.BUILD_TIME_AT] ^= 1;
        assertThat(ImageDiff.explain(ours, theirs))
                .contains("first difference at byte " + (Format.Superblock.OFFSET + Format.Superblock.BUILD_TIME_AT))
                .contains("superblock, build_time (byte 0 of it)");
    }

    @Test
    void namesTheInodeFieldAndListsTheChangedEntry() throws IOException {
        byte[] ours = image(DUMP);
        byte[] theirs = image(DUMP.replace("/d 4096 40755 2 0 0 0 5.0", "/d 4096 40755 2 0 0 0 6.0"));
        String account = ImageDiff.explain(ours, theirs);
        assertThat(account).containsPattern("inode nid \\d+ \\(ino \\d+, mode 40755\\) extended record, field i_mtime \\(byte 0")
                .containsPattern("- /d \\d+ 40755 2 0 0 0 6.0").containsPattern("\\+ /d \\d+ 40755 2 0 0 0 5.0");
    }

    @Test
    void namesTheXattrBody() throws IOException {
        byte[] ours = image(DUMP);
        byte[] theirs = image(DUMP.replace("user.a=b", "user.a=c"));
        assertThat(ImageDiff.explain(ours, theirs)).contains("xattr body").contains("user.a=c");
    }

    @Test
    void rebuildsTheReferencesImageWithMkcomposefs() throws IOException {
        assumeTrue(io.oci2cfs.testutil.Proc.has("mkcomposefs"), "mkcomposefs 1.0.8 is not installed");
        byte[] dump = DUMP.getBytes(StandardCharsets.US_ASCII);
        assertThat(ImageDiff.reference(dump, List.of())).isEqualTo(image(DUMP));
        byte[] wrong = image(DUMP.replace("ab/cdef", "ab/cdeg"));
        assertThat(ImageDiff.explain(dump, List.of(), wrong)).contains("first difference at byte")
                .contains("- /f 100 100644 1 0 0 0 0.0 ab/cdef").contains("+ /f 100 100644 1 0 0 0 0.0 ab/cdeg");
    }
}
