package io.oci2cfs.layer;

import static io.oci2cfs.layer.Tars.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;

/** Layers made to hurt: each fails fast, in bounded memory, with a message naming the layer, member and reason. */
class HostileLayerTest {
    /** A ustar header block of {@code type} declaring {@code size} bytes of data, with a valid checksum. */
    private static byte[] header(String name, char type, long size) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, h, 0, n.length);
        put(h, 100, String.format("%07o", 0644));
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, String.format("%011o", 1_600_000_000L));
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        return h;
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }

    /** {@code head}, then zeros for ever; counts what was read. */
    private static final class Endless extends InputStream {
        private final byte[] head;
        long read;

        Endless(byte[] head) {
            this.head = head;
        }

        @Override
        public int read() {
            return read++ < head.length ? head[(int) read - 1] & 0xff : 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) {
                b[off + i] = (byte) read();
            }
            return len;
        }
    }

    @Test
    void aPaxHeaderOverOneMebibyteIsRefusedBeforeItsDataIsRead() {
        // 1.9 GiB declared, followed by an endless stream: the refusal must come from the header alone.
        byte[] file = header("a", '0', 0);
        byte[] pax = header("PaxHeaders/b", 'x', 1_900_000_000L);
        byte[] head = new byte[1024];
        System.arraycopy(file, 0, head, 0, 512);
        System.arraycopy(pax, 0, head, 512, 512);
        Endless in = new Endless(head);
        assertThatThrownBy(() -> LayerReader.read("L", in, (e, c) -> { }))
                .isInstanceOf(LayerFormatException.class)
                .hasMessage("layer L: PAX header PaxHeaders/b after member a declares 1900000000 bytes, over the"
                        + " limit of 1048576 bytes (1 MiB)");
        assertThat(in.read).as("bytes read").isLessThan(1 << 20);
    }

    @Test
    void aPaxHeaderOverOneMebibyteInAGzipLayerIsRefusedWithoutInflatingTheRest() throws IOException {
        byte[] head = new byte[1024];
        System.arraycopy(header("a", '0', 0), 0, head, 0, 512);
        System.arraycopy(header("PaxHeaders/b", 'x', 1_900_000_000L), 0, head, 512, 512);
        // 8 MiB that do not compress after the headers: inflating them all is the slow path this must not take.
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(head);
            byte[] noise = new byte[8 << 20];
            new java.util.Random(1).nextBytes(noise);
            out.write(noise);
        }
        long[] inflated = {0};
        InputStream counted = new java.io.FilterInputStream(new java.io.ByteArrayInputStream(gz.toByteArray())) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                inflated[0] += Math.max(n, 0);
                return n;
            }
        };
        assertThatThrownBy(() -> LayerReader.read("L", counted, (e, c) -> { }))
                .hasMessageContaining("layer L: PAX header PaxHeaders/b after member a declares 1900000000 bytes");
        assertThat(inflated[0]).as("compressed bytes read").isLessThan(1 << 20);
    }

    @Test
    void aPaxHeaderOfExactlyOneMebibyteIsRead() throws Exception {
        byte[] value = new byte[(1 << 20) - 40];
        Arrays.fill(value, (byte) 'v');
        byte[] tar = Tars.tar(out -> {
            Tars.pax(out, bytes("SCHILY.xattr.user.big"), value);
            Tars.file(out, "f", "x");
        });
        assertThat(Tars.read(tar).get("f").entry().xattrs()).hasSize(1);
    }

    @Test
    void aGnuLongNameOverOneMebibyteIsRefused() {
        Endless in = new Endless(header("././@LongLink", 'L', 3L << 30));
        assertThatThrownBy(() -> LayerReader.read("L", in, (e, c) -> { }))
                .hasMessage("layer L: GNU long-name header ././@LongLink at the start declares 3221225472 bytes,"
                        + " over the limit of 1048576 bytes (1 MiB)");
        assertThat(in.read).isLessThan(1 << 20);
    }

    @Test
    void aLibarchiveXattrThatIsNotBase64NamesLayerMemberAndRecord() throws Exception {
        byte[] tar = Tars.tar(out -> {
            Tars.pax(out, bytes("LIBARCHIVE.xattr.user.x"), bytes("!!!!"));
            Tars.file(out, "etc/f", "x");
        });
        assertThatThrownBy(() -> Tars.read(tar)).isInstanceOf(LayerFormatException.class)
                .hasMessage("layer test-layer: tar member etc/f: PAX record LIBARCHIVE.xattr.user.x is not base64:"
                        + " Illegal base64 character 21");
    }

    @Test
    void theRootDirectoryMemberIsNamedInMessages() throws Exception {
        byte[] tar = Tars.tar(out -> {
            Tars.entry(out, "./", TarConstants.LF_DIR, null);
            Tars.file(out, "b", "bbb");
        });
        assertThatThrownBy(() -> Tars.read(Arrays.copyOf(tar, 512 + 300)))
                .hasMessage("layer test-layer: stream ends inside a tar header after the root directory member (./)");
    }

    @Test
    void aGzipStreamCutInsideItsHeaderSaysSo() {
        assertThatThrownBy(() -> Tars.read(new byte[] {0x1f, (byte) 0x8b, 8, 0}))
                .hasMessage("layer test-layer: bad GZIP data: unexpected end of the stream");
    }

    @Test
    void damagedDeflateDataIsBlamedOnGzipNotOnTar() throws Exception {
        byte[] data = new byte[200_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7 + (i >> 9));
        }
        byte[] tar = Tars.tar(out -> {
            Tars.file(out, "a", data);
            Tars.file(out, "b", data);
            Tars.file(out, "c", data);
        });
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar);
        }
        byte[] damaged = gz.toByteArray();
        for (int i = damaged.length / 2; i < damaged.length / 2 + 8; i++) {
            damaged[i] = (byte) 0xff;
        }
        assertThatThrownBy(() -> Tars.read(damaged)).isInstanceOf(LayerFormatException.class)
                .hasMessageStartingWith("layer test-layer: bad GZIP data")
                .satisfies(e -> assertThat(e.getMessage()).doesNotStartWith("layer test-layer: bad tar data"));
    }

    @Test
    void aDeflateErrorBeforeTheFirstMemberIsNotCalledANonTar() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        gz.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
        gz.write(0x07); // final block of the reserved type 3
        gz.write(new byte[16]);
        assertThatThrownBy(() -> Tars.read(gz.toByteArray())).isInstanceOf(LayerFormatException.class)
                .hasMessageStartingWith("layer test-layer: bad GZIP data at the start: ");
    }

    @Test
    void aDeflateErrorInsideAMemberNamesTheMember() throws Exception {
        // A gzip stream by hand: one stored deflate block with member a's header and 512 of its 100000
        // bytes, then a block of the reserved type 3, which the decoder refuses while a's data is read.
        byte[] tar = Arrays.copyOf(Tars.tar(out -> Tars.file(out, "a", new byte[100_000])), 1024);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        gz.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
        gz.write(new byte[] {0x00, 0x00, 0x04, (byte) 0xff, (byte) 0xfb}); // not final, stored, LEN 1024, NLEN
        gz.write(tar);
        gz.write(0x07); // final, type 3
        gz.write(new byte[16]);
        assertThatThrownBy(() -> Tars.read(gz.toByteArray())).isInstanceOf(LayerFormatException.class)
                .hasMessageStartingWith("layer test-layer: bad GZIP data after member a: ");
    }
}
