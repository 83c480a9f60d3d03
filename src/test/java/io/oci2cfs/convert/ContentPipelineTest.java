package io.oci2cfs.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.error.Blocking;
import io.oci2cfs.error.EnvironmentException;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.store.ObjectStore;
import io.oci2cfs.store.Transaction;
import io.oci2cfs.tree.ContentRef;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import io.oci2cfs.convert.ContentPipeline.Hashed;
import io.oci2cfs.convert.ContentPipeline.Member;
import reactor.core.publisher.Mono;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The content pipeline on its own, against a real object store: what it stores, what it deduplicates, how
 * much content it lets wait for the workers, and what it leaves when a worker or the parser fails.
 */
class ContentPipelineTest {
    private static final int SMALL = 5000;
    private static final int LARGE = 3 * ContentPipeline.CHUNK + 1234;

    @TempDir
    Path work;

    static byte[] bytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Submits {@code files} as one layer's members, in order, and waits until every one is stored. */
    private static List<ContentRef> store(ContentPipeline pipeline, List<byte[]> files) throws IOException {
        return store(pipeline, files, new AtomicInteger());
    }

    /** As {@link #store(ContentPipeline, List)}, counting the files handed over in {@code submitted}. */
    private static List<ContentRef> store(ContentPipeline pipeline, List<byte[]> files, AtomicInteger submitted)
            throws IOException {
        BlockingFeed<Member<Integer>> feed = new BlockingFeed<>(Member::discard);
        Mono<List<ContentRef>> refs = pipeline.hash(feed.flux()).map(Hashed::ref).collectList().cache();
        refs.subscribe(x -> { }, e -> { });
        try {
            for (int i = 0; i < files.size(); i++) {
                byte[] f = files.get(i);
                pipeline.submit("file " + i, i, f.length, new ByteArrayInputStream(f), feed);
                submitted.incrementAndGet();
            }
            feed.complete();
        } catch (IOException | RuntimeException e) {
            feed.error(e);
            throw e;
        }
        return Blocking.block(refs);
    }

    @Test
    void storesSmallAndLargeFilesUnderTheirDigestsAndKeepsTinyOnesInline() throws IOException {
        Path objects = work.resolve("objects");
        List<byte[]> files = List.of(bytes(1, 10), bytes(2, SMALL), bytes(3, ContentPipeline.CHUNK),
                bytes(4, ContentPipeline.CHUNK + 1), bytes(5, LARGE));
        try (HashingPool pool = new HashingPool(2, 4L * ContentPipeline.CHUNK);
                Transaction tx = new ObjectStore(objects).begin()) {
            List<ContentRef> refs;
            try (ContentPipeline pipeline = new ContentPipeline(tx, pool)) {
                refs = store(pipeline, files);
            }
            assertThat(refs.get(0).inline()).isEqualTo(files.get(0));
            for (int i = 1; i < files.size(); i++) {
                assertThat(refs.get(i).size()).isEqualTo(files.get(i).length);
                assertThat(FsVerityHasher.hex(refs.get(i).digest())).as("file " + i)
                        .isEqualTo(FsVerityHasher.hex(FsVerityHasher.digestOf(files.get(i))));
                tx.keep(refs.get(i).digest());
            }
            assertThat(tx.commit().added()).isEqualTo(4);
            assertThat(pool.inFlight()).isZero();
        }
        for (int i = 1; i < files.size(); i++) {
            Path object = new ObjectStore(objects).pathOf(FsVerityHasher.digestOf(files.get(i)));
            assertThat(Files.readAllBytes(object)).as("file " + i).isEqualTo(files.get(i));
        }
        StoreCheck.assertConsistent(objects);
    }

    @Test
    void identicalContentsAreStoredOnce() throws IOException {
        Path objects = work.resolve("objects");
        byte[] small = bytes(7, SMALL);
        byte[] large = bytes(8, LARGE);
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            files.add(small.clone());
            files.add(large.clone());
        }
        try (HashingPool pool = new HashingPool(3, 8L * ContentPipeline.CHUNK);
                Transaction tx = new ObjectStore(objects).begin()) {
            List<ContentRef> refs;
            try (ContentPipeline pipeline = new ContentPipeline(tx, pool)) {
                refs = store(pipeline, files);
            }
            for (int i = 0; i < files.size(); i++) {
                assertThat(refs.get(i).digest()).as("file " + i).isEqualTo(refs.get(i % 2).digest());
                tx.keep(refs.get(i).digest());
            }
            Transaction.Summary summary = tx.commit();
            assertThat(summary.added()).isEqualTo(2);
            assertThat(summary.bytesWritten()).isEqualTo(small.length + large.length);
        }
        assertThat(StoreCheck.files(objects)).hasSize(2);
        StoreCheck.assertConsistent(objects);
    }

    /**
     * With the only worker held up, the parser reads a large file until the budget is spent and then waits:
     * what is in flight never exceeds the budget, whatever the size of the file.
     */
    @Test
    void theParserWaitsOnceTheBudgetIsSpent() throws Exception {
        long budget = 4L * ContentPipeline.CHUNK;
        List<byte[]> files = List.of(bytes(200, 10 * ContentPipeline.CHUNK), bytes(201, SMALL));
        List<ContentRef> refs = withWorkerHeldUp(1, budget, files, (pool, submitted) -> {
            assertThat(pool.inFlight()).isEqualTo(budget);
            assertThat(submitted).isZero();
        });
        assertThat(refs).hasSize(files.size()).doesNotContainNull();
    }

    /**
     * With the only worker held up and budget to spare, the parser hands over as many small files as the
     * pipeline asks for (its capacity) and then waits.
     */
    @Test
    void theParserWaitsForDemand() throws Exception {
        long budget = 64L * ContentPipeline.CHUNK;
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            files.add(bytes(100 + i, SMALL));
        }
        List<ContentRef> refs = withWorkerHeldUp(1, budget, files, (pool, submitted) -> {
            assertThat(pool.capacity()).isLessThan(files.size());
            assertThat(submitted).isEqualTo(pool.capacity());
            // the next file is read and waits for demand
            assertThat(pool.inFlight()).isEqualTo((pool.capacity() + 1L) * (SMALL + ContentPipeline.TASK_OVERHEAD));
        });
        assertThat(refs).hasSize(files.size()).doesNotContainNull();
    }

    interface WhileWaiting {
        void check(HashingPool pool, int submitted);
    }

    /**
     * Stores {@code files} on a pool whose workers are all held up at first; once the parser waits, runs
     * {@code check} with the files handed over so far, then lets the workers go and returns what they stored.
     */
    private List<ContentRef> withWorkerHeldUp(int threads, long budget, List<byte[]> files, WhileWaiting check)
            throws Exception {
        try (HashingPool pool = new HashingPool(threads, budget);
                Transaction tx = new ObjectStore(work.resolve("objects")).begin();
                ContentPipeline pipeline = new ContentPipeline(tx, pool)) {
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(threads);
            for (int i = 0; i < threads; i++) {
                pool.execute(() -> {
                    started.countDown();
                    awaitQuietly(held);
                });
            }
            try {
                started.await();
                AtomicInteger submitted = new AtomicInteger();
                AtomicReference<List<ContentRef>> refs = new AtomicReference<>();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread parser = new Thread(() -> {
                    try {
                        refs.set(store(pipeline, files, submitted));
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                parser.start();
                while (parser.getState() != Thread.State.WAITING && parser.isAlive()) {
                    Thread.sleep(5);
                }
                assertThat(parser.isAlive()).as("the parser waits for the held-up workers").isTrue();
                check.check(pool, submitted.get());
                held.countDown();
                parser.join();
                assertThat(failure.get()).isNull();
                assertThat(pool.inFlight()).isZero();
                return refs.get();
            } finally {
                held.countDown();
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A store that cannot be written: its staging directory is gone. Every worker fails; nothing is published. */
    @Test
    void aWorkerFailureReachesTheCallerNamingTheFileAndLeavesNoObject() throws IOException {
        Path objects = work.resolve("objects");
        List<byte[]> files = List.of(bytes(10, 20), bytes(11, SMALL), bytes(12, LARGE));
        try (HashingPool pool = new HashingPool(2, 4L * ContentPipeline.CHUNK)) {
            try (Transaction tx = new ObjectStore(objects).begin()) {
                deleteStaging(objects);
                try (ContentPipeline pipeline = new ContentPipeline(tx, pool)) {
                    assertThatThrownBy(() -> store(pipeline, files))
                            .isInstanceOf(EnvironmentException.class)
                            .hasMessageMatching("file [12]: cannot store it in " + objects + ": .*");
                }
                assertThat(pool.inFlight()).isZero();
            }
        }
        assertThat(StoreCheck.files(objects)).isEmpty();
        StoreCheck.assertConsistent(objects);
    }

    /** Makes the store unwritable for a transaction: its staging directory is gone. */
    static void deleteStaging(Path objects) throws IOException {
        List<Path> staging;
        try (Stream<Path> s = Files.list(objects)) {
            staging = s.filter(p -> p.getFileName().toString().startsWith(".staging-") && Files.isDirectory(p)).toList();
        }
        assertThat(staging).hasSize(1);
        try (Stream<Path> s = Files.walk(staging.get(0))) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A layer cut off in the middle of a large file: the parser's error, the budget given back, nothing kept. */
    @Test
    void aParserFailureInALargeFileGivesBackTheBudgetAndKeepsNothing() throws IOException {
        Path objects = work.resolve("objects");
        byte[] large = bytes(20, LARGE);
        try (HashingPool pool = new HashingPool(2, 4L * ContentPipeline.CHUNK)) {
            try (Transaction tx = new ObjectStore(objects).begin();
                    ContentPipeline pipeline = new ContentPipeline(tx, pool)) {
                BlockingFeed<Member<String>> feed = new BlockingFeed<>(Member::discard);
                Mono<List<Hashed<String>>> hashed = pipeline.hash(feed.flux()).collectList().cache();
                hashed.subscribe(x -> { }, e -> { });
                InputStream cut = new ByteArrayInputStream(large, 0, 2 * ContentPipeline.CHUNK + 10);
                assertThatThrownBy(() -> pipeline.submit("big", "big", large.length, cut, feed))
                        .hasMessage("big: content ends after 10 of " + ContentPipeline.CHUNK + " bytes");
                assertThatThrownBy(() -> Blocking.block(hashed)).hasMessage("big: content not read to its end");
            }
            assertThat(pool.inFlight()).isZero();
        }
        assertThat(StoreCheck.files(objects)).isEmpty();
        StoreCheck.assertConsistent(objects);
    }

    /**
     * Closing the pipeline with work still queued: the queued files are dropped, their budget given back, and
     * nothing is written once close returns (the staging directory can go).
     */
    @Test
    void closingWithWorkQueuedReleasesEverything() throws Exception {
        Path objects = work.resolve("objects");
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            files.add(bytes(300 + i, SMALL));
        }
        try (HashingPool pool = new HashingPool(1, 64L * ContentPipeline.CHUNK);
                Transaction tx = new ObjectStore(objects).begin()) {
            CountDownLatch held = new CountDownLatch(1);
            pool.execute(() -> awaitQuietly(held));
            ContentPipeline pipeline = new ContentPipeline(tx, pool);
            BlockingFeed<Member<Integer>> feed = new BlockingFeed<>(Member::discard);
            Mono<List<Hashed<Integer>>> hashed = pipeline.hash(feed.flux()).collectList().cache();
            hashed.subscribe(x -> { }, e -> { });
            for (int i = 0; i < files.size(); i++) {
                pipeline.submit("file " + i, i, SMALL, new ByteArrayInputStream(files.get(i)), feed);
            }
            feed.complete();
            assertThat(pool.inFlight()).isEqualTo(files.size() * (long) (SMALL + ContentPipeline.TASK_OVERHEAD));
            pipeline.close();
            assertThat(pool.inFlight()).isZero();
            held.countDown();
            assertThatThrownBy(() -> Blocking.block(hashed)).hasMessageContaining("conversion stopped");
        }
        assertThat(StoreCheck.files(objects)).isEmpty();
    }
}
