package io.oci2cfs.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.oci2cfs.batch.BatchTestImages;
import io.oci2cfs.convert.ConvertOptions;
import io.oci2cfs.convert.Converter;
import io.oci2cfs.image.Platform;
import io.oci2cfs.testutil.Cli;
import io.oci2cfs.testutil.Proc;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcTest {
    private static final ConvertOptions OPTIONS =
            ConvertOptions.builder().platform(Platform.parse("linux/amd64")).build();
    @TempDir
    Path tmp;

    /**
     * Conversions run in a loop, each checking right after it ends that every object its image names is in the
     * store and then deleting its image, so that between conversions no image references the objects they
     * reuse; meanwhile gc runs in a loop with no grace period, keeping only the images on disk. Without the
     * store lock, gc would delete objects a running conversion had found in the store and was about to
     * reference.
     */
    @Test
    void gcInALoopNeverDeletesAnObjectARunningConversionWillReference() throws Exception {
        List<String> sources = BatchTestImages.sources();
        Path store = Files.createDirectories(tmp.resolve("objects"));
        Path images = Files.createDirectories(tmp.resolve("images"));
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger gcRuns = new AtomicInteger();
        AtomicLong gcDeleted = new AtomicLong();
        ConcurrentLinkedQueue<String> incomplete = new ConcurrentLinkedQueue<>();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            Future<?> gc = threads.submit(() -> {
                while (!done.get()) {
                    Gc.Result r = Gc.run(store, () -> StoreImages.below(images), Duration.ZERO, false);
                    gcRuns.incrementAndGet();
                    gcDeleted.addAndGet(r.deleted().size());
                }
                return null;
            });
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int worker = w;
                workers.add(threads.submit(() -> {
                    for (int round = 0; round < 6; round++) {
                        String source = sources.get((worker + round) % sources.size());
                        Path image = images.resolve("w" + worker + ".cfs");
                        Converter.convert(source, image, store, OPTIONS.toBuilder().threads(1).build(),
                                InputStream.nullInputStream())
                                .block();
                        for (String rel : StoreImages.objectsOf(image)) {
                            if (!Files.isRegularFile(store.resolve(rel))) {
                                incomplete.add(source + " round " + round + ": " + rel);
                            }
                        }
                        Files.delete(image);
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
            done.set(true);
            gc.get();
        } finally {
            done.set(true);
            threads.shutdown();
        }
        assertThat(incomplete).as("objects missing right after a conversion").isEmpty();
        assertThat(gcRuns.get()).as("gc runs").isGreaterThan(3);
        assertThat(gcDeleted.get()).as("gc had objects to delete between conversions").isPositive();
    }

    @Test
    void gcKeepsWhatTheListedImagesReferenceAndDeletesTheRest() throws Exception {
        List<String> sources = BatchTestImages.sources();
        Path store = tmp.resolve("objects");
        Path base = tmp.resolve("base.cfs");
        Path app = Files.createDirectories(tmp.resolve("apps")).resolve("app0.cfs");
        Converter.convert(sources.get(0), base, store, OPTIONS, InputStream.nullInputStream()).block();
        Converter.convert(sources.get(1), app, store, OPTIONS, InputStream.nullInputStream()).block();
        Set<String> onlyBase = new java.util.TreeSet<>(StoreImages.objectsOf(base));
        onlyBase.removeAll(StoreImages.objectsOf(app));
        assertThat(onlyBase).as("app0 deletes a file of its base").isNotEmpty();
        Set<String> before = objects(store);

        Proc.Result recent = Cli.run("gc", "--objects", store.toString(), "--images-dir", app.getParent().toString());
        assertThat(recent.code()).as(recent.stderr()).isZero();
        assertThat(recent.stderr()).contains("deleted 0 objects").contains(onlyBase.size() + " recent");

        Proc.Result dry = Cli.run("gc", "--objects", store.toString(), app.toString(), "--grace", "0", "--dry-run");
        assertThat(dry.code()).as(dry.stderr()).isZero();
        assertThat(dry.out().lines().map(l -> store.relativize(Path.of(l)).toString()).toList())
                .containsExactlyInAnyOrderElementsOf(onlyBase);
        assertThat(objects(store)).isEqualTo(before);

        Proc.Result real = Cli.run("gc", "--objects", store.toString(), "--images-dir", app.getParent().toString(),
                "--grace", "0");
        assertThat(real.code()).as(real.stderr()).isZero();
        Set<String> after = new java.util.TreeSet<>(before);
        after.removeAll(onlyBase);
        assertThat(objects(store)).isEqualTo(after);
        assertThat(Fsck.run(store, List.of(app), false, 2).clean()).isTrue();
        assertThat(Fsck.run(store, List.of(base), false, 2).problems()).extracting(Fsck.Problem::kind)
                .containsOnly(Fsck.Kind.MISSING).hasSize(onlyBase.size());

        assertThat(Cli.run("gc", "--objects", store.toString()).stderr()).contains("name the images to keep");
    }

    static Set<String> objects(Path store) throws java.io.IOException {
        Set<String> out = new java.util.TreeSet<>();
        for (Path dir : StoreImages.prefixDirs(store)) {
            try (var s = Files.list(dir)) {
                s.forEach(p -> out.add(store.relativize(p).toString()));
            }
        }
        return out;
    }
}
