package io.oci2cfs.erofs;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.oci2cfs.dump.DumpWriter;
import io.oci2cfs.dump.TreeListing;
import io.oci2cfs.testutil.Fuzzing;
import io.oci2cfs.tree.Node;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * A composefs image as {@code info ls|dump|objects|missing-objects} read it: the superblock, the inode tree,
 * then each listing walked over the tree. Runs at -Xmx256m (the fuzz-tests surefire execution), so an image
 * that makes the reader allocate what its bytes cannot justify fails as OutOfMemoryError. Seeds: images
 * written by ErofsWriter for small upstream vectors. See docs/fuzzing.md.
 */
class ErofsReaderFuzzTest {

    @FuzzTest
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void read(byte[] image) throws IOException {
        Node root;
        try {
            ErofsReader.superblock(ByteBuffer.wrap(image));
            root = ErofsReader.read(ByteBuffer.wrap(image));
        } catch (CorruptImageException e) {
            Fuzzing.declared(e, null);
            return;
        }
        TreeListing.ls(root, OutputStream.nullOutputStream());
        DumpWriter.write(root, OutputStream.nullOutputStream());
        TreeListing.objects(root);
    }
}
