package io.oci2cfs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code bin/bench --object-writes} (issue 14, target 3): what creating the objects of the 5-layer image costs
 * {@code oci2cfs convert} against {@code mkcomposefs --digest-store} on the unpacked rootfs of the same image
 * (system calls and kernel time per new object), and convert's wall time against {@code cp -r} of the object
 * directory it writes, on the same disk, interleaved in one run.
 */
final class ObjectWritesBench {
    private final BenchMain bench;

    ObjectWritesBench(BenchMain bench) {
        this.bench = bench;
    }

    void run() throws Exception {
        DataSet.Spec layered = bench.quick ? new DataSet.Spec("q-layered", 42, 2000, 5, 0, true)
                : new DataSet.Spec("layered", 42, 40_000, 5, 4, true);
        DataSet.ensure(bench.work, layered);
        Path layout = bench.work.resolve("oci-" + layered.name() + "-gzip");
        String source = "oci:" + layout + ":" + DataSet.REF;
        if (bench.umoci == null || bench.mkcomposefs == null) {
            System.out.printf("%n== object writes: umoci or mkcomposefs not found, skipped%n");
            return;
        }
        Path rootfs = unpack(layout);
        Path objects = bench.run.resolve("objects");
        Path refObjects = bench.run.resolve("refobjects");
        Path copySource = bench.run.resolve("objects-to-copy");
        Path copy = bench.run.resolve("objects-copy");

        BenchMain.Row convert = bench.new Row("oci2cfs convert", bench.convert(List.of(), source), bench.clean(objects));
        List<String> mkcfsCmd = List.of(bench.mkcomposefs, "--digest-store=" + refObjects, rootfs.toString(),
                bench.run.resolve("ref.cfs").toString());
        BenchMain.Row mkcfs = bench.new Row("mkcomposefs --digest-store (rootfs)", mkcfsCmd, bench.clean(refObjects));
        BenchMain.Row cp = bench.new Row("cp -r of convert's objects", List.of("cp", "-r", copySource.toString(),
                copy.toString()), bench.clean(copy));
        // the same copy made durable, as convert's commit makes its objects (one syncfs)
        BenchMain.Row cpSync = bench.new Row("cp -r + sync -f", List.of("bash", "-c", "cp -r \"$1\" \"$2\" && sync -f \"$2\"",
                "-", copySource.toString(), copy.toString()), bench.clean(copy));

        // The directory cp copies: convert's own output, made once before the timed runs.
        bench.clean(copySource).run();
        List<String> prepare = new ArrayList<>(convert.cmd);
        prepare.replaceAll(a -> a.equals(objects.toString()) ? copySource.toString() : a);
        BenchMain.Sample made = bench.timed(prepare);
        if (made.exit() != 0) {
            return;
        }
        long newObjects = BenchMain.JSON.readTree(made.out()).get("objectsNew").asLong();

        List<BenchMain.Row> rows = new ArrayList<>(List.of(convert, mkcfs, cp, cpSync));
        BenchMain.Row baseline = null;
        if (bench.baselineJar != null) {
            List<String> cmd = new ArrayList<>(convert.cmd);
            // its own class-data-sharing archive, which bin/oci2cfs makes beside the jar
            String ownArchive = bench.jar.resolveSibling("oci2cfs.jsa").toString();
            String baseArchive = bench.baselineJar.resolveSibling("oci2cfs.jsa").toString();
            cmd.replaceAll(a -> a.equals(bench.jar.toString()) ? bench.baselineJar.toString()
                    : a.replace(ownArchive, baseArchive));
            baseline = bench.new Row("convert, baseline jar", cmd, bench.clean(objects));
            rows.add(1, baseline);
        }
        BenchMain.runInterleaved(rows, bench.reps);
        long refNew = countObjects(refObjects);
        long copied = countObjects(copy);

        Path convertTrace = bench.run.resolve("strace-convert.txt");
        Path mkcfsTrace = bench.run.resolve("strace-mkcomposefs.txt");
        bench.clean(objects).run();
        bench.timed(strace(convertTrace, convert.cmd));
        long tracedNew = countObjects(objects);
        bench.clean(refObjects).run();
        bench.timed(strace(mkcfsTrace, mkcfsCmd));
        long tracedRefNew = countObjects(refObjects);
        Trace base = null;
        long baseNew = 0;
        if (baseline != null) {
            bench.clean(objects).run();
            bench.timed(strace(bench.run.resolve("strace-baseline.txt"), baseline.cmd));
            baseNew = countObjects(objects);
            base = Trace.parse(bench.run.resolve("strace-baseline.txt"));
        }
        Trace ours = Trace.parse(convertTrace);
        Trace theirs = Trace.parse(mkcfsTrace);

        JsonNode report = BenchMain.JSON.readTree(convert.samples.get(0).out());
        System.out.printf("%n== object writes (issue 14, target 3): %s%n", source);
        System.out.printf("   %d entries; convert writes %,d new objects (%.1f MB), mkcomposefs %,d; cp copies %,d files%n",
                report.get("files").asLong() + report.get("directories").asLong() + report.get("symlinks").asLong(),
                newObjects, report.get("bytesStored").asLong() / 1e6, refNew, copied);
        System.out.printf("   %-38s %7s %7s %7s %12s %14s%n", "what (" + bench.reps + " runs, medians)", "wall s",
                "cpu s", "sys s", "sys us/obj", "this/convert");
        for (BenchMain.Row r : rows) {
            long n = r == mkcfs ? refNew : newObjects;
            System.out.printf("   %-38s %7.2f %7.2f %7.2f %12.1f %14.2f%s%n", r.label, r.wall(), r.cpu(), r.sys(),
                    r == convert || r == mkcfs || r == baseline ? r.sys() * 1e6 / n : Double.NaN, r.wall() / convert.wall(),
                    r.ok() ? "" : "  FAILED");
        }
        System.out.printf("   system calls per new object (strace -c -f, one run each):%n");
        System.out.printf("     %-36s %10.2f  (%,d calls, %,d objects)%n", "oci2cfs convert",
                ours.total / (double) tracedNew, ours.total, tracedNew);
        System.out.printf("     %-36s %10.2f  (%,d calls, %,d objects)%n", "mkcomposefs --digest-store",
                theirs.total / (double) tracedRefNew, theirs.total, tracedRefNew);
        if (base != null) {
            System.out.printf("     %-36s %10.2f  (%,d calls, %,d objects)%n", "convert, baseline jar",
                    base.total / (double) baseNew, base.total, baseNew);
            System.out.printf("     most frequent, per object: baseline %s%n", base.top(6, baseNew));
        }
        System.out.printf("     most frequent, per object: convert %s%n", ours.top(6, tracedNew));
        System.out.printf("     %28s mkcomposefs %s%n", "", theirs.top(6, tracedRefNew));
        double sysRatio = (convert.sys() / newObjects) / (mkcfs.sys() / refNew);
        double callRatio = (ours.total / (double) tracedNew) / (theirs.total / (double) tracedRefNew);
        double cpRatio = convert.wall() / cp.wall();
        System.out.printf("   check: syscalls per object <= mkcomposefs: %.2fx %s; kernel time per object <= mkcomposefs: "
                + "%.2fx %s%n", callRatio, callRatio <= 1 ? "PASS" : "FAIL", sysRatio, sysRatio <= 1 ? "PASS" : "FAIL");
        System.out.printf("   check: convert no slower than cp -r of its objects: %.2fx %s (against cp -r + sync -f: %.2fx)%n",
                cpRatio, cpRatio <= 1 ? "PASS" : "FAIL", convert.wall() / cpSync.wall());
    }

    /** The image unpacked by umoci once per bench run, for mkcomposefs to read. */
    private Path unpack(Path layout) throws IOException, InterruptedException {
        Path bundle = bench.run.resolve("ow-bundle");
        bench.clean(bundle).run();
        BenchMain.Sample s = bench.timed(List.of(bench.umoci, "unpack", "--image", layout + ":" + DataSet.REF,
                bundle.toString()));
        if (s.exit() != 0) {
            throw new IOException("umoci unpack failed");
        }
        return bundle.resolve("rootfs");
    }

    private static List<String> strace(Path out, List<String> cmd) {
        List<String> c = new ArrayList<>(List.of("strace", "-c", "-f", "-o", out.toString()));
        c.addAll(cmd);
        return c;
    }

    /** Objects ({@code xx/<62 hex>}) in a store. */
    private static long countObjects(Path store) throws IOException {
        if (!Files.isDirectory(store)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(store, 2)) {
            return s.filter(p -> p.getFileName().toString().matches("[0-9a-f]{62}")).count();
        }
    }

    /** The call counts of {@code strace -c}'s summary table. */
    private record Trace(long total, Map<String, Long> calls) {
        static Trace parse(Path file) throws IOException {
            long total = 0;
            Map<String, Long> calls = new TreeMap<>();
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                // % time, seconds, usecs/call, calls, [errors], syscall
                if (f.length < 5 || !f[0].matches("[0-9.]+")) {
                    continue;
                }
                long n = Long.parseLong(f[3]);
                String name = f[f.length - 1];
                if (name.equals("total")) {
                    total = n;
                } else {
                    calls.put(name, n);
                }
            }
            return new Trace(total, calls);
        }

        String top(int k, long objects) {
            StringBuilder b = new StringBuilder();
            calls.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(k)
                    .forEach(e -> b.append(String.format("%s %.2f  ", e.getKey(), e.getValue() / (double) objects)));
            return b.toString().strip();
        }
    }
}
