package io.oci2cfs.directory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Records {@code src/test/resources/differential/golden-dir.tsv} by running the reference
 * {@code mkcomposefs [FLAGS] DIR IMAGE} (1.0.8) on {@link DirTreeBuilder} trees, comparing with our side
 * as it goes. Needs root. Build the trees on the filesystem the tests use ({@code java.io.tmpdir}).
 * Run it like {@link io.oci2cfs.erofs.GoldenRecorder}.
 */
public final class DirGoldenRecorder {
    public static void main(String[] args) throws Exception {
        String ref = args.length > 0 ? args[0] : "/opt/ref-composefs/bin/mkcomposefs";
        Path tsv = Path.of(args.length > 1 ? args[1] : "src/test/resources/differential/golden-dir.tsv");
        List<String> rows = new ArrayList<>();
        int compared = 0, matched = 0;
        for (long seed = 1; seed <= DirCases.SEEDS; seed++) {
            Path dir = Files.createTempDirectory("dirtree");
            String why = DirTreeBuilder.build(dir, seed);
            if (why != null) {
                throw new IllegalStateException(why);
            }
            for (String flags : DirCases.FLAG_SETS) {
                DirCases.Case c = new DirCases.Case(seed, flags, "");
                Path img = Files.createTempFile("ref", ".cfs");
                List<String> cmd = new ArrayList<>(List.of(ref));
                cmd.addAll(c.flagList());
                cmd.add(dir.toString());
                cmd.add(img.toString());
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String msg = new String(p.getInputStream().readAllBytes()).trim();
                String refSha = p.waitFor() == 0 ? DirCases.sha256(Files.readAllBytes(img)) : "REFUSED";
                String ours = DirCases.sha256(DirCases.build(dir, c.flagList()));
                compared++;
                if (ours.equals(refSha)) {
                    matched++;
                    Files.delete(img);
                } else {
                    System.out.println("MISMATCH " + c + " ref=" + refSha + " ours=" + ours + " " + msg + " tree " + dir
                            + " image " + img);
                }
                rows.add(seed + "\t" + flags + "\t" + refSha);
            }
        }
        List<String> out = new ArrayList<>();
        out.add("# Recorded by DirGoldenRecorder: " + ref + " [flags] DIR IMAGE (composefs 1.0.8), as root, on ext4");
        out.add("# seed\tflags\tsha256");
        out.addAll(rows);
        Files.write(tsv, out, StandardCharsets.UTF_8);
        System.out.printf("compared %d, matched %d%n", compared, matched);
    }
}
