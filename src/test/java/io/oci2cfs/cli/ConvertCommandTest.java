package io.oci2cfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oci2cfs.dump.DumpReader;
import io.oci2cfs.erofs.ErofsReader;
import io.oci2cfs.erofs.ErofsWriter;
import io.oci2cfs.erofs.FormatVersion;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.testutil.Cli;
import io.oci2cfs.testutil.Proc;
import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Node;
import io.oci2cfs.tree.TreeFilters;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The options of {@code oci2cfs convert} that the fixture tests do not exercise, on the {@code basic} fixture. */
class ConvertCommandTest {
    private static final String BASIC = "oci:oci-fixtures/basic";

    @TempDir
    Path tmp;

    private Path convert(String name, String... options) {
        Path image = tmp.resolve(name + ".cfs");
        List<String> args = new ArrayList<>(List.of("convert", BASIC, image.toString(), "--objects",
                tmp.resolve("objects").toString()));
        args.addAll(List.of(options));
        Proc.Result r = Cli.run(args.toArray(new String[0]));
        assertThat(r.code()).as(r.stderr()).isZero();
        return image;
    }

    private static List<Node> inodes(Path image) throws Exception {
        List<Node> out = new ArrayList<>();
        TreeFilters.forEachInode(ErofsReader.read(image), out::add);
        return out;
    }

    @Test
    void dumpOptionWritesTheTreeThatRebuildsTheSameImage() throws Exception {
        Path dump = tmp.resolve("basic.dump");
        Path image = convert("basic", "--dump", dump.toString());
        ByteArrayOutputStream rebuilt = new ByteArrayOutputStream();
        ErofsWriter.write(DumpReader.read(Files.readAllBytes(dump), true), FormatVersion.DEFAULT, rebuilt);
        assertThat(rebuilt.toByteArray()).isEqualTo(Files.readAllBytes(image));
    }

    @Test
    void jsonReportAndPrintDigestGiveTheImageDigest() throws Exception {
        Path image = tmp.resolve("json.cfs");
        Proc.Result r = Cli.run("convert", BASIC, image.toString(), "--objects", tmp.resolve("objects").toString(),
                "--json");
        assertThat(r.code()).as(r.stderr()).isZero();
        JsonNode report = new ObjectMapper().readTree(r.out());
        String digest = FsVerityHasher.hex(FsVerityHasher.digestOf(Files.readAllBytes(image)));
        assertThat(report.get("digest").asText()).isEqualTo(digest);
        assertThat(report.get("layers").asInt()).isEqualTo(1);
        assertThat(report.get("objectsNew").asLong()).isEqualTo(2); // the 65-byte file and the sparse file
        assertThat(report.get("files").asLong()).isEqualTo(inodes(image).stream()
                .filter(n -> FileMode.isReg(n.mode())).count());
        assertThat(report.get("stageMillis").has("read")).isTrue();

        Proc.Result p = Cli.run("convert", BASIC, tmp.resolve("again.cfs").toString(), "--objects",
                tmp.resolve("objects").toString(), "--print-digest");
        assertThat(p.out().strip()).isEqualTo(digest);
    }

    @Test
    void useEpochZeroesEveryMtime() throws Exception {
        assertThat(inodes(convert("epoch", "--use-epoch")))
                .allSatisfy(n -> assertThat(n.mtimeSec()).isZero());
        assertThat(inodes(convert("plain"))).anySatisfy(n -> assertThat(n.mtimeSec()).isNotZero());
    }

    @Test
    void xattrAndDeviceFiltersMatchMkcomposefsFlags() throws Exception {
        ByteString user = ByteString.of("user.");
        assertThat(inodes(convert("plain"))).anySatisfy(n -> assertThat(n.xattrs()).isNotEmpty())
                .anySatisfy(n -> assertThat(FileMode.isDevice(n.mode())).isTrue());
        assertThat(inodes(convert("noxattrs", "--skip-xattrs"))).allSatisfy(n -> assertThat(n.xattrs()).isEmpty());
        assertThat(inodes(convert("user", "--user-xattrs")))
                .allSatisfy(n -> assertThat(n.xattrs().keySet()).allMatch(k -> k.startsWith(user)))
                .anySatisfy(n -> assertThat(n.xattrs()).isNotEmpty());
        assertThat(inodes(convert("nodev", "--skip-devices")))
                .noneSatisfy(n -> assertThat(FileMode.isDevice(n.mode())).isTrue());
    }

    @Test
    void badOptionValuesAreOneLineErrors() {
        Proc.Result r = Cli.run("convert", BASIC, tmp.resolve("x.cfs").toString(), "--objects",
                tmp.resolve("objects").toString(), "--hardlinks", "sometimes");
        assertThat(r.code()).isNotZero();
        assertThat(r.stderr().strip()).contains("--hardlinks").doesNotContain("\n");
        assertThat(tmp.resolve("x.cfs")).doesNotExist();
    }
}
