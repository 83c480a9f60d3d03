package io.oci2cfs.erofs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.dump.DumpReader;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.testutil.Conformance;
import io.oci2cfs.tree.Node;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The writer's parallel steps run on the pool its caller sizes (--threads), and the image does not depend on it. */
class ErofsWriterThreadsTest {
    private static final Path DUMP = Conformance.dir().resolve("cs9-x86_64-minimal.dump.gz");

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void imageIsTheReferencesWhateverTheThreadCount(int threads) throws Exception {
        Node root = DumpReader.read(Conformance.readDump(DUMP), true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ErofsWriter.Result result = ErofsWriter.write(root, FormatVersion.DEFAULT, out, true, threads);
        assertThat(DifferentialCases.sha256(out.toByteArray())).isEqualTo(Conformance.expectedSha256(DUMP));
        assertThat(result.fsverityDigest()).as("leaf hashes computed in parallel")
                .isEqualTo(FsVerityHasher.digestOf(out.toByteArray()));
    }

    @Test
    void runsOnTheCallersPool() throws Exception {
        Node root = DumpReader.read(Conformance.readDump(DUMP), true);
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ErofsWriter.write(root, FormatVersion.DEFAULT, out, false, pool);
            assertThat(DifferentialCases.sha256(out.toByteArray())).isEqualTo(Conformance.expectedSha256(DUMP));
            assertThat(pool.getStealCount() + pool.getPoolSize()).as("tasks ran in the caller's pool").isPositive();
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void refusesNoThreads() {
        Node root = new Node(0040755);
        assertThatThrownBy(() -> ErofsWriter.write(root, FormatVersion.DEFAULT, OutputStream.nullOutputStream(), false, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
