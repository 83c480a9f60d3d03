package io.oci2cfs.testutil;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** Small helpers shared by the command-line tests. */
public final class Images {
    private Images() {
    }

    public static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(Path f) {
        try {
            return sha256(Files.readAllBytes(f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A conformance vector by file name. */
    public static Path vector(String name) {
        return Conformance.dir().resolve(name);
    }

    /** The vectors that have a recorded image sha256. */
    public static Stream<Path> goodVectors() throws IOException {
        return Conformance.vectors("*.sha256").map(p -> Path.of(p.toString().replaceFirst("\\.sha256$", "")))
                .filter(Files::exists);
    }

    /** The {@code --min-version/--max-version} flags a vector is built with (none for the defaults). */
    public static List<String> versionFlags(Path dump) throws IOException {
        Integer v = Conformance.pinnedVersion(dump);
        return v == null ? List.of() : List.of("--min-version=" + v, "--max-version=" + v);
    }

    /** Every file below {@code dir}, as relative paths sorted by name. */
    public static List<String> listFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }
}
