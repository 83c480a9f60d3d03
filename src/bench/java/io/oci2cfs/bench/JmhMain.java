package io.oci2cfs.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks (JMH's own command line options apply: a regex, -f, -wi, -i, -r ...) and prints
 * them again as MB/s, entries/s or files/s with ratios against their baselines.
 */
public final class JmhMain {
    private JmhMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        OptionsBuilder b = new OptionsBuilder();
        b.parent(cli);
        if (cli.getIncludes().isEmpty()) {
            b.include("io\\.oci2cfs\\.bench\\..*Benchmark");
        }
        if (!cli.getForkCount().hasValue()) {
            b.forks(1);
        }
        if (!cli.getWarmupIterations().hasValue()) {
            b.warmupIterations(3);
        }
        if (!cli.getWarmupTime().hasValue()) {
            b.warmupTime(TimeValue.seconds(1));
        }
        if (!cli.getMeasurementIterations().hasValue()) {
            b.measurementIterations(5);
        }
        if (!cli.getMeasurementTime().hasValue()) {
            b.measurementTime(TimeValue.seconds(1));
        }
        Options opts = b.build();
        Collection<RunResult> results = new Runner(opts).run();
        Map<String, Double> score = new HashMap<>();
        Map<String, Double> error = new HashMap<>();
        List<String> order = new ArrayList<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replaceFirst(".*\\.bench\\.", "");
            String size = r.getParams().getParam("size");
            String key = size == null ? name : name + "@" + size;
            score.put(key, r.getPrimaryResult().getScore());
            error.put(key, r.getPrimaryResult().getScoreError());
            order.add(key);
        }
        System.out.printf("%n%-46s %14s %12s %14s %9s%n", "benchmark (ops/s +- 99.9% CI)", "ops/s", "MB/s",
                "entries/s", "ratio");
        double tarMb = TarBenchmark.TAR.length / 1e6;
        int nodes = order.stream().anyMatch(k -> k.startsWith("Erofs")) ? ErofsBenchmark.entries(ErofsBenchmark.dumpBytes()) : 0;
        for (String k : order) {
            double s = score.get(k);
            String mb = "";
            String per = "";
            String ratio = "";
            if (k.startsWith("FsVerityBenchmark")) {
                int size = Integer.parseInt(k.substring(k.indexOf('@') + 1));
                mb = String.format("%.1f", s * size / 1e6);
                Double base = score.get("FsVerityBenchmark.sha256@" + size);
                ratio = base == null ? "" : String.format("%.2f", s / base);
            } else if (k.startsWith("TarBenchmark")) {
                mb = String.format("%.1f", s * tarMb);
                per = String.format("%,.0f", s * TarBenchmark.ENTRIES);
                Double base = score.get("TarBenchmark.commonsIterate");
                ratio = base == null ? "" : String.format("%.2f", s / base);
            } else if (k.startsWith("ErofsBenchmark")) {
                per = String.format("%,.0f", s * nodes);
                Double base = score.get("ErofsBenchmark.dumpRead");
                ratio = base == null ? "" : String.format("%.2f", s / base);
            }
            System.out.printf("%-46s %14s %12s %14s %9s%n", k, String.format("%.1f +- %.1f", s, error.get(k)), mb, per,
                    ratio);
        }
        System.out.printf("ratios: fs-verity / SHA-256 of the same bytes; tar parsers / commons-compress iteration "
                + "(tar of %d entries, %.1f MB); EROFS write / dump parse of the cs9 tree (%d entries = files/s)%n",
                TarBenchmark.ENTRIES, tarMb, nodes);
    }
}
