package io.oci2cfs.layer;

import static org.assertj.core.api.Assertions.assertThat;

import io.oci2cfs.tree.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Archives written by the real GNU tar in each of its dialects, sparse files included. */
class GnuTarDialectsTest {
    private static final String LONG_DIR = "d/" + "x".repeat(120);
    private static final String LONG_TARGET = "/" + "t".repeat(150);

    @TempDir
    static Path root;

    @BeforeAll
    static void makeFiles() throws Exception {
        Tars.run(root, "bash", "-c", String.join("\n",
                "set -e; mkdir -p src/" + LONG_DIR + "; cd src",
                // sp: data at 0 and at 2000000, then a hole to 4 MiB; sp2 ends with data.
                "truncate -s 4M sp; printf HEAD | dd of=sp conv=notrunc status=none",
                "printf MID | dd of=sp bs=1 seek=2000000 conv=notrunc status=none",
                "truncate -s 1M sp2; printf TAIL | dd of=sp2 bs=1 seek=1048572 conv=notrunc status=none",
                "printf long > " + LONG_DIR + "/file",
                "ln " + LONG_DIR + "/file hl",
                "ln -s " + LONG_TARGET + " ln",
                "printf raw > \"$(printf 'n\\377')\"",
                "touch -h -d '2023-11-14 22:13:20.123456789 UTC' sp"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--format=gnu", "--format=oldgnu", "--format=posix --sparse-version=0.0",
            "--format=posix --sparse-version=0.1", "--format=posix --sparse-version=1.0"})
    void readsDialect(String format) throws Exception {
        Path src = root.resolve("src");
        byte[] tar = Tars.run(src, "bash", "-c", "tar " + format
                + " --sparse --owner=user:3000000000 --group=grp:4000000000 -cf - .");
        assertThat(tar.length).as("sparse files stored sparse").isLessThan(100_000);

        Tars.Result r = Tars.read(tar);

        Tars.Read sp = r.get("sp");
        assertThat(sp.entry().type()).isEqualTo(EntryType.REGULAR);
        assertThat(sp.entry().size()).isEqualTo(4L << 20);
        assertThat(sp.content()).isEqualTo(Files.readAllBytes(src.resolve("sp")));
        assertThat(r.get("sp2").content()).isEqualTo(Files.readAllBytes(src.resolve("sp2")));
        assertThat(sp.entry().uid()).isEqualTo(3_000_000_000L);
        assertThat(sp.entry().gid()).isEqualTo(4_000_000_000L);
        assertThat(sp.entry().mtimeSec()).isEqualTo(1_700_000_000L);
        if (format.contains("posix")) {
            assertThat(sp.entry().mtimeNsec()).isEqualTo(123_456_789);
        }
        // GNU tar stores the first name it meets with the data and later ones as links to it.
        Tars.Read first = r.get("hl");
        Tars.Read link = r.get(LONG_DIR + "/file");
        if (first.entry().type() == EntryType.HARDLINK) {
            Tars.Read t = first;
            first = link;
            link = t;
        }
        assertThat(first.content()).isEqualTo(Tars.bytes("long"));
        assertThat(link.entry().type()).isEqualTo(EntryType.HARDLINK);
        assertThat(link.entry().linkTarget()).isEqualTo(first.entry().path());
        assertThat(r.get("ln").entry().linkTarget()).isEqualTo(ByteString.of(LONG_TARGET));
        ByteString rawName = ByteString.of(new byte[] {'n', (byte) 0xff});
        assertThat(r.entries()).filteredOn(e -> e.entry().path().equals(rawName)).singleElement()
                .satisfies(e -> assertThat(e.content()).isEqualTo(Tars.bytes("raw")));
        assertThat(r.get("").entry().type()).isEqualTo(EntryType.DIRECTORY);
        assertThat(r.digests().diffId()).isEqualTo(Tars.sha256(tar));
    }
}
