package io.oci2cfs.bench;

import io.oci2cfs.fsverity.FsVerityHasher;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * fs-verity digest of one buffer vs plain SHA-256 of the same bytes (the baseline), also with the launcher's
 * JVM flags.
 */
@State(Scope.Thread)
public class FsVerityBenchmark {
    @Param({"4096", "65536", "16777216"})
    public int size;

    private byte[] data;
    private MessageDigest sha256;

    @Setup
    public void setup() {
        data = new byte[size];
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < size; i++) {
            data[i] = (byte) rnd.nextInt();
        }
        sha256 = DataSet.sha256();
    }

    @Benchmark
    public byte[] fsverity() {
        return FsVerityHasher.digestOf(data);
    }

    /**
     * The same with the C1 compiler only, as bin/oci2cfs runs its short commands: SHA-256 has no intrinsic
     * there, which is why the commands that hash file contents get the full JIT.
     */
    @Benchmark
    @Fork(jvmArgsAppend = {"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"})
    public byte[] fsverityC1Only() {
        return FsVerityHasher.digestOf(data);
    }

    @Benchmark
    public byte[] sha256() {
        return sha256.digest(data);
    }
}
