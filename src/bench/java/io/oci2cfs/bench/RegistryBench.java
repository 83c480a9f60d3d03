package io.oci2cfs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.oci2cfs.registry.LoopbackRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.stream.Stream;

/**
 * {@code bin/bench --registry}: the 5-layer image served by Debian's {@code docker-registry} on loopback, pulled
 * directly and through a {@link ThrottleProxy} of 40 MB/s, against {@code convert oci:}, {@code skopeo copy}
 * and the reference pipeline. With {@code --memory}, a 1 GiB layer pulled at {@code -Xmx256m} while the
 * working and temporary directories are watched for blob files.
 */
final class RegistryBench {
    static final long PROXY_RATE = 40_000_000;
    private static final String REF_MKCOMPOSEFS = "/opt/ref-composefs/bin/mkcomposefs";

    private final BenchMain bench;
    private final Path policy;

    RegistryBench(BenchMain bench) throws IOException {
        this.bench = bench;
        this.policy = bench.run.resolve("policy.json");
        Files.writeString(policy, "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
    }

    void run(boolean images, boolean memory) throws Exception {
        for (String tool : List.of("docker-registry", "skopeo")) {
            if (!LoopbackRegistry.installed(tool)) {
                System.out.printf("%n== registry: %s is not installed (apt-get install docker-registry skopeo), "
                        + "skipped%n", tool);
                return;
            }
        }
        DataSet.Spec layered = bench.quick ? new DataSet.Spec("q-layered", 42, 2000, 5, 0, true)
                : new DataSet.Spec("layered", 42, 40_000, 5, 4, true);
        DataSet.ensure(bench.work, layered);
        Path layout = bench.work.resolve("oci-" + layered.name() + "-gzip");
        Path data = bench.run.resolve("registry");
        bench.clean(data).run();
        Files.createDirectories(data);
        try (LoopbackRegistry registry = LoopbackRegistry.start(bench.run, data, "", "");
                ThrottleProxy proxy = new ThrottleProxy(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), registry.port()), PROXY_RATE)) {
            registry.seed(bench.run, "oci:" + layout + ":" + DataSet.REF, "bench/" + layered.name() + ":" + DataSet.REF);
            String name = "/bench/" + layered.name() + ":" + DataSet.REF;
            if (images) {
                imageCase(layout, "docker://" + registry.host() + name, "docker://127.0.0.1:" + proxy.port() + name);
            }
            if (memory) {
                memoryCase(registry);
            }
        }
    }

    private void imageCase(Path layout, String direct, String throttled) throws Exception {
        Path objects = bench.run.resolve("objects");
        Path pulled = bench.run.resolve("pulled");
        Path bundle = bench.run.resolve("bundle");
        var local = bench.new Row("convert oci:", bench.convert(List.of(), "oci:" + layout + ":" + DataSet.REF),
                bench.clean(objects));
        var remote = bench.new Row("convert docker://", bench.convert(List.of(), direct), bench.clean(objects));
        var slow = bench.new Row("convert docker:// via proxy", bench.convert(List.of(), throttled), bench.clean(objects));
        var copy = bench.new Row("skopeo copy via proxy to oci:", List.of("skopeo", "--policy", policy.toString(),
                "copy", "-q", "--src-tls-verify=false", throttled, "oci:" + pulled + ":" + DataSet.REF), bench.clean(pulled));
        List<BenchMain.Row> rows = new ArrayList<>(List.of(local, remote, slow, copy));
        String mkcomposefs = bench.mkcomposefs != null ? bench.mkcomposefs : BenchMain.tool(REF_MKCOMPOSEFS);
        BenchMain.Row unpack = null;
        BenchMain.Row mkcfs = null;
        if (bench.umoci != null && mkcomposefs != null) {
            // after the skopeo row in each round, so they read the layout it has just pulled
            unpack = bench.new Row("umoci unpack", List.of(bench.umoci, "unpack", "--image", pulled + ":" + DataSet.REF,
                    bundle.toString()), bench.clean(bundle));
            mkcfs = bench.new Row("mkcomposefs --digest-store", List.of(mkcomposefs, "--digest-store="
                    + bench.run.resolve("refobjects"), bundle.resolve("rootfs").toString(),
                    bench.run.resolve("ref.cfs").toString()), bench.clean(bench.run.resolve("refobjects")));
            rows.add(unpack);
            rows.add(mkcfs);
        }
        BenchMain.runInterleaved(rows, bench.reps);

        JsonNode report = remote.ok() ? BenchMain.JSON.readTree(remote.samples.get(0).out()) : null;
        System.out.printf("%n== registry: 5 layers, gzip, from docker-registry on loopback; proxy %d MB/s%n",
                PROXY_RATE / 1_000_000);
        if (report != null) {
            System.out.printf("   %s: %d layers, blobs %.1f MB, tar %.1f MB%n", direct, report.get("layers").asInt(),
                    report.get("bytesRead").asLong() / 1e6, report.get("bytesUnpacked").asLong() / 1e6);
        }
        System.out.printf("   %-38s %7s %7s %8s%n", "what (" + bench.reps + " runs, medians)", "wall s", "cpu s", "RSS MiB");
        for (BenchMain.Row r : rows) {
            System.out.printf("   %-38s %7.2f %7.2f %8d%s%n", r.label, r.wall(), r.cpu(), r.rssMiB(), r.ok() ? "" : "  FAILED");
        }
        double direct1 = remote.wall() / local.wall();
        System.out.printf("   check: convert docker:// / convert oci: = %.2fx (goal <= 1.15) %s%n", direct1,
                verdict(direct1 <= 1.15, remote, local));
        double longer = Math.max(copy.wall(), local.wall());
        double viaProxy = slow.wall() / longer;
        System.out.printf("   check: via proxy, convert docker:// / max(skopeo copy %.2f s, convert oci: %.2f s) = %.2fx "
                + "(goal <= 1.15) %s; / (skopeo copy + convert oci:) = %.2fx%n", copy.wall(), local.wall(), viaProxy,
                verdict(viaProxy <= 1.15, slow, copy, local), slow.wall() / (copy.wall() + local.wall()));
        if (unpack != null) {
            double reference = copy.wall() + unpack.wall() + mkcfs.wall();
            double speedup = reference / slow.wall();
            System.out.printf("   check: via proxy, (skopeo copy + umoci unpack + mkcomposefs %.2f s) / convert docker:// "
                    + "= %.2fx faster (goal >= 4) %s%n", reference, speedup, verdict(speedup >= 4, slow, copy, unpack, mkcfs));
        } else {
            System.out.printf("   reference pipeline skipped: %s not found (set MKCOMPOSEFS / UMOCI)%n",
                    bench.umoci == null ? "umoci" : "mkcomposefs (nor " + REF_MKCOMPOSEFS + ")");
        }
    }

    private static String verdict(boolean pass, BenchMain.Row... rows) {
        return Stream.of(rows).allMatch(BenchMain.Row::ok) ? pass ? "PASS" : "FAIL" : "FAIL (a run failed)";
    }

    /**
     * One file of 1 GiB (256 MiB with {@code --quick}) in one zstd layer, pulled at {@code -Xmx256m}; passes
     * when the file is stored whole and no new file of 1 MiB or more appears outside the object store while it runs.
     */
    private void memoryCase(LoopbackRegistry registry) throws Exception {
        long size = bench.quick ? 256L << 20 : 1L << 30;
        Path layout = DataSet.ensureLayoutOf(bench.work, DataSet.ensureHugeFileLayer(bench.work, size));
        registry.seed(bench.run, "oci:" + layout + ":" + DataSet.REF, "bench/huge:" + DataSet.REF);
        Path tmp = bench.run.resolve("tmp");
        Path objects = bench.run.resolve("objects");
        bench.clean(objects, tmp, bench.run.resolve("out.cfs")).run();
        Files.createDirectories(tmp);
        Path cwd = Path.of("").toAbsolutePath();
        Set<String> before = new ConcurrentSkipListSet<>();
        for (Path dir : List.of(bench.run, tmp, cwd)) {
            bigFiles(dir, objects, before);
        }
        Set<String> seen = new ConcurrentSkipListSet<>();
        Thread watch = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                for (Path dir : List.of(bench.run, tmp, cwd)) {
                    bigFiles(dir, objects, seen);
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "blob-watch");
        watch.setDaemon(true);
        watch.start();
        BenchMain.Sample s;
        try {
            s = bench.timed(bench.convert(List.of("-Xmx256m", "-Djava.io.tmpdir=" + tmp),
                    "docker://" + registry.host() + "/bench/huge:" + DataSet.REF));
        } finally {
            watch.interrupt();
            watch.join();
        }
        seen.removeAll(before);
        boolean stored = false;
        String why = "exit " + s.exit();
        if (s.exit() == 0) {
            JsonNode rep = BenchMain.JSON.readTree(s.out());
            stored = rep.get("files").asLong() == 1 && rep.get("bytesStored").asLong() == size;
            why = "stored " + rep.get("bytesStored") + " B";
        }
        boolean pass = stored && seen.isEmpty();
        System.out.printf("%n== registry memory: one %d MiB file in one zstd layer, convert docker:// at -Xmx256m%n", size >> 20);
        System.out.printf("   wall %.2f s, cpu %.2f s, peak RSS %d MiB; %s; files >= 1 MiB outside the store while it "
                + "ran (in %s, %s, %s): %s; %s%n", s.wall(), s.cpu(), s.rssKb() / 1024, why, bench.run, tmp, cwd,
                seen.isEmpty() ? "none" : seen, pass ? "PASS" : "FAIL");
        bench.clean(objects, tmp, bench.run.resolve("out.cfs")).run();
    }

    /** Adds to {@code seen} each regular file of 1 MiB or more under {@code dir}, but not under {@code store}. */
    private void bigFiles(Path dir, Path store, Set<String> seen) {
        Path registryData = bench.run.resolve("registry");
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(p -> !p.startsWith(store) && !p.startsWith(registryData) && !p.toString().contains(".bench-trash"))
                    .forEach(p -> {
                        try {
                            if (Files.isRegularFile(p) && Files.size(p) >= (1 << 20)) {
                                seen.add(p.toString());
                            }
                        } catch (IOException ignored) {
                            // gone between listing and reading its size
                        }
                    });
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // a directory vanished while walked; the next round sees the new state
        }
    }
}
