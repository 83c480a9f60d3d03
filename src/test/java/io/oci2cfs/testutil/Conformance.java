package io.oci2cfs.testutil;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** The upstream composefs 1.0.8 test vectors in {@code ../shared/conformance/composefs-1.0.8}. */
public final class Conformance {
    /** Dumps the reference accepts only in its lenient mode. */
    public static final Set<String> LENIENT = Set.of("no-newline.dump", "longlink.dump",
            "honggfuzz-longlink-unterminated.dump");

    private Conformance() {
    }

    /** The vectors folder, or null when {@code ../shared} is absent (tests then skip and say so). */
    public static Path dir() {
        for (Path p : List.of(Path.of("../shared/conformance/composefs-1.0.8"),
                Path.of(System.getProperty("user.dir"), "..", "shared", "conformance", "composefs-1.0.8"))) {
            if (Files.isDirectory(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        return null;
    }

    public static Stream<Path> vectors(String glob) throws IOException {
        Path dir = dir();
        if (dir == null) {
            return Stream.empty();
        }
        try (var s = Files.newDirectoryStream(dir, glob)) {
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
            return in.readAllBytes();
        }
    }

    /** The pinned format version of a vector, or null for the defaults. */
    public static Integer pinnedVersion(Path dump) throws IOException {
        Path v = Path.of(dump.toString().replaceFirst("\\.gz$", "").replaceFirst("\\.dump$", "") + ".dump.version");
        Path alt = Path.of(dump.toString().replaceFirst("\\.dump(\\.gz)?$", "") + ".version");
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
