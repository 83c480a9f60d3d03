package io.oci2cfs.testutil;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import com.github.luben.zstd.ZstdInputStream;

/**
 * The upstream composefs 1.0.8 test vectors, carried in {@code src/test/resources/conformance/composefs-1.0.8}
 * (see the README there for their origin, licence and how to refresh them).
 */
public final class Conformance {
    /** Dumps the reference accepts only in its lenient mode. */
    public static final Set<String> LENIENT = Set.of("no-newline.dump", "longlink.dump",
            "honggfuzz-longlink-unterminated.dump");

    private Conformance() {
    }

    /** The vectors folder; the tests fail if it is missing, since it is part of the repository. */
    public static Path dir() {
        Path dir = Path.of(System.getProperty("user.dir"), "src", "test", "resources", "conformance",
                "composefs-1.0.8");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(dir + " is missing: the conformance vectors are part of the repository");
        }
        return dir;
    }

    public static Stream<Path> vectors(String glob) throws IOException {
        try (var s = Files.newDirectoryStream(dir(), glob)) {
            return java.util.stream.StreamSupport.stream(s.spliterator(), false).sorted().toList().stream();
        }
    }

    public static byte[] readDump(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            if (p.toString().endsWith(".gz")) {
                try (InputStream gz = new GZIPInputStream(in)) {
                    return gz.readAllBytes();
                }
            }
            if (p.toString().endsWith(".zst")) {
                try (InputStream zst = new ZstdInputStream(in)) {
                    return zst.readAllBytes();
                }
            }
            return in.readAllBytes();
        }
    }

    /** The pinned format version of a vector, or null for the defaults. */
    public static Integer pinnedVersion(Path dump) throws IOException {
        Path v = Path.of(dump.toString().replaceFirst("\\.(gz|zst)$", "").replaceFirst("\\.dump$", "") + ".dump.version");
        Path alt = Path.of(dump.toString().replaceFirst("\\.dump(\\.gz|\\.zst)?$", "") + ".version");
        for (Path p : List.of(v, alt)) {
            if (Files.exists(p)) {
                return Integer.parseInt(Files.readString(p).trim());
            }
        }
        return null;
    }

    public static String expectedSha256(Path dump) throws IOException {
        return Files.readString(Path.of(dump + ".sha256")).trim().split("\\s+")[0];
    }
}
