package io.oci2cfs.erofs;

import io.oci2cfs.dump.DumpException;
import io.oci2cfs.dump.DumpReader;
import io.oci2cfs.tree.Node;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The rows of {@code differential/golden.tsv} and how our side builds each one. */
final class DifferentialCases {
    static final String REFUSED = "REFUSED";

    /** One case: {@code min}/{@code max} are the flags given to mkcomposefs, "-" when not given. */
    record Case(String id, String profile, long seed, String min, String max, String sha256) {
        FormatVersion versions() {
            return FormatVersion.fromFlags(min.equals("-") ? null : Integer.valueOf(min),
                    max.equals("-") ? null : Integer.valueOf(max));
        }

        List<String> flags() {
            List<String> f = new ArrayList<>();
            if (!min.equals("-")) {
                f.add("--min-version=" + min);
            }
            if (!max.equals("-")) {
                f.add("--max-version=" + max);
            }
            return f;
        }

        String tsv() {
            return String.join("\t", id, profile, Long.toString(seed), min, max, sha256);
        }

        @Override
        public String toString() {
            return id + " (" + profile + " seed " + seed + " min " + min + " max " + max + ")";
        }
    }

    private DifferentialCases() {
    }

    static List<Case> load() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = DifferentialCases.class.getResourceAsStream("/differential/golden.tsv")) {
            if (in == null) {
                return cases;
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                cases.add(new Case(f[0], f[1], Long.parseLong(f[2]), f[3], f[4], f[5]));
            }
        }
        return cases;
    }

    /** Our image for a dump, or null when our side refuses it (strict parsing, like CFS_PARSE_STRICT=1). */
    static byte[] build(byte[] dump, FormatVersion versions) throws IOException {
        try {
            Node root = DumpReader.read(dump, true);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ErofsWriter.write(root, versions, out);
            return out.toByteArray();
        } catch (DumpException | UnrepresentableTreeException e) {
            return null;
        }
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
