package io.oci2cfs.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.fsverity.FsVerityHasher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a commit publishes: the kept objects and nothing else, whether their prefix directories are new to
 * the store (moved in whole) or already there (objects moved one by one), and nothing staged is left once
 * the transaction is closed.
 */
class TransactionCommitTest {
    @TempDir
    Path tmp;

    @Test
    void aNewStoreGetsTheKeptObjectsOnly() throws IOException {
        ObjectStore store = new ObjectStore(tmp.resolve("objects"));
        List<byte[]> a = TransactionConcurrencyTest.contentsWithPrefix((byte) 0xa1, 3);
        List<byte[]> b = TransactionConcurrencyTest.contentsWithPrefix((byte) 0xb2, 2);
        Map<String, byte[]> expected = new TreeMap<>();
        Transaction.Summary summary;
        try (Transaction tx = store.begin()) {
            // a: two kept and one dropped in one prefix directory; b: both dropped
            for (byte[] c : a) {
                tx.put(c, c.length);
            }
            for (byte[] c : b) {
                tx.put(c, c.length);
            }
            for (byte[] c : a.subList(0, 2)) {
                tx.keep(FsVerityHasher.digestOf(c, c.length));
                expected.put(new ObjectDigest(FsVerityHasher.digestOf(c, c.length)).path(), c);
            }
            summary = tx.commit();
        }
        assertThat(summary.added()).isEqualTo(2);
        assertThat(summary.bytesAdded()).isEqualTo(a.get(0).length + a.get(1).length);
        assertThat(summary.bytesWritten()).isEqualTo(
                Stream.concat(a.stream(), b.stream()).mapToLong(x -> x.length).sum());
        assertThat(contents(store.root())).containsOnlyKeys(expected.keySet());
        expected.forEach((rel, c) -> assertThat(contents(store.root()).get(rel)).as(rel).isEqualTo(c));
        assertThat(topLevel(store.root())).containsExactly("a1");
    }

    @Test
    void aPrefixDirectoryTheStoreHasTakesObjectsOneByOne() throws IOException {
        ObjectStore store = new ObjectStore(tmp.resolve("objects"));
        List<byte[]> c5 = TransactionConcurrencyTest.contentsWithPrefix((byte) 0x5c, 3);
        List<byte[]> c6 = TransactionConcurrencyTest.contentsWithPrefix((byte) 0x6d, 1);
        try (Transaction first = store.begin()) {
            keepAll(first, c5.subList(0, 1));
            assertThat(first.commit().added()).isEqualTo(1);
        }
        Map<String, byte[]> before = contents(store.root());
        try (Transaction tx = store.begin()) {
            List<byte[]> all = new ArrayList<>(c5);
            all.addAll(c6);
            keepAll(tx, all);
            // c5[0] is found in the store, so it is neither staged nor counted as added
            Transaction.Summary s = tx.commit();
            assertThat(s.added()).isEqualTo(3);
            assertThat(s.reused()).isEqualTo(1);
        }
        Map<String, byte[]> after = contents(store.root());
        assertThat(after).hasSize(4).containsAllEntriesOf(before);
        assertThat(topLevel(store.root())).containsExactly("5c", "6d");
    }

    @Test
    void anObjectPublishedMeanwhileByAnotherBatchIsLeftAsItIs() throws IOException {
        ObjectStore store = new ObjectStore(tmp.resolve("objects"));
        List<byte[]> c = TransactionConcurrencyTest.contentsWithPrefix((byte) 0x77, 2);
        // one thread each: the commit's pool is the caller's size, not the common pool's
        try (Transaction slow = store.begin(1)) {
            keepAll(slow, c);
            try (Transaction fast = store.begin(1)) {
                keepAll(fast, c.subList(0, 1));
                assertThat(fast.commit().added()).isEqualTo(1);
            }
            Transaction.Summary s = slow.commit();
            assertThat(s.added()).isEqualTo(1);
            assertThat(s.reused()).isEqualTo(1);
            // the object found published is not counted as added
            assertThat(s.bytesAdded()).isEqualTo(c.get(1).length);
        }
        assertThat(contents(store.root())).hasSize(2);
        assertThat(topLevel(store.root())).containsExactly("77");
    }

    @Test
    void twoBatchesCommittingTheSamePrefixesAtOnceBothLand() throws Exception {
        List<byte[]> shared = TransactionConcurrencyTest.contentsWithPrefix((byte) 0x3e, 4);
        List<byte[]> onlyA = TransactionConcurrencyTest.contentsWithPrefix((byte) 0x4f, 2);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                ObjectStore store = new ObjectStore(tmp.resolve("objects-" + round));
                java.util.concurrent.CyclicBarrier atCommit = new java.util.concurrent.CyclicBarrier(2);
                List<byte[]> a = new ArrayList<>(shared);
                a.addAll(onlyA);
                List<java.util.concurrent.Future<Long>> added = new ArrayList<>();
                for (List<byte[]> batch : List.of(a, shared.subList(1, 4))) {
                    added.add(pool.submit(() -> {
                        try (Transaction tx = store.begin()) {
                            keepAll(tx, batch);
                            atCommit.await();
                            return tx.commit().added();
                        }
                    }));
                }
                long total = added.get(0).get() + added.get(1).get();
                // each object is published once, by whichever batch got there first
                assertThat(total).as("round %d", round).isEqualTo(6);
                assertThat(contents(store.root())).as("round %d", round).hasSize(6);
                assertThat(topLevel(store.root())).as("round %d", round).containsExactly("3e", "4f");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * An object that could not be written keeps its digest claimed: a second file of the same content takes
     * that digest without writing. The commit must then fail rather than publish whatever sits at that name.
     */
    @Test
    void anObjectThatFailedToStageStopsTheCommit() throws IOException {
        ObjectStore store = new ObjectStore(tmp.resolve("objects"));
        byte[] c = TransactionConcurrencyTest.contentsWithPrefix((byte) 0x2a, 1).get(0);
        byte[] digest = FsVerityHasher.digestOf(c, c.length);
        String hex = FsVerityHasher.hex(digest);
        try (Transaction tx = store.begin()) {
            Path staging;
            try (Stream<Path> s = Files.list(store.root())) {
                staging = s.filter(p -> p.getFileName().toString().startsWith(".staging-") && Files.isDirectory(p)).findFirst().orElseThrow();
            }
            // Something already occupies the object's staged name, so writing it fails.
            Files.createDirectories(staging.resolve(hex.substring(0, 2)).resolve(hex.substring(2)));
            assertThatThrownBy(() -> tx.put(c, c.length)).isInstanceOf(IOException.class);
            assertThat(tx.put(c, c.length)).isEqualTo(digest);
            tx.keep(digest);
            assertThatThrownBy(tx::commit).isInstanceOf(IOException.class).hasMessageContaining(hex);
        }
        assertThat(topLevel(store.root())).isEmpty();
    }

    @Test
    void closingWithoutCommitLeavesNothing() throws IOException {
        ObjectStore store = new ObjectStore(tmp.resolve("objects"));
        try (Transaction tx = store.begin()) {
            keepAll(tx, TransactionConcurrencyTest.contentsWithPrefix((byte) 0x01, 2));
        }
        assertThat(topLevel(store.root())).isEmpty();
    }

    private static void keepAll(Transaction tx, List<byte[]> contents) throws IOException {
        for (byte[] c : contents) {
            tx.keep(tx.put(c, c.length));
        }
    }

    /** Every entry of the store's top level but its lock file, staging directories included (none should be left). */
    private static List<String> topLevel(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(StoreLock.FILE_NAME)).sorted().toList();
        }
    }

    /** The store's files by relative path, each checked to be named by its own fs-verity digest. */
    private static Map<String, byte[]> contents(Path root) {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)
                    .filter(p -> !p.equals(root.resolve(StoreLock.FILE_NAME)))::iterator) {
                byte[] data = Files.readAllBytes(p);
                String rel = root.relativize(p).toString();
                assertThat(new ObjectDigest(FsVerityHasher.digestOf(data, data.length)).path()).isEqualTo(rel);
                out.put(rel, data);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }
}
