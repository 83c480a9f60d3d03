package io.oci2cfs.convert;

import static org.assertj.core.api.Assertions.assertThat;

import io.oci2cfs.convert.ContentPipeline.Hashed;
import io.oci2cfs.convert.ContentPipeline.Member;
import io.oci2cfs.error.EnvironmentException;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.store.ObjectStore;
import io.oci2cfs.store.Transaction;
import io.oci2cfs.tree.ContentRef;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The Flux stages of the content pipeline under {@link StepVerifier}: order, errors, cancellation, demand. */
class ContentPipelineFluxTest {
    @TempDir
    Path work;

    /** Members 0..n-1: every third has no content, the others contents of assorted sizes (inline ones too). */
    private static List<Member<Integer>> members(ContentPipeline pipeline, int n, List<byte[]> contents)
            throws IOException {
        Random sizes = new Random(n);
        List<Member<Integer>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i % 3 == 0) {
                contents.add(null);
                out.add(Member.of(i));
                continue;
            }
            byte[] c = ContentPipelineTest.bytes(i, i % 7 == 0 ? 40 : 65 + sizes.nextInt(ContentPipeline.CHUNK - 65));
            contents.add(c);
            out.add(pipeline.take("file " + i, i, c.length, new ByteArrayInputStream(c)));
        }
        return out;
    }

    @Test
    void membersComeBackInTheirOrderWhileHashedInParallel() throws IOException {
        try (HashingPool pool = new HashingPool(4, 512L * ContentPipeline.CHUNK);
                Transaction tx = new ObjectStore(work.resolve("objects")).begin();
                ContentPipeline pipeline = new ContentPipeline(tx, pool)) {
            List<byte[]> contents = new ArrayList<>();
            List<Member<Integer>> members = members(pipeline, 300, contents);
            List<String> threads = new CopyOnWriteArrayList<>();
            StepVerifier.create(pipeline.hash(Flux.fromIterable(members))
                            .doOnNext(h -> threads.add(Thread.currentThread().getName()))
                            .map(h -> h.tag() + " " + describe(h.ref())))
                    .expectNextSequence(IntStream.range(0, 300)
                            .mapToObj(i -> i + " " + describe(contents.get(i))).toList())
                    .verifyComplete();
            assertThat(threads).anyMatch(t -> t.startsWith("oci2cfs-hash-"));
            assertThat(pool.inFlight()).isZero();
        }
    }

    /** A reference as text: records compare their arrays by identity. */
    private static String describe(ContentRef ref) {
        return ref == null ? "none" : ref.inline() != null ? "inline " + HexFormat.of().formatHex(ref.inline())
                : ref.size() + " bytes " + FsVerityHasher.hex(ref.digest());
    }

    /** What {@link #describe(ContentRef)} gives for a member's content. */
    private static String describe(byte[] content) {
        return content == null ? "none" : content.length <= ContentRef.INLINE_MAX
                ? "inline " + HexFormat.of().formatHex(content)
                : content.length + " bytes " + FsVerityHasher.hex(FsVerityHasher.digestOf(content));
    }

    @Test
    void aFailedWriteEndsTheFluxWithTheErrorAfterTheMembersBeforeIt() throws IOException {
        Path objects = work.resolve("objects");
        try (HashingPool pool = new HashingPool(2, 64L * ContentPipeline.CHUNK)) {
            try (Transaction tx = new ObjectStore(objects).begin();
                    ContentPipeline pipeline = new ContentPipeline(tx, pool)) {
                List<byte[]> contents = new ArrayList<>();
                List<Member<Integer>> members = members(pipeline, 30, contents);
                ContentPipelineTest.deleteStaging(objects);
                StepVerifier.create(pipeline.hash(Flux.fromIterable(members)).map(Hashed::tag))
                        .expectNext(0)
                        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(EnvironmentException.class)
                                .hasMessageMatching("file \\d+: cannot store it in " + objects + ": .*"))
                        .verify();
                pipeline.awaitWrites();
            }
            assertThat(pool.inFlight()).isZero();
        }
        assertThat(StoreCheck.files(objects)).isEmpty();
    }

    /** Members queued for a held-up worker when the subscriber cancels are never written. */
    @Test
    void cancellingStopsTheWritesAndClosingGivesBackTheBudget() throws Exception {
        Path objects = work.resolve("objects");
        try (HashingPool pool = new HashingPool(1, 64L * ContentPipeline.CHUNK)) {
            try (Transaction tx = new ObjectStore(objects).begin();
                    ContentPipeline pipeline = new ContentPipeline(tx, pool)) {
                List<Member<Integer>> members = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    byte[] c = ContentPipelineTest.bytes(i, 5000);
                    members.add(pipeline.take("file " + i, i, c.length, new ByteArrayInputStream(c)));
                }
                CountDownLatch held = new CountDownLatch(1);
                pool.execute(() -> {
                    try {
                        held.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                try {
                    StepVerifier.create(pipeline.hash(Flux.fromIterable(members)))
                            .expectSubscription()
                            .thenCancel()
                            .verify();
                } finally {
                    held.countDown();
                }
                pipeline.awaitWrites();
                // the queued tasks have had their turn: cancelled, they wrote nothing
                CountDownLatch after = new CountDownLatch(1);
                pool.execute(after::countDown);
                after.await();
                pipeline.awaitWrites();
                assertThat(staged(objects)).isZero();
            }
            assertThat(pool.inFlight()).isZero();
        }
        assertThat(StoreCheck.files(objects)).isEmpty();
    }

    /** Objects in the staging directory (none once the transaction is closed). */
    private static long staged(Path objects) throws IOException {
        try (Stream<Path> s = Files.walk(objects)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> objects.relativize(p).toString().startsWith(".staging-"))
                    .filter(p -> !p.getFileName().toString().endsWith(".lock"))
                    .count();
        }
    }

    /** The feed's producer runs no further than the demand, and stops waiting once the subscriber cancels. */
    @Test
    void theFeedWaitsForDemandAndDiscardsAfterCancel() {
        List<Integer> discarded = new CopyOnWriteArrayList<>();
        BlockingFeed<Integer> feed = new BlockingFeed<>(discarded::add);
        AtomicInteger fed = new AtomicInteger();
        Thread producer = new Thread(() -> {
            try {
                for (int i = 0; i < 10; i++) {
                    feed.next(i);
                    fed.incrementAndGet();
                }
                feed.complete();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        StepVerifier.create(feed.flux(), 0)
                .then(producer::start)
                .then(() -> awaitWaiting(producer))
                .then(() -> assertThat(fed.get()).isZero())
                .thenRequest(2)
                .expectNext(0, 1)
                .then(() -> awaitWaiting(producer))
                .then(() -> assertThat(fed.get()).isEqualTo(2))
                .thenRequest(1)
                .expectNext(2)
                .thenCancel()
                .verify();
        join(producer);
        assertThat(fed.get()).isEqualTo(10);
        assertThat(discarded).containsExactly(3, 4, 5, 6, 7, 8, 9);
    }

    private static void awaitWaiting(Thread t) {
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TERMINATED) {
            Thread.onSpinWait();
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
