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
 * writes the same text. Seeds: the upstream vectors, including the honggfuzz ones. See docs/fuzzing.md.
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
        byte[] again = write(DumpReader.read(written, true));
        assertThat(again).as("the dump written for an accepted one reads back the same").isEqualTo(written);
    }

    private static byte[] write(Node tree) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DumpWriter.write(tree, out);
        return out.toByteArray();
    }
}
