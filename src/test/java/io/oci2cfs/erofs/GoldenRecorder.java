package io.oci2cfs.erofs;

import io.oci2cfs.erofs.DifferentialCases.Case;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Records {@code src/test/resources/differential/golden.tsv} by running the reference mkcomposefs 1.0.8
 * (not needed by the tests themselves). While recording it also builds each image with our writer and
 * compares, printing every disagreement and keeping its dump under {@code /tmp/oci2cfs-diff/}.
 *
 * <p>Usage (from the project root, after {@code mvn test-compile} and
 * {@code mvn dependency:build-classpath -Dmdep.outputFile=cp.txt}):
 * {@code java -cp target/test-classes:target/classes:$(cat cp.txt) io.oci2cfs.erofs.GoldenRecorder
 * [/opt/ref-composefs/bin/mkcomposefs] [src/test/resources/differential/golden.tsv]}
 */
public final class GoldenRecorder {
    /** Seeds per profile. */
    static int seeds(String profile) {
        return switch (profile) {
            case "bigdir" -> 12;
            case "fail" -> 28;
            case "root" -> 24;
            case "whiteout", "mixed", "hardlink" -> 16;
            default -> 20;
        };
    }

    /** Version flag variants (min, max; "-" = not given) per profile. */
    static List<String[]> variants(String profile) {
        List<String[]> v = new ArrayList<>(List.of(new String[] {"-", "-"}, new String[] {"-", "0"}));
        if (List.of("whiteout", "mixed", "hardlink").contains(profile)) {
            v.add(new String[] {"1", "-"});
            v.add(new String[] {"0", "1"});
        }
        return v;
    }

    /** Refused cases kept per non-fail profile (the others are dropped and reported). */
    static final int KEEP_REFUSED = 2;

    public static void main(String[] args) throws Exception {
        String ref = args.length > 0 ? args[0] : "/opt/ref-composefs/bin/mkcomposefs";
        Path tsv = Path.of(args.length > 1 ? args[1] : "src/test/resources/differential/golden.tsv");
        Path work = Files.createDirectories(Path.of("/tmp/oci2cfs-diff"));
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        List<String> rows = new ArrayList<>();
        int compared = 0, matched = 0, dropped = 0;
        for (String profile : DumpGenerator.PROFILES) {
            int refusedKept = 0;
            List<Future<String[]>> jobs = new ArrayList<>();
            for (int seed = 1; seed <= seeds(profile); seed++) {
                for (String[] v : variants(profile)) {
                    Case c = new Case(profile + "-" + seed + "-" + v[0] + v[1], profile, seed, v[0], v[1], "");
                    jobs.add(pool.submit(() -> runOne(ref, work, c)));
                }
            }
            for (Future<String[]> f : jobs) {
                String[] res = f.get(); // id, profile, seed, min, max, refSha, oursSha, message
                compared++;
                boolean same = res[5].equals(res[6]);
                if (same) {
                    matched++;
                } else {
                    System.out.println("MISMATCH " + String.join(" ", Arrays.copyOf(res, 5)) + " ref=" + res[5]
                            + " ours=" + res[6] + " " + res[7]);
                }
                if (res[5].equals(DifferentialCases.REFUSED) && !profile.equals("fail")) {
                    System.out.println("refused " + res[0] + ": " + res[7] + (same ? "" : " (ours accepted)"));
                    if (refusedKept++ >= KEEP_REFUSED) {
                        dropped++;
                        continue;
                    }
                }
                rows.add(String.join("\t", Arrays.copyOf(res, 6)));
            }
        }
        pool.shutdown();
        List<String> out = new ArrayList<>();
        out.add("# Recorded by GoldenRecorder with CFS_PARSE_STRICT=1 " + ref + " (composefs 1.0.8)");
        out.add("# id\tprofile\tseed\tmin\tmax\tsha256");
        out.addAll(rows);
        Files.write(tsv, out, StandardCharsets.UTF_8);
        System.out.printf("compared %d, matched %d, mismatched %d, dropped refused %d, recorded %d%n", compared,
                matched, compared - matched, dropped, rows.size());
    }

    private static String[] runOne(String ref, Path work, Case c) throws IOException, InterruptedException {
        byte[] dump = DumpGenerator.generate(c.profile(), c.seed());
        Path d = work.resolve(c.id() + ".dump");
        Path img = work.resolve(c.id() + ".cfs");
        Path log = work.resolve(c.id() + ".log");
        Files.write(d, dump);
        List<String> cmd = new ArrayList<>(List.of(ref, "--from-file"));
        cmd.addAll(c.flags());
        cmd.add(d.toString());
        cmd.add(img.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("CFS_PARSE_STRICT", "1");
        Files.deleteIfExists(img);
        int rc = pb.start().waitFor();
        String msg = Files.readString(log).trim().replace('\n', ' ');
        String refSha = rc == 0 ? DifferentialCases.sha256(Files.readAllBytes(img)) : DifferentialCases.REFUSED;
        byte[] ours;
        try {
            ours = DifferentialCases.build(dump, c.versions());
        } catch (RuntimeException e) {
            ours = null;
            msg += " [ours threw " + e + "]";
        }
        String ourSha = ours == null ? DifferentialCases.REFUSED : DifferentialCases.sha256(ours);
        if (refSha.equals(ourSha)) {
            Files.deleteIfExists(d);
            Files.deleteIfExists(img);
            Files.deleteIfExists(log);
        } else if (ours != null) {
            Files.write(work.resolve(c.id() + ".ours.cfs"), ours);
        }
        return new String[] {c.id(), c.profile(), Long.toString(c.seed()), c.min(), c.max(), refSha, ourSha, msg};
    }
}
