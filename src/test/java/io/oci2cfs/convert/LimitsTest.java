package io.oci2cfs.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.erofs.ErofsReader;
import io.oci2cfs.error.FailureKind;
import io.oci2cfs.linux.Xattrs;
import io.oci2cfs.testutil.ErofsTools;
import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.Node;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each size limit of {@link io.oci2cfs.tree.Limits}, at the limit and one past it, from a layer and from a
 * dump: at the limit the image reads back right through our reader, fsck.erofs and a kernel mount; past it
 * the conversion fails naming the input, the member and the limit, and leaves no image.
 */
class LimitsTest {
    private static final byte[] CONTENT = "hello".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tmp;

    /** One member of the root: a file (with {@link #CONTENT}) or a symlink, with xattrs. */
    record Member(String name, String symlinkTarget, Map<String, String> xattrs) {
        static Member file(String name) {
            return new Member(name, null, Map.of());
        }

        static Member file(Map<String, String> xattrs) {
            return new Member("f", null, xattrs);
        }
    }

    /** A member at a limit, the same one byte past it, and the messages a layer and a dump fail with. */
    record Case(String what, Member atLimit, Member pastLimit, String layerMessage, String dumpMessage) {
        @Override
        public String toString() {
            return what;
        }
    }

    private static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    /** {@code count} xattrs {@code user.NNNN} of 16 bytes each in libcomposefs's count, the last one longer. */
    private static Map<String, String> manyXattrs(int count, String lastValue) {
        Map<String, String> x = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            x.put(String.format("user.%04d", i), i == count - 1 ? lastValue : "");
        }
        return x;
    }

    static Stream<Case> cases() {
        // 12 + 7 + 6 + 32742 = 32767, the per-inode xattr space
        return Stream.of(
                new Case("file name", Member.file(repeat('n', 255)), Member.file(repeat('n', 256)),
                        "member " + repeat('n', 256) + ": name nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn... is 256 bytes,"
                                + " over the 255-byte limit",
                        "Can't add child"),
                new Case("symlink target", new Member("s", repeat('t', 4095), Map.of()),
                        new Member("s", repeat('t', 4096), Map.of()),
                        "member s: symlink target is 4096 bytes, over the 4095-byte limit", "Invalid symlink"),
                new Case("xattr name", Member.file(Map.of("user." + repeat('x', 250), "v")),
                        Member.file(Map.of("user." + repeat('x', 251), "v")),
                        "member f: xattr user.xxxxxxxxxxxxxxxxxxxxxxxxxxx...: name is 256 bytes, over the 255-byte limit",
                        "Can't set xattr"),
                new Case("xattr space", Member.file(Map.of("user.v", repeat('v', 32742))),
                        Member.file(Map.of("user.v", repeat('v', 32743))),
                        "member f: 1 xattrs take 32768 bytes, over the 32767-byte space of one inode",
                        "Can't set xattr"),
                new Case("thousands of xattrs", Member.file(manyXattrs(2047, "abc")),
                        Member.file(manyXattrs(2047, "abcd")),
                        "member f: 2047 xattrs take 32768 bytes, over the 32767-byte space of one inode",
                        "Can't set xattr"));
    }

    static Stream<Arguments> casesBySource() {
        return cases().flatMap(c -> Stream.of(Arguments.of(c, "layer"), Arguments.of(c, "dump")));
    }

    @ParameterizedTest(name = "{0} from a {1}")
    @MethodSource("casesBySource")
    void atTheLimitTheImageReadsBack(Case c, String source) throws IOException {
        Path image = tmp.resolve("at.cfs");
        Path objects = tmp.resolve("objects");
        convert(write(source, c.atLimit()), image, objects);

        Node root = ErofsReader.read(image);
        Member m = c.atLimit();
        Node n = root.child(ByteString.of(m.name()));
        assertThat(n).as("%s read back by ErofsReader", m.name()).isNotNull();
        if (m.symlinkTarget() != null) {
            assertThat(n.payload()).isEqualTo(ByteString.of(m.symlinkTarget()));
        } else {
            assertThat(n.content()).isEqualTo(CONTENT);
        }
        assertThat(n.xattrs()).isEqualTo(byteStrings(m.xattrs()));
        ErofsTools.fsck(image);

        Tools.requireKernelMounts();
        try (Tools.Mounts mounts = new Tools.Mounts()) {
            Path mnt = mounts.composefs(image, objects, tmp.resolve("mnt"));
            Path p = mnt.resolve(m.name());
            assertThat(Files.exists(p, LinkOption.NOFOLLOW_LINKS)).as("%s in the kernel's mount", m.name()).isTrue();
            if (m.symlinkTarget() != null) {
                assertThat(Files.readSymbolicLink(p).toString()).isEqualTo(m.symlinkTarget());
            } else {
                assertThat(Files.readAllBytes(p)).isEqualTo(CONTENT);
            }
            assertThat(Xattrs.list(p)).isEqualTo(byteStrings(m.xattrs()));
        }
    }

    @ParameterizedTest(name = "{0} from a {1}")
    @MethodSource("casesBySource")
    void pastTheLimitNothingIsWritten(Case c, String source) throws IOException {
        Path input = write(source, c.pastLimit());
        Path image = tmp.resolve("past.cfs");
        String expected = source.equals("layer") ? "layer " + input + ": " + c.layerMessage() : c.dumpMessage();
        assertThatThrownBy(() -> convert(input, image, tmp.resolve("objects")))
                .hasMessageContaining(input.toString()).hasMessageContaining(expected)
                .satisfies(e -> assertThat(FailureKind.of(e)).isEqualTo(source.equals("layer")
                        ? FailureKind.UNSUPPORTED_TREE : FailureKind.BAD_INPUT));
        assertThat(image).doesNotExist();
    }

    @Test
    void anXattrValueOverSixtyFourKibibytesNamesItsLimit() throws IOException {
        Path input = write("layer", Member.file(Map.of("user.big", repeat('v', 65536))));
        assertThatThrownBy(() -> convert(input, tmp.resolve("i.cfs"), tmp.resolve("objects")))
                .hasMessageContaining("layer " + input + ": member f: xattr user.big: value is 65536 bytes,"
                        + " over the 65535-byte limit");
    }

    @Test
    void theOpaqueMarkerOfAPerLayerImageCountsAgainstTheXattrSpace() throws IOException {
        // d's xattrs fill the space to the byte; the per-layer image adds trusted.overlay.opaque=y to it.
        Path layer = tmp.resolve("layer.tar");
        Files.write(layer, tar(out -> {
            TarArchiveEntry d = new TarArchiveEntry("d/");
            d.addPaxHeader("SCHILY.xattr.user.v", repeat('v', 32742));
            out.putArchiveEntry(d);
            out.closeArchiveEntry();
            out.putArchiveEntry(new TarArchiveEntry("d/.wh..wh..opq"));
            out.closeArchiveEntry();
        }));
        convert(layer, tmp.resolve("merged.cfs"), tmp.resolve("objects"));
        Path image = tmp.resolve("pl.cfs");
        ConvertOptions perLayer = ConvertOptions.builder().perLayerDir(tmp.resolve("layers")).build();
        assertThatThrownBy(() -> Converter.convert(layer.toString(), image, tmp.resolve("objects"), perLayer,
                InputStream.nullInputStream()).block())
                .hasMessageContaining("layer " + layer + ": member d: with the opaque marker, 2 xattrs take 32797"
                        + " bytes, over the 32767-byte space of one inode");
        assertThat(image).doesNotExist();
    }

    @Test
    void aDirectoryAtTheNameAndSymlinkLimitsConverts() throws IOException {
        // Linux itself allows no longer names or targets, so from a directory only the limits can be tried.
        Path dir = Files.createDirectories(tmp.resolve("src"));
        Files.write(dir.resolve(repeat('n', 255)), CONTENT);
        Files.createSymbolicLink(dir.resolve("s"), Path.of(repeat('t', 4095)));
        Path image = tmp.resolve("dir.cfs");
        convert(dir, image, tmp.resolve("objects"));
        Node root = ErofsReader.read(image);
        assertThat(root.child(ByteString.of(repeat('n', 255))).content()).isEqualTo(CONTENT);
        assertThat(root.child(ByteString.of("s")).payload()).isEqualTo(ByteString.of(repeat('t', 4095)));
        ErofsTools.fsck(image);
    }

    @Test
    void aDirectoryWithThousandsOfXattrsOnOneFileIsRefused() throws IOException {
        // ext4 holds one block of xattrs per inode; tmpfs holds thousands.
        assumeTrue(System.getProperty("user.name").equals("root"), "mounting a tmpfs needs root; skipping");
        Path dir = Files.createDirectories(tmp.resolve("src"));
        Tools.output("mount", "-t", "tmpfs", "tmpfs", dir.toString());
        try {
            Path f = Files.write(dir.resolve("f"), CONTENT);
            for (String name : manyXattrs(2048, "").keySet()) {
                Files.getFileAttributeView(f, UserDefinedFileAttributeView.class)
                        .write(name.substring("user.".length()), ByteBuffer.allocate(0));
            }
            Path image = tmp.resolve("dir.cfs");
            assertThatThrownBy(() -> convert(dir, image, tmp.resolve("objects")))
                    .hasMessageContaining(f + ": 2048 xattrs take 32780 bytes, over the 32767-byte space of one inode");
            assertThat(image).doesNotExist();
        } finally {
            Tools.output("umount", dir.toString());
        }
    }

    private void convert(Path input, Path image, Path objects) throws IOException {
        String source = input.toString().endsWith(".dump") ? "dump:" + input : input.toString();
        Converter.convert(source, image, objects, ConvertOptions.defaults(), InputStream.nullInputStream()).block();
    }

    private Path write(String source, Member m) throws IOException {
        if (source.equals("layer")) {
            return Files.write(tmp.resolve("layer.tar"), tar(out -> {
                TarArchiveEntry e = m.symlinkTarget() == null ? new TarArchiveEntry(m.name())
                        : new TarArchiveEntry(m.name(), TarConstants.LF_SYMLINK);
                if (m.symlinkTarget() != null) {
                    e.setLinkName(m.symlinkTarget());
                } else {
                    e.setSize(CONTENT.length);
                }
                m.xattrs().forEach((k, v) -> e.addPaxHeader("SCHILY.xattr." + k, v));
                out.putArchiveEntry(e);
                if (m.symlinkTarget() == null) {
                    out.write(CONTENT);
                }
                out.closeArchiveEntry();
            }));
        }
        StringBuilder dump = new StringBuilder("/ 0 40755 2 0 0 0 0.0 - - -\n/").append(m.name());
        if (m.symlinkTarget() != null) {
            dump.append(' ').append(m.symlinkTarget().length()).append(" 120777 1 0 0 0 0.0 ")
                    .append(m.symlinkTarget()).append(" - -");
        } else {
            dump.append(" 5 100644 1 0 0 0 0.0 - hello -");
        }
        m.xattrs().forEach((k, v) -> dump.append(' ').append(k).append('=').append(v));
        return Files.writeString(tmp.resolve("tree.dump"), dump.append('\n'));
    }

    interface TarBody {
        void write(TarArchiveOutputStream out) throws IOException;
    }

    private static byte[] tar(TarBody body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes, "UTF-8")) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            body.write(out);
        }
        return bytes.toByteArray();
    }

    private static Map<ByteString, ByteString> byteStrings(Map<String, String> m) {
        Map<ByteString, ByteString> out = new LinkedHashMap<>();
        new TreeMap<>(m).forEach((k, v) -> out.put(ByteString.of(k), ByteString.of(v)));
        return out;
    }
}
