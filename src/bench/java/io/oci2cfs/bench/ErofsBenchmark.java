package io.oci2cfs.bench;

import io.oci2cfs.dump.DumpReader;
import io.oci2cfs.erofs.ErofsWriter;
import io.oci2cfs.erofs.FormatVersion;
import io.oci2cfs.tree.Node;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The EROFS writer over the 64k-node cs9 tree (parsed once in setup) to a null stream, and parsing the same
 * dump as a reference figure. The dump is {@code $CS9_DUMP} (gzip or zstd), by default the conformance vector
 * carried in src/test/resources.
 */
@State(Scope.Benchmark)
public class ErofsBenchmark {
    private byte[] dump;
    private Node root;

    static Path dumpPath() {
        return Path.of(System.getenv().getOrDefault("CS9_DUMP",
                "src/test/resources/conformance/composefs-1.0.8/cs9-x86_64-developer.dump.zst")).toAbsolutePath();
    }

    static byte[] dumpBytes() {
        Path compressed = dumpPath();
        try (InputStream raw = Files.newInputStream(compressed);
                InputStream in = compressed.toString().endsWith(".zst") ? new com.github.luben.zstd.ZstdInputStream(raw)
                        : new GZIPInputStream(raw)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Entries of the dump: one a line. */
    static int entries(byte[] dump) {
        int n = 0;
        for (byte b : dump) {
            n += b == '\n' ? 1 : 0;
        }
        return n;
    }

    @Setup
    public void setup() throws IOException {
        dump = dumpBytes();
        root = DumpReader.read(dump, true);
    }

    @Benchmark
    public ErofsWriter.Result erofsWrite() throws IOException {
        return ErofsWriter.write(root, FormatVersion.DEFAULT, OutputStream.nullOutputStream());
    }

    @Benchmark
    public Node dumpRead() throws IOException {
        return DumpReader.read(dump, true);
    }
}
