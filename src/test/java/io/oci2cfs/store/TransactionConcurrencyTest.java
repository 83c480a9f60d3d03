package io.oci2cfs.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.oci2cfs.fsverity.FsVerityHasher;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers that stage objects whose digests share a two-digit prefix at the same moment must all succeed:
 * the first one creates the staging subdirectory, the others must not get ahead of it.
 */
class TransactionConcurrencyTest {
    private static final int WORKERS = 8;

    @TempDir
    Path tmp;

    @Test
    void objectsWithOnePrefixStagedAtOnceAllLand() throws Exception {
        List<byte[]> contents = contentsWithPrefix((byte) 0x5a, WORKERS);
        ObjectStore store = new ObjectStore(tmp.resolve("objects"));
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            for (int round = 0; round < 40; round++) {
                Transaction tx = store.begin();
                CyclicBarrier start = new CyclicBarrier(WORKERS);
                List<Future<byte[]>> puts = new ArrayList<>();
                for (byte[] c : contents) {
                    puts.add(pool.submit(() -> {
                        start.await();
                        return tx.put(c, c.length);
                    }));
                }
                for (Future<byte[]> f : puts) {
                    assertThat(f.get()[0]).isEqualTo((byte) 0x5a);
                }
                tx.close();
            }
            Transaction tx = store.begin();
            Set<ObjectDigest> keep = new java.util.HashSet<>();
            for (byte[] c : contents) {
                keep.add(new ObjectDigest(tx.put(c, c.length)));
            }
            tx.commit(keep);
            try (var files = Files.list(store.root().resolve("5a"))) {
                assertThat(files.map(p -> "5a" + p.getFileName()).collect(Collectors.toSet()))
                        .isEqualTo(keep.stream().map(ObjectDigest::hex).collect(Collectors.toSet()));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Distinct 100-byte contents whose fs-verity digests all start with {@code prefix}. */
    static List<byte[]> contentsWithPrefix(byte prefix, int n) {
        List<byte[]> out = new ArrayList<>();
        for (long seed = 0; out.size() < n; seed++) {
            byte[] c = ByteBuffer.allocate(100).putLong(seed).array();
            if (FsVerityHasher.digestOf(c, c.length)[0] == prefix) {
                out.add(c);
            }
        }
        return out;
    }
}
