package io.oci2cfs.cli;

import io.oci2cfs.batch.Batch;
import io.oci2cfs.batch.BatchOptions;
import io.oci2cfs.batch.BatchReport;
import io.oci2cfs.batch.Job;
import io.oci2cfs.batch.JobsFile;
import io.oci2cfs.batch.ProgressBar;
import io.oci2cfs.batch.Shard;
import io.oci2cfs.convert.ConvertOptions;
import io.oci2cfs.error.UsageException;
import io.oci2cfs.image.Platform;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import reactor.core.publisher.Flux;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code oci2cfs batch JOBS --objects DIR}. */
@Command(name = "batch", description = "Convert the images a JOBS file lists into one object store.")
final class BatchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "JOBS", description = "One job per line: SOURCE IMAGE, or a JSON object "
            + "{\"source\",\"image\",\"platform\",\"perLayer\"}; # comments. - reads stdin.")
    String jobsFile;

    @Option(names = "--objects", required = true, paramLabel = "DIR", description = "The object store.")
    Path objects;

    @Option(names = "--jobs", paramLabel = "N", description = "Images converted at once (default: CPUs, at least 2).")
    Integer jobs;

    @Option(names = "--fail-fast", description = "Start no job after the first failure.")
    boolean failFast;

    @Option(names = "--force", description = "Convert even images that are up to date.")
    boolean force;

    @Option(names = "--report", paramLabel = "FILE", description = "Write one JSON line per job there, in JOBS order.")
    Path report;

    @Option(names = "--json", description = "Write the report to stdout (unless --report).")
    boolean json;

    @Option(names = "--shard", paramLabel = "K/N", description = "Take only the jobs at positions K, K+N, ... (K from 0).")
    String shard;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Manifest to take from an index.")
    String platform;

    @Option(names = "--hardlinks", paramLabel = "keep|break", defaultValue = "keep",
            description = "keep: hardlinks stay one inode; break: one inode per name.")
    String hardlinks;

    @Mixin
    ImageOptions common;

    @Override
    public Integer call() throws Exception {
        if (common.printDigest) {
            throw new UsageException("--print-digest does not apply to a batch: the report has the digests");
        }
        if (!hardlinks.equals("keep") && !hardlinks.equals("break")) {
            throw new UsageException("--hardlinks must be keep or break, not " + hardlinks);
        }
        Shard part;
        ConvertOptions convert;
        try {
            part = shard == null ? Shard.ALL : Shard.parse(shard);
            convert = ConvertOptions.builder().versions(common.versions())
                    .platform(platform == null ? Platform.host() : Platform.parse(platform)).threads(common.threads())
                    .tree(common.tree(hardlinks.equals("break"))).build();
            if (jobs != null && jobs < 1) {
                throw new IllegalArgumentException("--jobs must be at least 1, got " + jobs);
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        List<Job> all;
        try (Reader in = jobsFile.equals("-") ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
                : Files.newBufferedReader(Path.of(jobsFile))) {
            all = JobsFile.read(in, jobsFile.equals("-") ? "stdin" : jobsFile);
        }
        List<Job> mine = all.stream().filter(part::takes).toList();
        ProgressBar bar = System.console() != null ? new ProgressBar(System.err, mine.size()) : null;
        BatchOptions options = new BatchOptions(objects, jobs == null ? BatchOptions.defaultJobs() : jobs, failFast,
                force, convert, bar);
        try (PrintStream out = reportStream()) {
            BatchReport collected = new BatchReport(mine, out);
            Batch.run(Flux.fromIterable(mine), options).doOnNext(r -> {
                collected.add(r);
                if (r.failed() && bar == null) {
                    System.err.println(r.failureLine());
                }
            }).blockLast();
            if (bar != null) {
                bar.close();
            }
            System.err.println(collected.summary());
            return collected.failed() > 0 || collected.notStarted() > 0 ? 1 : 0;
        }
    }

    private PrintStream reportStream() throws java.io.IOException {
        if (report != null) {
            return new PrintStream(Files.newOutputStream(report), false, StandardCharsets.UTF_8);
        }
        if (json) {
            // stdout stays open for the caller
            return new PrintStream(new java.io.FilterOutputStream(System.out) {
                @Override
                public void close() {
                    System.out.flush();
                }
            }, false, StandardCharsets.UTF_8);
        }
        return null;
    }
}
