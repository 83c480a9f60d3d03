package io.oci2cfs.batch;

import io.oci2cfs.batch.JobResult.Status;
import io.oci2cfs.convert.ConvertOptions;
import io.oci2cfs.convert.ConvertResult;
import io.oci2cfs.convert.Converter;
import io.oci2cfs.error.ErrorText;
import io.oci2cfs.convert.HashingPool;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.image.Digest;
import io.oci2cfs.image.ImageReference;
import io.oci2cfs.image.ImageSource;
import io.oci2cfs.image.ImageSources;
import io.oci2cfs.image.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Converts many images into one object store: {@link BatchOptions#jobs()} at once, all hashing on one
 * {@link HashingPool} within one memory budget. A failing job is reported and the others go on. A job whose
 * image is up to date ({@link ImageRecord}) is skipped without reading its layers.
 */
public final class Batch {
    private Batch() {
    }

    /**
     * Runs the jobs with bounded concurrency; results come as jobs end (not in job order). The hashing pool
     * lives as long as the subscription. No thread waits for another job's work, so any {@code jobs} works.
     */
    public static Flux<JobResult> run(Flux<Job> jobs, BatchOptions options) {
        ConvertOptions base = options.convert();
        return Flux.using(() -> new HashingPool(base.threads(), base.memoryBudget()), pool -> {
            AtomicBoolean stop = new AtomicBoolean();
            return jobs.flatMap(job -> Mono.defer(() -> stop.get() ? Mono.<JobResult>empty() : runOne(job, pool, options))
                    .doOnNext(r -> {
                        if (r.failed() && options.failFast()) {
                            stop.set(true);
                        }
                    }), options.jobs());
        }, HashingPool::close);
    }

    /** Skips the job when its image is up to date, else converts it and records how; never fails. */
    private static Mono<JobResult> runOne(Job job, HashingPool pool, BatchOptions options) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            options.listener().started(job);
            ConvertOptions opts = optionsFor(job, options);
            Map<String, Object> shape = optionsOf(opts);
            Mono<JobResult> skipped = options.force() ? Mono.empty()
                    : Mono.fromCallable(() -> upToDate(job, opts, shape, start)).subscribeOn(Schedulers.boundedElastic());
            return skipped.switchIfEmpty(Mono.defer(() -> Converter.convert(job.source(), job.image(),
                            options.objects(), opts, null, InputStream.nullInputStream(), pool)
                    .map(r -> recorded(job, r, shape, start))))
                    .onErrorResume(e -> Mono.just(JobResult.failed(job, ErrorText.of(e), seconds(start))))
                    .doOnNext(options.listener()::finished);
        });
    }

    /** Writes the image's record beside it (see {@link ImageRecord}) and returns the job's result. */
    private static JobResult recorded(Job job, ConvertResult r, Map<String, Object> shape, long start) {
        try {
            new ImageRecord(job.source(), r.manifestDigest(), shape, r.imageDigest(), r.files()).write(job.image());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(new IOException(ImageRecord.pathFor(job.image()) + ": "
                    + ErrorText.of(e), e));
        }
        return new JobResult(job, Status.CONVERTED, null, r.manifestDigest(), r.imageDigest(), r.files(),
                r.objectsNew(), r.objectsReused(), r.bytesAdded(), r.bytesStored(), r.bytesReused(), r.bytesRead(),
                seconds(start));
    }

    /** A job's conversion options: its own platform and per-layer directory; layers one at a time per job. */
    static ConvertOptions optionsFor(Job job, BatchOptions options) {
        ConvertOptions b = options.convert();
        int layersAtOnce = Math.max(1, b.threads() / options.jobs());
        return b.toBuilder().platform(job.platform() != null ? job.platform() : b.platform()).threads(layersAtOnce)
                .perLayerDir(job.perLayerDir() != null ? job.perLayerDir() : b.perLayerDir()).progress(false).build();
    }

    /** The options that shape an image, as its {@link ImageRecord} keeps them. */
    static Map<String, Object> optionsOf(ConvertOptions o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("minVersion", o.versions().min());
        m.put("maxVersion", o.versions().max());
        m.put("platform", o.platform().toString());
        m.put("useEpoch", o.tree().useEpoch());
        m.put("skipXattrs", o.tree().skipXattrs());
        m.put("userXattrs", o.tree().userXattrs());
        m.put("skipDevices", o.tree().skipDevices());
        m.put("hardlinks", o.tree().breakHardlinks() ? "break" : "keep");
        if (o.perLayerDir() != null) {
            m.put("perLayer", o.perLayerDir().toString());
        }
        return m;
    }

    /** A skipped result when the image is there, unchanged, and made from what the source holds now. */
    private static JobResult upToDate(Job job, ConvertOptions opts, Map<String, Object> shape, long start)
            throws IOException {
        ImageRecord rec = ImageRecord.read(job.image());
        if (rec == null || rec.manifestDigest() == null || !shape.equals(rec.options())
                || !Files.isRegularFile(job.image())) {
            return null;
        }
        Digest now = resolve(job.source(), opts.platform());
        if (now == null || !now.toString().equals(rec.manifestDigest())) {
            return null;
        }
        String imageDigest;
        try (InputStream in = Files.newInputStream(job.image())) {
            imageDigest = FsVerityHasher.hex(FsVerityHasher.digestOf(in));
        }
        if (!imageDigest.equals(rec.imageDigest())) {
            return null;
        }
        return new JobResult(job, Status.SKIPPED, null, rec.manifestDigest(), imageDigest, rec.files(), 0, 0, 0, 0,
                0, 0, seconds(start));
    }

    /**
     * The digest naming the image {@code source} holds now, from its index and manifest where the source
     * allows; null when it has none (a layer, a dump, a directory) or cannot be read (the conversion will
     * then say why).
     */
    static Digest resolve(String source, Platform platform) {
        try {
            ImageReference ref = ImageSources.detect(ImageReference.parse(source));
            if (!ref.kind().isImage()) {
                return null;
            }
            try (ImageSource src = Converter.openSource(ref, platform, null, InputStream.nullInputStream())) {
                return src.resolve().identity();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
