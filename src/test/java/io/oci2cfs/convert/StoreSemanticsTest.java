package io.oci2cfs.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A conversion adds exactly the objects its image refers to, and a repeat adds none. */
class StoreSemanticsTest {
    static final Path FIXTURES = FixtureConversionTest.FIXTURES;

    @TempDir
    Path tmp;

    @Test
    void storeHoldsExactlyWhatTheImagesReferTo() throws IOException {
        Path objects = tmp.resolve("objects");
        byte[] unrelated = new byte[5000];
        Arrays.fill(unrelated, (byte) 7);
        StoreCheck.addObject(objects, unrelated);
        TreeSet<String> before = StoreCheck.files(objects);
        assertThat(before).hasSize(1);

        Path basic = tmp.resolve("basic.cfs");
        ConvertResult a = convert("oci:" + FIXTURES.resolve("basic") + ":latest", basic, objects);
        TreeSet<String> expected = new TreeSet<>(before);
        expected.addAll(listed(basic));
        assertThat(listed(basic)).hasSize(2).doesNotContainAnyElementsOf(before);
        assertThat(StoreCheck.files(objects)).isEqualTo(expected);
        assertThat(a.objectsNew()).isEqualTo(2);
        StoreCheck.assertConsistent(objects);

        // every file of whiteouts is inline (at most 64 bytes): nothing to add
        Path whiteouts = tmp.resolve("whiteouts.cfs");
        ConvertResult b = convert("oci:" + FIXTURES.resolve("whiteouts") + ":latest", whiteouts, objects);
        assertThat(listed(whiteouts)).isEmpty();
        assertThat(b.objectsNew()).isZero();
        assertThat(StoreCheck.files(objects)).isEqualTo(expected);

        for (String again : new String[] {"oci:" + FIXTURES.resolve("basic") + ":latest",
                "docker-archive:" + FIXTURES.resolve("docker-classic.tar") + ":fixtures/alias:latest"}) {
            ConvertResult c = convert(again, tmp.resolve("again.cfs"), objects);
            assertThat(c.objectsNew()).as(again).isZero();
            assertThat(c.objectsReused()).as(again).isPositive();
            assertThat(c.imageDigest()).as(again).isEqualTo(a.imageDigest());
            assertThat(StoreCheck.files(objects)).as(again).isEqualTo(expected);
        }
        StoreCheck.assertConsistent(objects);
    }

    private static ConvertResult convert(String source, Path image, Path objects) throws IOException {
        return FixtureConversionTest.convert(source, image, objects, FixtureConversionTest.options("linux/amd64"));
    }

    /** What {@code oci2cfs info objects IMAGE} lists, as store-relative paths. */
    private static TreeSet<String> listed(Path image) {
        Tools.CliResult r = Tools.cli("info", "objects", image.toString());
        assertThat(r.exit()).as(r.stderr()).isZero();
        TreeSet<String> out = new TreeSet<>();
        Arrays.stream(r.stdout().split("\n")).filter(s -> !s.isEmpty()).forEach(s -> out.add(s.replaceFirst("^/+", "")));
        return out;
    }
}
