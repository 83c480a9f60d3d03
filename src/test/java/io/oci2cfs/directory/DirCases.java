package io.oci2cfs.directory;

import io.oci2cfs.erofs.ErofsWriter;
import io.oci2cfs.erofs.FormatVersion;
import io.oci2cfs.tree.TreeOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** Rows of {@code differential/golden-dir.tsv}: seed, mkcomposefs flags (space separated, "-" = none), sha256. */
final class DirCases {
    static final List<String> FLAG_SETS = List.of("-", "--use-epoch", "--skip-xattrs", "--user-xattrs",
            "--skip-devices", "--use-epoch --skip-devices --user-xattrs", "--max-version=0",
            "--skip-xattrs --min-version=1");
    static final int SEEDS = 2;

    record Case(long seed, String flags, String sha256) {
        List<String> flagList() {
            return flags.equals("-") ? List.of() : Arrays.asList(flags.split(" "));
        }

        @Override
        public String toString() {
            return "seed " + seed + " " + flags;
        }
    }

    private DirCases() {
    }

    static List<Case> load() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = DirCases.class.getResourceAsStream("/differential/golden-dir.tsv")) {
            if (in == null) {
                return cases;
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] f = line.split("\t");
                    cases.add(new Case(Long.parseLong(f[0]), f[1], f[2]));
                }
            }
        }
        return cases;
    }

    /** Our image of {@code dir} through DirectoryScanner + ErofsWriter, with the given mkcomposefs flags. */
    static byte[] build(Path dir, List<String> flags) throws IOException {
        Integer min = null, max = null;
        boolean epoch = false, skipDev = false, skipX = false, userX = false;
        for (String f : flags) {
            switch (f.replaceFirst("=.*", "")) {
                case "--use-epoch" -> epoch = true;
                case "--skip-devices" -> skipDev = true;
                case "--skip-xattrs" -> skipX = true;
                case "--user-xattrs" -> userX = true;
                case "--min-version" -> min = Integer.valueOf(f.substring(f.indexOf('=') + 1));
                case "--max-version" -> max = Integer.valueOf(f.substring(f.indexOf('=') + 1));
                default -> throw new IllegalArgumentException(f);
            }
        }
        TreeOptions opts = new TreeOptions(epoch, skipX, userX, skipDev, true);
        DirectoryScanner.Scanned s = DirectoryScanner.scan(dir, opts, 2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ErofsWriter.write(s.root(), FormatVersion.fromFlags(min, max), out);
        return out.toByteArray();
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
