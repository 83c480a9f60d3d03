package io.oci2cfs.dump;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.oci2cfs.testutil.Fuzzing;
import io.oci2cfs.tree.Node;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * composefs-dump(5) text as {@code mkcomposefs --from-file} and {@code convert dump:FILE} read it, strict and
 * lenient. A dump that is accepted must survive a round trip: written back, it reads again (strictly) and
 * writes the same text, unless escaping made its xattrs too long for a dump line. Seeds: the upstream vectors, including the honggfuzz ones. See docs/fuzzing.md.
 */
class DumpReaderFuzzTest {

    @FuzzTest
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void strict(byte[] dump) throws IOException {
        roundTrip(dump, true);
    }

    @FuzzTest
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void lenient(byte[] dump) throws IOException {
        roundTrip(dump, false);
    }

    private static void roundTrip(byte[] dump, boolean strict) throws IOException {
        Node tree;
        try {
            tree = DumpReader.read(dump, strict);
        } catch (DumpException e) {
            Fuzzing.declared(e, null);
            return;
        }
        byte[] written = write(tree);
        Node reread;
        try {
            reread = DumpReader.read(written, true);
        } catch (DumpException e) {
            // As with composefs-info's dumps: a byte escaped as \xNN takes 4, so the xattrs of a line that
            // fit the reader's 65,535 bytes of text can outgrow them once written back.
            assertThat(e.getMessage()).as("re-reading the written dump").endsWith(": Too many xattrs");
            return;
        }
        assertThat(write(reread)).as("the dump written for an accepted one reads back the same").isEqualTo(written);
    }

    private static byte[] write(Node tree) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DumpWriter.write(tree, out);
        return out.toByteArray();
    }
}
