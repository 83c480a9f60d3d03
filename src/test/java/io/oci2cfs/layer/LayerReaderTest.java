package io.oci2cfs.layer;

import static io.oci2cfs.layer.Tars.bs;
import static io.oci2cfs.layer.Tars.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.tree.ByteString;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LayerReaderTest {

    @Test
    void readsEveryMemberTypeWithItsMetadata() throws Exception {
        byte[] tar = Tars.tar(out -> {
            TarArchiveEntry dir = new TarArchiveEntry("./etc/", TarConstants.LF_DIR);
            dir.setMode(01775);
            dir.setUserId(5);
            dir.setGroupId(7);
            out.putArchiveEntry(dir);
            out.closeArchiveEntry();
            TarArchiveEntry f = new TarArchiveEntry("./etc/passwd");
            f.setMode(04755);
            f.setSize(5);
            f.setModTime(1_700_000_000_000L);
            out.putArchiveEntry(f);
            out.write(bytes("root\n"));
            out.closeArchiveEntry();
            Tars.entry(out, "etc/link", TarConstants.LF_SYMLINK, "../target/x");
            Tars.entry(out, "etc/hard", TarConstants.LF_LINK, "./etc/passwd");
            TarArchiveEntry chr = new TarArchiveEntry("dev/null", TarConstants.LF_CHR);
            chr.setDevMajor(1);
            chr.setDevMinor(3);
            out.putArchiveEntry(chr);
            out.closeArchiveEntry();
            TarArchiveEntry blk = new TarArchiveEntry("dev/sda", TarConstants.LF_BLK);
            blk.setDevMajor(8);
            blk.setDevMinor(300);
            out.putArchiveEntry(blk);
            out.closeArchiveEntry();
            Tars.entry(out, "run/fifo", TarConstants.LF_FIFO, null);
        });
        Tars.Result r = Tars.read(tar);

        assertThat(r.entries()).extracting(Tars.Read::path)
                .containsExactly("etc", "etc/passwd", "etc/link", "etc/hard", "dev/null", "dev/sda", "run/fifo");
        LayerEntry dir = r.get("etc").entry();
        assertThat(dir.type()).isEqualTo(EntryType.DIRECTORY);
        assertThat(dir.permissions()).isEqualTo(01775);
        assertThat(dir.uid()).isEqualTo(5);
        assertThat(dir.gid()).isEqualTo(7);
        LayerEntry file = r.get("etc/passwd").entry();
        assertThat(file.type()).isEqualTo(EntryType.REGULAR);
        assertThat(file.permissions()).isEqualTo(04755);
        assertThat(file.size()).isEqualTo(5);
        assertThat(file.mtimeSec()).isEqualTo(1_700_000_000L);
        assertThat(r.get("etc/passwd").content()).isEqualTo(bytes("root\n"));
        assertThat(r.get("etc/link").entry().linkTarget()).isEqualTo(bs("../target/x"));
        assertThat(r.get("etc/hard").entry().type()).isEqualTo(EntryType.HARDLINK);
        assertThat(r.get("etc/hard").entry().linkTarget()).isEqualTo(bs("etc/passwd"));
        assertThat(r.get("dev/null").entry()).extracting(LayerEntry::type, LayerEntry::devMajor, LayerEntry::devMinor)
                .containsExactly(EntryType.CHAR, 1, 3);
        assertThat(r.get("dev/sda").entry()).extracting(LayerEntry::type, LayerEntry::devMajor, LayerEntry::devMinor)
                .containsExactly(EntryType.BLOCK, 8, 300);
        assertThat(r.get("run/fifo").entry().type()).isEqualTo(EntryType.FIFO);
        assertThat(r.digests().compression()).isEqualTo(Compression.NONE);
        assertThat(r.digests().diffId()).isEqualTo(Tars.sha256(tar));
        assertThat(r.digests().tarSize()).isEqualTo(tar.length).isEqualTo(r.digests().blobSize());
    }

    @Test
    void keepsNonUtf8NamesAsRawBytes() throws Exception {
        String latin1Name = new String(new byte[] {'d', '/', (byte) 0xff, (byte) 0xe9}, StandardCharsets.ISO_8859_1);
        byte[] tar = Tars.tar(out -> Tars.file(out, latin1Name, "x"));
        assertThat(Tars.read(tar).entries().get(0).entry().path())
                .isEqualTo(ByteString.of(new byte[] {'d', '/', (byte) 0xff, (byte) 0xe9}));
    }

    @Test
    void paxRecordsKeepRawPathsAndBinaryXattrs() throws Exception {
        byte[] cap = {1, 0, 0, 2, (byte) 0xc0, 0, 0, 0, (byte) 0xff, 0, 0, 0};
        byte[] rawPath = {'b', 'i', 'n', '/', (byte) 0x80, 'p', 'i', 'n', 'g'};
        byte[] tar = Tars.tar(out -> {
            Tars.pax(out, bytes("path"), rawPath, bytes("hdrcharset"), bytes("BINARY"),
                    bytes("mtime"), bytes("1700000000.123456789"),
                    bytes("SCHILY.xattr.security.capability"), cap,
                    bytes("LIBARCHIVE.xattr.user.a%3Db"), bytes("aGVsbG8"));
            Tars.file(out, "placeholder", "data");
        });
        LayerEntry e = Tars.read(tar).entries().get(0).entry();
        assertThat(e.path()).isEqualTo(ByteString.of(rawPath));
        assertThat(e.mtimeSec()).isEqualTo(1_700_000_000L);
        assertThat(e.mtimeNsec()).isEqualTo(123_456_789);
        assertThat(e.xattrs()).containsExactly(
                java.util.Map.entry(bs("security.capability"), ByteString.of(cap)),
                java.util.Map.entry(bs("user.a=b"), bs("hello")));
    }

    @Test
    void paxLongNamesAndLinkTargets() throws Exception {
        String longName = "d/" + "n".repeat(150) + "/\u00e9t\u00e9";
        String longTarget = "/" + "t".repeat(200);
        byte[] tar = Tars.tar(out -> {
            TarArchiveEntry e = new TarArchiveEntry(longName);
            e.setSize(0);
            e.setModTime(FileTime.from(Instant.ofEpochSecond(12, 500)));
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
            Tars.entry(out, "l", TarConstants.LF_SYMLINK, longTarget);
        });
        Tars.Result r = Tars.read(tar);
        assertThat(r.entries().get(0).entry().path()).isEqualTo(bs(longName));
        assertThat(r.get("l").entry().linkTarget()).isEqualTo(bs(longTarget));
    }

    @Test
    void normalizesPathsAndRefusesEscapes() throws Exception {
        byte[] tar = Tars.tar(out -> {
            Tars.entry(out, "./", TarConstants.LF_DIR, null);
            Tars.file(out, "/abs//x/./y", "1");
            Tars.file(out, "a/b/../c", "2");
            Tars.entry(out, "h", TarConstants.LF_LINK, "/abs/x/../x/y");
        });
        Tars.Result r = Tars.read(tar);
        assertThat(r.entries()).extracting(Tars.Read::path).containsExactly("", "abs/x/y", "a/c", "h");
        assertThat(r.get("h").entry().linkTarget()).isEqualTo(bs("abs/x/y"));

        byte[] escaping = Tars.tar(out -> Tars.file(out, "a/../../etc/shadow", "x"));
        assertThatThrownBy(() -> Tars.read(escaping)).isInstanceOf(LayerFormatException.class)
                .hasMessageContaining("test-layer").hasMessageContaining("a/../../etc/shadow")
                .hasMessageContaining("escapes");
        byte[] escapingLink = Tars.tar(out -> Tars.entry(out, "h", TarConstants.LF_LINK, "../x"));
        assertThatThrownBy(() -> Tars.read(escapingLink)).hasMessageContaining("../x");
    }

    @Test
    void drainsPaddingAndDigestsEveryByte() throws Exception {
        byte[] tar = Tars.tar(out -> Tars.file(out, "f", "content"));
        // commons-compress pads to a 10240-byte block; extra zeros after that are still part of the blob.
        byte[] padded = Arrays.copyOf(tar, tar.length + 4096);
        Tars.Result r = Tars.read(padded);
        assertThat(r.digests().tarSize()).isEqualTo(padded.length);
        assertThat(r.digests().diffId()).isEqualTo(Tars.sha256(padded));
    }

    @Test
    void acceptsMissingEndOfArchiveBlocks() throws Exception {
        byte[] tar = Tars.tar(out -> {
            Tars.file(out, "a", "aaa");
            Tars.file(out, "b", "x".repeat(600));
        });
        byte[] cut = Arrays.copyOf(tar, 512 + 512 + 512 + 1024); // a header+data, b header+2 data blocks
        Tars.Result r = Tars.read(cut);
        assertThat(r.entries()).extracting(Tars.Read::path).containsExactly("a", "b");
        assertThat(r.get("b").content()).hasSize(600);
        assertThat(r.digests().diffId()).isEqualTo(Tars.sha256(cut));
    }

    /**
     * umoci 0.4.7 ends a layer right after the last member's data (opencontainers/umoci#436); Go's archive/tar
     * reads such layers. Every cut from the end of "b"'s 600 data bytes up to the full archive must read the
     * same members, whether the visitor reads the content or leaves it to be skipped, and the diff_id must be
     * the digest of the bytes as given.
     */
    @ParameterizedTest(name = "{0} bytes after b''s data")
    @ValueSource(ints = {0, 1, 200, 423, 424, 424 + 512, 424 + 1024})
    void acceptsStreamEndingAfterTheLastMembersData(int extra) throws Exception {
        byte[] tar = Tars.tar(out -> {
            Tars.file(out, "a", "aaa");
            Tars.file(out, "b", "x".repeat(600));
        });
        int dataEnd = 512 + 512 + 512 + 600; // a header+data block, b header, b's 600 bytes
        byte[] cut = Arrays.copyOf(tar, Math.min(tar.length, dataEnd + extra));
        Tars.Result r = Tars.read(cut);
        assertThat(r.entries()).extracting(Tars.Read::path).containsExactly("a", "b");
        assertThat(r.get("b").content()).isEqualTo(bytes("x".repeat(600)));
        assertThat(r.digests().diffId()).isEqualTo(Tars.sha256(cut));
        assertThat(r.digests().tarSize()).isEqualTo(cut.length);

        java.util.List<String> skipped = new java.util.ArrayList<>();
        LayerDigests d = LayerReader.read("L", new ByteArrayInputStream(cut),
                (e, in) -> skipped.add(e.path().toString()));
        assertThat(skipped).containsExactly("a", "b");
        assertThat(d.diffId()).isEqualTo(Tars.sha256(cut));
    }

    @Test
    void refusesLastMemberOneByteShortOfItsData() throws Exception {
        byte[] tar = Tars.tar(out -> Tars.file(out, "b", "x".repeat(600)));
        byte[] cut = Arrays.copyOf(tar, 512 + 599);
        assertThatThrownBy(() -> Tars.read(cut)).isInstanceOf(LayerFormatException.class)
                .hasMessage("layer test-layer: tar member b truncated: the stream ends inside its data");
        assertThatThrownBy(() -> LayerReader.read("L", new ByteArrayInputStream(cut), (e, in) -> { }))
                .isInstanceOf(LayerFormatException.class).hasMessageContaining("layer L: tar member b truncated");
    }

    @Test
    void refusesMemberCutShortWhetherReadOrSkipped() throws Exception {
        byte[] tar = Tars.tar(out -> {
            Tars.file(out, "a", "aaa");
            Tars.file(out, "big", "x".repeat(2000));
        });
        byte[] cut = Arrays.copyOf(tar, 512 + 512 + 512 + 1000);
        assertThatThrownBy(() -> Tars.read(cut)).isInstanceOf(LayerFormatException.class)
                .hasMessage("layer test-layer: tar member big truncated: the stream ends inside its data");
        assertThatThrownBy(() -> LayerReader.read("L", new ByteArrayInputStream(cut), (e, in) -> { }))
                .isInstanceOf(LayerFormatException.class).hasMessageContaining("layer L: tar member big truncated");
    }

    @Test
    void refusesStreamCutInsideHeader() throws Exception {
        byte[] tar = Tars.tar(out -> {
            Tars.file(out, "a", "aaa");
            Tars.file(out, "b", "bbb");
        });
        byte[] cut = Arrays.copyOf(tar, 512 + 512 + 300);
        assertThatThrownBy(() -> Tars.read(cut)).isInstanceOf(LayerFormatException.class)
                .hasMessageContaining("stream ends inside a tar header after member a");
    }

    @Test
    void refusesCompressionsOciDoesNotUse() {
        assertThatThrownBy(() -> Tars.read(bytes("BZh91AY&SY")))
                .isInstanceOf(LayerFormatException.class).hasMessageContaining("bzip2");
    }

    @Test
    void refusesUidsBeyond32Bits() throws Exception {
        byte[] tar = Tars.tar(out -> {
            TarArchiveEntry e = new TarArchiveEntry("f");
            e.setUserId(1L << 33);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
        });
        assertThatThrownBy(() -> Tars.read(tar)).hasMessageContaining("uid 8589934592");
    }

    @Test
    void emptyBlobIsAnEmptyLayer() throws IOException {
        Tars.Result r = Tars.read(new byte[0]);
        assertThat(r.entries()).isEmpty();
        assertThat(r.digests().tarSize()).isZero();
    }
}
