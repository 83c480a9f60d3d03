package io.oci2cfs.erofs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Node;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The writer's own checks, for trees no source checked (a library caller's): a value that does not fit its
 * on-disk field is refused before a byte is written, and one that just fits reads back whole.
 */
class OnDiskFieldsTest {
    private static Node root() {
        return new Node(FileMode.S_IFDIR | 0755).nlink(2);
    }

    private static Node file() {
        return new Node(FileMode.S_IFREG | 0644).content(new byte[] {1, 2, 3}).size(3);
    }

    private static ByteString bytes(char c, int n) {
        return ByteString.of(String.valueOf(c).repeat(n));
    }

    private static Node write(Node root, ByteArrayOutputStream out) throws IOException {
        ErofsWriter.write(root, FormatVersion.DEFAULT, out);
        return ErofsReader.read(ByteBuffer.wrap(out.toByteArray()));
    }

    private static void refused(Consumer<Node> build, String message) {
        Node root = root();
        build.accept(root);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> ErofsWriter.write(root, FormatVersion.DEFAULT, out))
                .isInstanceOf(UnrepresentableTreeException.class).hasMessageContaining(message);
        assertThat(out.size()).as("bytes written before the refusal").isZero();
    }

    @Test
    void anEntryNameFitsADirentUpTo255Bytes() throws IOException {
        Node root = root();
        root.addChild(bytes('n', 255), file());
        assertThat(write(root, new ByteArrayOutputStream()).child(bytes('n', 255))).isNotNull();

        refused(r -> r.addChild(bytes('n', 256), file()), "/: an entry name of 256 bytes does not fit a dirent");
        refused(r -> r.addChild(ByteString.EMPTY, file()), "/: an entry name of 0 bytes does not fit a dirent");
    }

    @Test
    void aSymlinkTargetIsUnderAPage() throws IOException {
        Node root = root();
        root.addChild(ByteString.of("s"), new Node(FileMode.S_IFLNK | 0777).payload(bytes('t', 4095)).size(4095));
        assertThat(write(root, new ByteArrayOutputStream()).child(ByteString.of("s")).payload())
                .isEqualTo(bytes('t', 4095));

        refused(r -> r.addChild(ByteString.of("s"),
                new Node(FileMode.S_IFLNK | 0777).payload(bytes('t', 4096)).size(4096)),
                "/s: a symlink target of 4096 bytes is over the kernel's limit of 4095");
    }

    @Test
    void anXattrNameAndValueFitTheirSizeFields() throws IOException {
        // The stored name is what follows the prefix ("user."), in an 8-bit field; the value size is 16 bits.
        Node root = root();
        root.addChild(ByteString.of("f"), file().setXattr(ByteString.of("user.").concat(bytes('x', 255)),
                bytes('v', 0xFFFF)));
        assertThat(write(root, new ByteArrayOutputStream()).child(ByteString.of("f")).xattrs())
                .containsEntry(ByteString.of("user.").concat(bytes('x', 255)), bytes('v', 0xFFFF));

        refused(r -> r.addChild(ByteString.of("f"), file().setXattr(ByteString.of("user.").concat(bytes('x', 256)),
                ByteString.of("v"))), "/f: xattr user.");
        refused(r -> r.addChild(ByteString.of("f"), file().setXattr(ByteString.of("user.v"), bytes('v', 0x10000))),
                "value 65536 bytes) does not fit its 8-bit name and 16-bit value sizes");
    }

    @Test
    void tensOfThousandsOfXattrsOverflowTheXattrWordCount() throws IOException {
        // 25000 entries of 12 bytes and the 12-byte header: 75003 four-byte words, where the inode has 16 bits.
        Node f = file();
        for (int i = 0; i < 25000; i++) {
            f.setXattr(ByteString.of(String.format("user.%06d", i)), ByteString.of("v"));
        }
        refused(r -> r.addChild(ByteString.of("f"), f), "/f: 300012 bytes of xattrs do not fit the 16-bit count");
    }
}
