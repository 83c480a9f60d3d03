package io.oci2cfs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The driver behind {@code bin/bench}: runs {@code oci2cfs} and its floors as child processes under
 * {@code /usr/bin/time}, repeats them interleaved, and prints medians and ratios. See README "Benchmarks".
 */
public final class BenchMain {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    final Path work;
    final Path run;
    final Path jar;
    /** Another build's jar for comparison rows ({@code --baseline-jar}), or null. */
    final Path baselineJar;
    final boolean quick;
    final int reps;
    private final List<String> javaOpts;
    private final List<String> extraConvertArgs = new ArrayList<>();
    final String mkcomposefs;
    final String umoci;

    private BenchMain(Map<String, String> opts) {
        this.work = Path.of(opts.getOrDefault("work", "/tmp/oci2cfs-bench")).toAbsolutePath();
        this.run = work.resolve("run");
        this.jar = Path.of(opts.getOrDefault("jar", "target/oci2cfs.jar")).toAbsolutePath();
        this.baselineJar = opts.containsKey("baseline-jar") ? Path.of(opts.get("baseline-jar")).toAbsolutePath() : null;
        this.quick = opts.containsKey("quick");
        this.reps = Integer.parseInt(opts.getOrDefault("reps", quick ? "1" : "3"));
        // The JVM flags bin/oci2cfs gives convert (OCI2CFS_JAVA_OPTS included), so the figures are what a user
        // of the launcher gets; asking it also makes its class-data-sharing archive.
        this.javaOpts = launcherFlags(jar);
        if (opts.containsKey("threads")) {
            extraConvertArgs.addAll(List.of("--threads", opts.get("threads")));
        }
        this.mkcomposefs = tool(System.getenv().getOrDefault("MKCOMPOSEFS", "mkcomposefs"));
        this.umoci = tool(System.getenv().getOrDefault("UMOCI", "umoci"));
    }

    private static List<String> launcherFlags(Path jar) {
        Path launcher = jar.getParent().getParent().resolve("bin/oci2cfs");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "convert").redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("OCI2CFS_PRINT_JAVA_OPTS", "1");
        try {
            Process p = pb.start();
            List<String> flags = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank()).toList();
            if (p.waitFor() != 0 || flags.isEmpty()) {
                throw new IllegalStateException(launcher + " did not print its JVM flags");
            }
            return flags;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i].replaceFirst("^--", "");
            if (a.equals("help") || a.equals("h")) {
                System.out.println("usage: bin/bench [--quick] [--memory] [--batch] [--registry] [--image REF] [--reps N]"
                        + " [--threads N] [--work DIR] [--no-images] [--no-dump] [--object-writes [--baseline-jar JAR]]   (see README.md, Benchmarks)");
                return;
            }
            if (List.of("quick", "memory", "batch", "registry", "no-images", "no-dump", "object-writes").contains(a)) {
                opts.put(a, "");
            } else {
                opts.put(a, args[++i]);
            }
        }
        BenchMain b = new BenchMain(opts);
        Files.createDirectories(b.run);
        b.header();
        if (opts.containsKey("batch")) {
            b.batchCase();
            b.emptyTrash();
            return;
        }
        if (opts.containsKey("object-writes")) {
            new ObjectWritesBench(b).run();
            b.emptyTrash();
            return;
        }
        if (opts.containsKey("registry")) {
            new RegistryBench(b).run(!opts.containsKey("no-images"), opts.containsKey("memory"));
            b.emptyTrash();
            return;
        }
        if (opts.containsKey("image")) {
            b.imageCase("given image " + opts.get("image"), opts.get("image"), true, false);
        } else if (!opts.containsKey("no-images")) {
            DataSet.Spec layered = b.quick ? new DataSet.Spec("q-layered", 42, 2000, 5, 0, true)
                    : new DataSet.Spec("layered", 42, 40_000, 5, 4, true);
            DataSet.Spec single = b.quick ? new DataSet.Spec("q-single", 43, 2000, 1, 1, false)
                    : new DataSet.Spec("single", 43, 15_000, 1, 3, false);
            DataSet.ensure(b.work, layered);
            DataSet.ensure(b.work, single);
            b.imageCase("5 layers, gzip", "oci:" + b.work.resolve("oci-" + layered.name() + "-gzip") + ":" + DataSet.REF, true, false);
            b.imageCase("5 layers, zstd", "oci:" + b.work.resolve("oci-" + layered.name() + "-zstd") + ":" + DataSet.REF, false, false);
            b.imageCase("1 large gzip layer", "oci:" + b.work.resolve("oci-" + single.name() + "-gzip") + ":" + DataSet.REF, true, true);
        }
        if (!opts.containsKey("no-dump") && !opts.containsKey("image")) {
            b.dumpCase();
        }
        if (opts.containsKey("memory")) {
            b.memoryCases();
        }
        b.emptyTrash();
    }

    private void header() throws IOException {
        System.out.printf("oci2cfs bench  %s  %s  %d cores  java %s  JVM flags: %s%n",
                ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z")),
                sh("uname -srm").strip(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), String.join(" ", javaOpts));
        System.out.printf("work dir %s; each figure is the median of the runs shown; child processes are timed "
                + "by /usr/bin/time (wall, user+sys CPU, peak RSS)%n", work);
    }

    // ---- child processes -------------------------------------------------------------------------------

    /** One timed child process. */
    record Sample(double wall, double cpu, double sys, long rssKb, String out, int exit) {
    }

    Sample timed(List<String> cmd) throws IOException, InterruptedException {
        Path timeFile = run.resolve("time.txt");
        Path outFile = run.resolve("stdout.txt");
        Path errFile = run.resolve("stderr.txt");
        List<String> full = new ArrayList<>(List.of("/usr/bin/time", "-f", "%U %S %M", "-o", timeFile.toString()));
        full.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(full).redirectOutput(outFile.toFile()).redirectError(errFile.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        long t0 = System.nanoTime();
        int exit = pb.start().waitFor();
        double wall = (System.nanoTime() - t0) / 1e9;
        String[] t = Files.readAllLines(timeFile).stream().filter(l -> l.matches("[0-9. ]+")).findFirst()
                .orElse("0 0 0").trim().split(" ");
        String out = Files.readString(outFile);
        if (exit != 0) {
            String err = Files.readString(errFile);
            System.out.printf("  ! exit %d: %s%n    %s%n", exit, String.join(" ", cmd),
                    err.substring(Math.max(0, err.length() - 600)).replace("\n", "\n    "));
        }
        double sys = Double.parseDouble(t[1]);
        return new Sample(wall, Double.parseDouble(t[0]) + sys, sys, Long.parseLong(t[2]), out, exit);
    }

    /** A row of the table: a command line, what to do before each run, and its samples. */
    final class Row {
        final String label;
        final List<String> cmd;
        final Runnable before;
        final List<Sample> samples = new ArrayList<>();
        final List<Double> inproc = new ArrayList<>();

        Row(String label, List<String> cmd, Runnable before) {
            this.label = label;
            this.cmd = cmd;
            this.before = before;
        }

        void once() throws IOException, InterruptedException {
            if (before != null) {
                before.run();
            }
            Sample s = timed(cmd);
            samples.add(s);
            Double in = inprocSeconds(s.out());
            if (in != null) {
                inproc.add(in);
            }
        }

        double wall() {
            return median(samples.stream().mapToDouble(Sample::wall).toArray());
        }

        double cpu() {
            return median(samples.stream().mapToDouble(Sample::cpu).toArray());
        }

        /** Kernel (system) CPU seconds. */
        double sys() {
            return median(samples.stream().mapToDouble(Sample::sys).toArray());
        }

        long rssMiB() {
            return Math.round(median(samples.stream().mapToDouble(Sample::rssKb).toArray()) / 1024);
        }

        boolean ok() {
            return samples.stream().allMatch(s -> s.exit() == 0);
        }
    }

    /** Seconds measured inside the child: Floor's inproc_ns, or the sum of convert's stageMillis. */
    private static Double inprocSeconds(String out) {
        if (out.startsWith("inproc_ns=")) {
            return Long.parseLong(out.substring(10, out.indexOf(' '))) / 1e9;
        }
        try {
            JsonNode st = JSON.readTree(out).get("stageMillis");
            if (st == null) {
                return null;
            }
            double ms = 0;
            for (JsonNode v : st) {
                ms += v.asDouble();
            }
            return ms / 1000;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Runs every row {@code n} times, interleaved, so drift on a shared machine hits all rows alike. */
    static void runInterleaved(List<Row> rows, int n) throws IOException, InterruptedException {
        for (int i = 0; i < n; i++) {
            for (Row r : rows) {
                r.once();
            }
        }
    }

    /**
     * Makes room for a run's output by moving the previous run's out of the way; {@link #emptyTrash} deletes
     * all of it when the bench ends. Deleting between runs would slow the next runs down: ext4 without a
     * journal (as on this kind of VM) skips inodes deleted in the last 60 s, or 300 s once their inode-table
     * block is dirty again, when it allocates new ones ({@code recently_deleted()} in fs/ext4/ialloc.c); that
     * scan made file creation 10 to 25 times slower here (35 us per file before, 345 to 943 us after deleting
     * some 30,000 files).
     */
    Runnable clean(Path... paths) {
        return () -> {
            try {
                for (Path p : paths) {
                    if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Path trash = p.toAbsolutePath().getParent().resolve(".bench-trash");
                        Files.createDirectories(trash);
                        trashDirs.add(trash);
                        Files.move(p, trash.resolve(p.getFileName() + "-" + System.nanoTime()));
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    private final java.util.Set<Path> trashDirs = new java.util.LinkedHashSet<>();

    /** Deletes the outputs {@link #clean} set aside; called once, when every case has run. */
    void emptyTrash() throws IOException {
        for (Path t : trashDirs) {
            DataSet.deleteTree(t);
        }
        trashDirs.clear();
    }

    private List<String> java(List<String> extraJvm, String... args) {
        List<String> c = new ArrayList<>();
        c.add(JAVA);
        c.addAll(javaOpts);
        c.addAll(extraJvm);
        c.addAll(List.of(args));
        return c;
    }

    List<String> convert(List<String> jvm, String source) {
        List<String> c = java(jvm, "-jar", jar.toString(), "convert", source, run.resolve("out.cfs").toString(),
                "--objects", run.resolve("objects").toString(), "--json");
        c.addAll(extraConvertArgs);
        return c;
    }

    // ---- image cases -----------------------------------------------------------------------------------

    private void imageCase(String title, String source, boolean withUmoci, boolean check85) throws Exception {
        Path layout = source.startsWith("oci:") ? Path.of(source.substring(4).replaceFirst(":[^/:]*$", "")) : null;
        String ref = source.startsWith("oci:") && source.substring(4).matches(".*:[^/:]+$")
                ? source.substring(source.lastIndexOf(':') + 1) : null;
        List<Path> blobs = layout == null ? List.of() : layerBlobs(layout, ref);
        List<Row> rows = new ArrayList<>();
        Row convert = new Row("oci2cfs convert", convert(List.of(), source), clean(run.resolve("objects")));
        rows.add(convert);
        if (!quick && Files.isDirectory(Path.of("/dev/shm"))) {
            // the same conversion with image and objects on tmpfs: what is left is CPU, not the disk's fsyncs
            Path shm = Path.of("/dev/shm/oci2cfs-bench");
            Row tmpfs = new Row("oci2cfs convert, store on tmpfs", new ArrayList<>(convert.cmd), () -> {
                clean(shm).run();
                shm.toFile().mkdirs();
            });
            tmpfs.cmd.replaceAll(a -> a.equals(run.resolve("objects").toString()) ? shm.resolve("objects").toString()
                    : a.equals(run.resolve("out.cfs").toString()) ? shm.resolve("out.cfs").toString() : a);
            rows.add(tmpfs);
        }
        Row c2 = null;
        if (check85 && !quick) {
            c2 = new Row("oci2cfs convert, JVM default flags", new ArrayList<>(convert.cmd), clean(run.resolve("objects")));
            c2.cmd.removeAll(javaOpts);
            rows.add(c2);
        }
        Row jdk = null;
        Row commons = null;
        Row shell = null;
        if (!blobs.isEmpty()) {
            String cp = System.getProperty("java.class.path");
            List<String> files = blobs.stream().map(Path::toString).toList();
            boolean anyGzip = false;
            StringBuilder pipe = new StringBuilder("{ ");
            for (Path b : blobs) {
                String kind = magic(b);
                anyGzip |= kind.equals("gzip");
                pipe.append(kind.equals("gzip") ? "gzip -dc " : kind.equals("zstd") ? "zstd -qdc " : "cat ")
                        .append(b).append("; ");
            }
            pipe.append("} | sha256sum >/dev/null");
            String name = blobs.stream().map(this::magic).distinct().reduce((a, b) -> a + "+" + b).orElse("");
            List<String> floorCmd = new ArrayList<>(java(List.of("-cp", cp), Floor.class.getName(), "jdk"));
            floorCmd.addAll(files);
            jdk = new Row(anyGzip ? "JDK GZIPInputStream only" : "zstd-jni ZstdInputStream only", floorCmd, null);
            rows.add(jdk);
            if (anyGzip) {
                List<String> cc = new ArrayList<>(java(List.of("-cp", cp), Floor.class.getName(), "commons"));
                cc.addAll(files);
                commons = new Row("commons-compress gzip only", cc, null);
                rows.add(commons);
            }
            shell = new Row(name + " -dc | sha256sum", List.of("bash", "-c", pipe.toString()), null);
            rows.add(shell);
        }
        Row unpack = null;
        Row mkcfs = null;
        List<Row> dirRows = List.of();
        boolean gzipOnly = !blobs.isEmpty() && blobs.stream().allMatch(b -> magic(b).equals("gzip"));
        if (withUmoci && umoci != null && mkcomposefs != null && ref != null && gzipOnly) {
            Path bundle = run.resolve("bundle");
            unpack = new Row("umoci unpack", List.of(umoci, "unpack", "--image", layout + ":" + ref, bundle.toString()),
                    clean(bundle));
            mkcfs = new Row("mkcomposefs --digest-store", List.of(mkcomposefs, "--digest-store=" + run.resolve("refobjects"),
                    bundle.resolve("rootfs").toString(), run.resolve("ref.cfs").toString()), clean(run.resolve("refobjects")));
            rows.add(unpack);
            rows.add(mkcfs);
            // The same tree through both tools' directory mode, after the unpack of the same round made it.
            Path rootfs = bundle.resolve("rootfs");
            Path launcher = jar.getParent().getParent().resolve("bin/oci2cfs");
            dirRows = List.of(
                    new Row("oci2cfs mkcomposefs DIR", List.of(launcher.toString(), "mkcomposefs",
                            rootfs.toString(), run.resolve("dir-ours.cfs").toString()), null),
                    new Row("mkcomposefs DIR", List.of(mkcomposefs, rootfs.toString(),
                            run.resolve("dir-ref.cfs").toString()), null),
                    new Row("oci2cfs mkcomposefs --digest-store DIR", List.of(launcher.toString(), "mkcomposefs",
                            "--digest-store=" + run.resolve("dirobjects"), rootfs.toString(),
                            run.resolve("dir-ours.cfs").toString()), clean(run.resolve("dirobjects"))));
            rows.addAll(dirRows);
        }
        runInterleaved(rows, reps);
        Sample first = convert.samples.get(0);
        JsonNode report = first.exit() == 0 ? JSON.readTree(first.out()) : null;
        long tarBytes = report == null ? blobs.stream().mapToLong(BenchMain::size).sum() : report.get("bytesUnpacked").asLong();
        System.out.printf("%n== %s: %s%n", title, source);
        if (report != null) {
            System.out.printf("   %d layers, %d files, %d dirs, %d symlinks; tar %.1f MB, blobs %.1f MB, objects %d (%.1f MB)%n",
                    report.get("layers").asInt(), report.get("files").asLong(), report.get("directories").asLong(),
                    report.get("symlinks").asLong(), tarBytes / 1e6, report.get("bytesRead").asLong() / 1e6,
                    report.get("objectsNew").asLong(), report.get("bytesStored").asLong() / 1e6);
        }
        System.out.printf("   %-38s %7s %7s %8s %9s %10s%n", "what (" + reps + " runs, medians)", "wall s", "cpu s",
                "RSS MiB", "tar MB/s", "conv/this");
        double cw = convert.wall();
        double ci = convert.inproc.isEmpty() ? Double.NaN : median(convert.inproc.stream().mapToDouble(d -> d).toArray());
        for (Row r : rows) {
            if (r == mkcfs || dirRows.contains(r)) {
                continue;
            }
            if (r == unpack) {
                double w = unpack.wall() + mkcfs.wall();
                System.out.printf("   %-38s %7.2f %7.2f %8d %9.1f %10.2f%n", "umoci unpack + mkcomposefs", w,
                        unpack.cpu() + mkcfs.cpu(), Math.max(unpack.rssMiB(), mkcfs.rssMiB()), tarBytes / 1e6 / w, w / cw);
                System.out.printf("   %-38s %7.2f %7.2f %8d%n", "  of which umoci unpack", unpack.wall(), unpack.cpu(), unpack.rssMiB());
                System.out.printf("   %-38s %7.2f %7.2f %8d%n", "  of which mkcomposefs", mkcfs.wall(), mkcfs.cpu(), mkcfs.rssMiB());
                continue;
            }
            System.out.printf("   %-38s %7.2f %7.2f %8d %9.1f %10.2f%s%n", r.label, r.wall(), r.cpu(), r.rssMiB(),
                    tarBytes / 1e6 / r.wall(), r.wall() / cw, r.ok() ? "" : "  FAILED");
            if (!r.inproc.isEmpty()) {
                double in = median(r.inproc.stream().mapToDouble(d -> d).toArray());
                System.out.printf("   %-38s %7.2f %7s %8s %9.1f %10.2f%n", "  in-process (no JVM start)", in, "", "",
                        tarBytes / 1e6 / in, in / ci);
            }
        }
        System.out.println("   conv/this = this row's time / convert's time = convert throughput / this row's; "
                + "in-process rows compare with convert's in-process time (sum of its stageMillis)");
        if (unpack != null) {
            System.out.printf("   speedup over umoci unpack + mkcomposefs: %.2fx wall, %.2fx CPU%n",
                    (unpack.wall() + mkcfs.wall()) / cw, (unpack.cpu() + mkcfs.cpu()) / convert.cpu());
        }
        if (!dirRows.isEmpty()) {
            printDirectoryMode(dirRows, mkcfs);
        }
        if (check85 && jdk != null) {
            double whole = jdk.wall() / cw;
            double in = median(jdk.inproc.stream().mapToDouble(d -> d).toArray()) / ci;
            System.out.printf("   check: convert >= 85%% of JDK gzip-only throughput: whole process %.0f%% %s, "
                    + "in-process %.0f%% %s%n", 100 * whole, whole >= 0.85 ? "PASS" : "FAIL", 100 * in,
                    in >= 0.85 ? "PASS" : "FAIL");
            if (c2 != null) {
                System.out.printf("   with JVM default flags (C2): whole process %.0f%%%n", 100 * jdk.wall() / c2.wall());
            }
        }
    }

    /** Issue 14, target 2: oci2cfs's directory mode against mkcomposefs's on the unpacked rootfs. */
    private void printDirectoryMode(List<Row> dirRows, Row refWithStore) throws IOException {
        Row ours = dirRows.get(0);
        Row ref = dirRows.get(1);
        Row oursWithStore = dirRows.get(2);
        System.out.printf("   mkcomposefs of the unpacked rootfs, whole process (%d runs, medians)%n", ours.samples.size());
        for (Row r : List.of(ours, ref, oursWithStore, refWithStore)) {
            System.out.printf("   %-38s %7.2f %7.2f %8d%s%n", r.label, r.wall(), r.cpu(), r.rssMiB(), r.ok() ? "" : "  FAILED");
        }
        boolean same = Arrays.equals(Files.readAllBytes(run.resolve("dir-ours.cfs")),
                Files.readAllBytes(run.resolve("dir-ref.cfs")));
        System.out.printf("   oci2cfs / mkcomposefs: DIR wall %.2fx, CPU %.2fx; --digest-store DIR wall %.2fx; "
                + "images byte-identical: %s%n", ours.wall() / ref.wall(), ours.cpu() / ref.cpu(),
                oursWithStore.wall() / refWithStore.wall(), same ? "yes" : "NO");
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private String magic(Path blob) {
        try (InputStream in = Files.newInputStream(blob)) {
            byte[] h = in.readNBytes(4);
            if (h.length >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b) {
                return "gzip";
            }
            if (h.length >= 4 && (h[0] & 0xff) == 0x28 && (h[1] & 0xff) == 0xb5) {
                return "zstd";
            }
            return "tar";
        } catch (IOException e) {
            return "tar";
        }
    }

    /** The layer blobs of the manifest {@code ref} names (or the first one) in an OCI layout. */
    private static List<Path> layerBlobs(Path layout, String ref) throws IOException {
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        JsonNode pick = null;
        while (true) {
            for (JsonNode m : index.get("manifests")) {
                JsonNode name = m.path("annotations").get("org.opencontainers.image.ref.name");
                if (pick == null || ref != null && name != null && name.asText().equals(ref)) {
                    pick = m;
                }
            }
            JsonNode doc = JSON.readTree(blob(layout, pick).toFile());
            if (!doc.has("manifests")) {
                List<Path> out = new ArrayList<>();
                doc.get("layers").forEach(l -> out.add(blob(layout, l)));
                return out;
            }
            index = doc;
            pick = null;
        }
    }

    private static Path blob(Path layout, JsonNode descriptor) {
        String[] d = descriptor.get("digest").asText().split(":");
        return layout.resolve("blobs").resolve(d[0]).resolve(d[1]);
    }

    // ---- the batch case --------------------------------------------------------------------------------

    /**
     * Twenty images sharing base layers ({@link DataSet#ensureBatchLayout}), converted by one {@code oci2cfs
     * batch} with its default {@code --jobs}, by one {@code oci2cfs convert} process per image, and by
     * {@code umoci unpack} + {@code mkcomposefs --digest-store} per image; then what the batch wrote to the
     * store against the unique content, and peak RSS.
     */
    private void batchCase() throws Exception {
        DataSet.Spec base = quick ? new DataSet.Spec("q-batch-base", 44, 600, 3, 0, false)
                : new DataSet.Spec("batch-base", 44, 3000, 3, 0, false);
        int n = 20;
        Path layout = DataSet.ensureBatchLayout(work, base, n);
        Path jobs = run.resolve("batch-jobs.txt");
        Path out = run.resolve("batch-images");
        Path objects = run.resolve("batch-objects");
        Path sepOut = run.resolve("separate-images");
        Path sepObjects = run.resolve("separate-objects");
        StringBuilder jobText = new StringBuilder();
        StringBuilder separate = new StringBuilder("set -e\n");
        StringBuilder reference = new StringBuilder("set -e\n");
        for (int i = 0; i < n; i++) {
            String ref = String.format("img%02d", i);
            String source = "oci:" + layout + ":" + ref;
            jobText.append(source).append(' ').append(out.resolve(ref + ".cfs")).append('\n');
            List<String> c = java(List.of(), "-jar", jar.toString(), "convert", source,
                    sepOut.resolve(ref + ".cfs").toString(), "--objects", sepObjects.toString());
            c.addAll(extraConvertArgs);
            separate.append(shellWords(c)).append(" 2>/dev/null\n");
            if (umoci != null && mkcomposefs != null) {
                Path bundle = run.resolve("batch-bundles").resolve(ref);
                reference.append(shellWords(List.of(umoci, "unpack", "--image", layout + ":" + ref, bundle.toString())))
                        .append(" >/dev/null\n").append(shellWords(List.of(mkcomposefs,
                                "--digest-store=" + run.resolve("batch-refobjects"), bundle.resolve("rootfs").toString(),
                                run.resolve("batch-bundles").resolve(ref + ".cfs").toString()))).append('\n');
            }
        }
        Files.writeString(jobs, jobText);
        Path sepScript = Files.writeString(run.resolve("batch-separate.sh"), separate);
        List<String> batchCmd = java(List.of(), "-jar", jar.toString(), "batch", jobs.toString(), "--objects",
                objects.toString(), "--json");
        batchCmd.addAll(extraConvertArgs);
        List<Row> rows = new ArrayList<>();
        Row batch = new Row("oci2cfs batch (default --jobs)", batchCmd, fresh(out, objects));
        Row apart = new Row(n + " oci2cfs convert processes", List.of("bash", sepScript.toString()),
                fresh(sepOut, sepObjects));
        rows.add(batch);
        rows.add(apart);
        Row unpack = null;
        if (umoci != null && mkcomposefs != null) {
            Path refScript = Files.writeString(run.resolve("batch-reference.sh"), reference);
            unpack = new Row(n + "x umoci unpack + mkcomposefs", List.of("bash", refScript.toString()),
                    fresh(run.resolve("batch-bundles"), run.resolve("batch-refobjects")));
            rows.add(unpack);
        }
        runInterleaved(rows, reps);

        long bytesNew = 0;
        long bytesWritten = 0;
        long bytesReused = 0;
        long converted = 0;
        long files = 0;
        for (String line : batch.samples.get(0).out().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode l = JSON.readTree(line);
            bytesNew += l.get("bytesNew").asLong();
            bytesWritten += l.get("bytesWritten").asLong();
            bytesReused += l.get("bytesReused").asLong();
            files += l.get("files").asLong();
            converted += l.get("status").asText().equals("converted") ? 1 : 0;
        }
        long unique = 0;
        long objectCount = 0;
        try (var walk = Files.walk(objects)) {
            for (Path p : (Iterable<Path>) walk.filter(p -> p.getFileName().toString().matches("[0-9a-f]{62}"))::iterator) {
                unique += Files.size(p);
                objectCount++;
            }
        }
        System.out.printf("%n== batch: %d images over shared base layers (%s: %d files in %d layers; each image adds "
                + "151 files)%n", n, base.name(), base.files(), base.layers());
        System.out.printf("   %d converted, %,d files in all; %,d objects%n", converted, files, objectCount);
        System.out.printf("   %-38s %7s %7s %8s %9s %10s%n", "what (" + reps + " runs, medians)", "wall s", "cpu s",
                "RSS MiB", "images/s", "this/batch");
        for (Row r : rows) {
            System.out.printf("   %-38s %7.2f %7.2f %8d %9.2f %10.2f%s%n", r.label, r.wall(), r.cpu(), r.rssMiB(),
                    n / r.wall(), r.wall() / batch.wall(), r.ok() ? "" : "  FAILED");
        }
        if (unpack == null) {
            System.out.printf("   %-38s skipped: %s%n", "umoci unpack + mkcomposefs",
                    umoci == null ? "umoci not found" : "mkcomposefs not found (set MKCOMPOSEFS)");
        }
        System.out.println("   RSS: the batch's one JVM; for the per-image rows the largest single process");
        System.out.printf("   store: %.1f MB added by the batch's jobs, %.1f MB unique content (%d objects); %.1f MB "
                + "written (staged) in all; the images reference %.1f MB in all (%.1f MB of it found in the store "
                + "already): dedup %.2fx%n", bytesNew / 1e6, unique / 1e6, objectCount, bytesWritten / 1e6,
                (bytesNew + bytesReused) / 1e6, bytesReused / 1e6, (bytesNew + bytesReused) / (double) Math.max(1, unique));
        double speedup = apart.wall() / batch.wall();
        System.out.printf("   check: batch >= 1.5x faster than separate processes: %.2fx %s%n", speedup,
                speedup >= 1.5 ? "PASS" : "FAIL");
    }

    /** Before a run: the previous run's outputs set aside, the image directory there again and empty. */
    private Runnable fresh(Path images, Path objects) {
        Runnable clean = clean(images, objects);
        return () -> {
            clean.run();
            images.toFile().mkdirs();
        };
    }

    private static String shellWords(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            b.append(b.length() == 0 ? "" : " ").append("'").append(w.replace("'", "'\\''")).append("'");
        }
        return b.toString();
    }

    // ---- the dump case ---------------------------------------------------------------------------------

    private void dumpCase() throws Exception {
        Path compressed = ErofsBenchmark.dumpPath();
        if (!Files.exists(compressed)) {
            System.out.printf("%n== cs9 dump: %s missing, skipped%n", compressed);
            return;
        }
        Path dump = work.resolve("cs9-x86_64-developer.dump");
        if (!Files.exists(dump)) {
            Files.write(dump, ErofsBenchmark.dumpBytes());
        }
        Path ours = run.resolve("cs9-ours.cfs");
        Path theirs = run.resolve("cs9-ref.cfs");
        List<Row> rows = new ArrayList<>();
        // Through the launcher: its flags for short commands (C1, class-data sharing) are part of the figure.
        Path launcher = jar.getParent().getParent().resolve("bin/oci2cfs");
        Row o = new Row("oci2cfs mkcomposefs --from-file", List.of(launcher.toString(), "mkcomposefs",
                "--from-file", dump.toString(), ours.toString()), null);
        rows.add(o);
        Row r = null;
        if (mkcomposefs != null) {
            r = new Row("reference mkcomposefs --from-file", List.of(mkcomposefs, "--from-file",
                    dump.toString(), theirs.toString()), null);
            rows.add(r);
        }
        int n = quick ? 3 : 5;
        runInterleaved(rows, n);
        long lines;
        try (var s = Files.lines(dump, StandardCharsets.ISO_8859_1)) {
            lines = s.count();
        }
        System.out.printf("%n== cs9 dump (%d entries, %.1f MB) to an image, whole process%n", lines, Files.size(dump) / 1e6);
        System.out.printf("   %-55s %7s %7s %8s%n", "what (" + n + " runs, medians)", "wall s", "cpu s", "RSS MiB");
        for (Row x : rows) {
            System.out.printf("   %-55s %7.2f %7.2f %8d%s%n", x.label, x.wall(), x.cpu(), x.rssMiB(), x.ok() ? "" : "  FAILED");
        }
        if (r != null) {
            boolean same = Arrays.equals(Files.readAllBytes(ours), Files.readAllBytes(theirs));
            System.out.printf("   oci2cfs / mkcomposefs: wall %.2fx, RSS %.2fx; images byte-identical: %s%n",
                    o.wall() / r.wall(), (double) o.rssMiB() / Math.max(1, r.rssMiB()), same ? "yes" : "NO");
        }
    }

    // ---- memory cases ----------------------------------------------------------------------------------

    private void memoryCases() throws Exception {
        long huge = quick ? 512L << 20 : 4L << 30;
        int many = quick ? 100_000 : 1_000_000;
        System.err.println("generating memory-case layers (once) ...");
        Path hugeLayer = DataSet.ensureHugeFileLayer(work, huge);
        Path manyLayer = DataSet.ensureManyFilesLayer(work, many);
        System.out.printf("%n== memory (one run each)%n");
        System.out.printf("   %-48s %7s %7s %8s  %s%n", "case", "wall s", "cpu s", "RSS MiB", "result");
        memoryCase(String.format("one %d MiB file, -Xmx128m", huge >> 20), hugeLayer, List.of("-Xmx128m"),
                rep -> rep.get("files").asLong() == 1 && rep.get("bytesStored").asLong() == huge);
        memoryCase(String.format("%,d small files, -Xmx1g", many), manyLayer, List.of("-Xmx1g"),
                rep -> rep.get("files").asLong() == many);
        // 300 bytes per file of old generation, plus a small young one: a pass bounds everything the heap holds
        // at its peak (the JVM's own objects included) to 300 B per file.
        long oldGen = ((long) many * 300 + (1 << 20) - 1) >> 20;
        String heap = "-Xmx" + (oldGen + 24) + "m";
        memoryCase(String.format("%,d small files, 300 B each: %s -Xmn24m", many, heap), manyLayer,
                List.of(heap, "-Xmn24m"), rep -> rep.get("files").asLong() == many);
    }

    private void memoryCase(String label, Path layer, List<String> jvm, java.util.function.Predicate<JsonNode> check)
            throws Exception {
        clean(run.resolve("objects"), run.resolve("out.cfs")).run();
        Sample s = timed(convert(jvm, layer.toString()));
        boolean pass = false;
        String why = "exit " + s.exit();
        if (s.exit() == 0) {
            JsonNode rep = JSON.readTree(s.out());
            pass = check.test(rep);
            why = "files " + rep.get("files") + ", stored " + rep.get("bytesStored") + " B";
        }
        System.out.printf("   %-48s %7.2f %7.2f %8d  %s (%s)%n", label, s.wall(), s.cpu(), s.rssKb() / 1024,
                pass ? "PASS" : "FAIL", why);
        clean(run.resolve("objects"), run.resolve("out.cfs")).run();
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    static String tool(String name) {
        if (name.contains("/")) {
            return Files.isExecutable(Path.of(name)) ? name : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    private static String sh(String cmd) throws IOException {
        Process p = new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
