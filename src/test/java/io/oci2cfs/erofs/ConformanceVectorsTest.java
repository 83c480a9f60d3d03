package io.oci2cfs.erofs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.oci2cfs.dump.DumpException;
import io.oci2cfs.dump.DumpReader;
import io.oci2cfs.testutil.Conformance;
import io.oci2cfs.tree.Node;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every upstream vector builds the image whose sha256 mkcomposefs 1.0.8 recorded; bad dumps are refused. */
class ConformanceVectorsTest {
    static Stream<Path> goodVectors() throws Exception {
        return Conformance.vectors("*.sha256").map(p -> Path.of(p.toString().replaceFirst("\\.sha256$", "")))
                .filter(Files::exists);
    }

    static Stream<Path> badVectors() throws Exception {
        return Conformance.vectors("should-fail-*.dump");
    }

    @Test
    void vectorsArePresent() throws Exception {
        assertThat(Conformance.dir().resolve("special.dump")).exists();
        // 14 image digests (special_v1 is special.dump built as format 1) and 14 dumps that must be refused.
        assertThat(goodVectors()).hasSize(14);
        assertThat(badVectors()).hasSize(14);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodVectors")
    void imageMatchesReferenceDigest(Path dump) throws Exception {
        boolean strict = !Conformance.LENIENT.contains(dump.getFileName().toString());
        byte[] dumpBytes = Conformance.readDump(dump);
        Node root = DumpReader.read(dumpBytes, strict);
        Integer v = Conformance.pinnedVersion(dump);
        FormatVersion versions = v == null ? FormatVersion.DEFAULT : FormatVersion.exactly(v);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ErofsWriter.Result result = ErofsWriter.write(root, versions, out);
        byte[] image = out.toByteArray();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
        if (!sha.equals(Conformance.expectedSha256(dump))) {
            List<String> flags = v == null ? List.of() : List.of("--min-version=" + v, "--max-version=" + v);
            fail(dump.getFileName() + ": not the reference's image\n" + ImageDiff.explain(dumpBytes, flags, image));
        }
        assertThat(sha).as(dump.getFileName().toString()).isEqualTo(Conformance.expectedSha256(dump));
        assertThat(result.size()).isEqualTo(image.length);
        Path file = Files.createTempFile("vector-", ".cfs");
        try {
            Files.write(file, image);
            io.oci2cfs.testutil.ErofsTools.fsck(file);
        } finally {
            Files.delete(file);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badVectors")
    void badDumpIsRefused(Path dump) throws Exception {
        // The reference's should-fail test runs in lenient mode; three of these files lack a final newline.
        assertThatThrownBy(() -> {
            Node root = DumpReader.read(Conformance.readDump(dump), false);
            ErofsWriter.write(root, FormatVersion.DEFAULT, new ByteArrayOutputStream());
        }).isInstanceOfAny(DumpException.class, UnrepresentableTreeException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").isNotBlank());
    }
}
