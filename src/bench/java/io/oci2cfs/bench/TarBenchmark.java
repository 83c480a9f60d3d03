package io.oci2cfs.bench;

import io.oci2cfs.layer.LayerDigests;
import io.oci2cfs.layer.LayerReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.util.SplittableRandom;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Parsing an in-memory plain tar (20,000 files of log-normal size around 2 KiB in directories of 100):
 * {@link LayerReader#read} vs commons-compress {@link TarArchiveInputStream} iteration (the baseline), and
 * that iteration plus the SHA-256 of the stream (the diff_id), which LayerReader must compute anyway.
 * Contents are skipped, not read.
 */
@State(Scope.Benchmark)
public class TarBenchmark {
    static final int FILES = 20_000;
    /** The tar and its member count (directories included). */
    static final byte[] TAR;
    static final int ENTRIES;

    static {
        DataSet.Corpus corpus = new DataSet.Corpus(5);
        SplittableRandom rnd = new SplittableRandom(5);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int entries = 0;
        try (TarArchiveOutputStream tar = DataSet.tar(bytes)) {
            for (int i = 0; i < FILES; i++) {
                if (i % 100 == 0) {
                    tar.putArchiveEntry(new TarArchiveEntry(String.format("usr/lib/d%04d/", i / 100)));
                    tar.closeArchiveEntry();
                    entries++;
                }
                long size = Math.min(1 << 20, (long) Math.exp(Math.log(2048) + 1.5 * rnd.nextGaussian()));
                TarArchiveEntry e = new TarArchiveEntry(String.format("usr/lib/d%04d/%s-%d.so", i / 100,
                        corpus.word(rnd), i));
                e.setSize(size);
                tar.putArchiveEntry(e);
                corpus.write(new DataSet.Content(rnd.nextLong(), size, 0), tar);
                tar.closeArchiveEntry();
                entries++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TAR = bytes.toByteArray();
        ENTRIES = entries;
    }

    @Benchmark
    public LayerDigests layerReader() throws IOException {
        return LayerReader.read("bench", new ByteArrayInputStream(TAR), (entry, content) -> { });
    }

    @Benchmark
    public int commonsIterate() throws IOException {
        return iterate(new ByteArrayInputStream(TAR));
    }

    @Benchmark
    public byte[] commonsIterateSha256() throws IOException {
        DigestInputStream in = new DigestInputStream(new ByteArrayInputStream(TAR), DataSet.sha256());
        iterate(in);
        in.transferTo(OutputStream.nullOutputStream());
        return in.getMessageDigest().digest();
    }

    private static int iterate(InputStream in) throws IOException {
        int n = 0;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            while (tar.getNextEntry() != null) {
                n++;
            }
        }
        return n;
    }
}
