package io.oci2cfs.bench;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.io.output.TeeOutputStream;

/**
 * Deterministic (seeded) benchmark inputs, written as OCI layouts or single layer blobs. Everything streams:
 * no file's content is ever held in memory whole, so the 4 GiB case runs in a small heap.
 *
 * <p>The tree: directories of skewed fan-out (a few hubs with hundreds of entries, long thin chains), file
 * sizes log-normal around 2 KiB (most under 4 KiB, a long tail into MiBs) plus a few files of tens of MiB,
 * about 3% symlinks, 0.5% hardlinks, 6% files sharing another's content, some PAX xattrs. Later layers modify
 * and delete files (whiteouts) and make one directory opaque each. Content is text-like (compresses about
 * 3:1), binary-like or incompressible, as in real images.
 */
final class DataSet {
    static final String REF = "bench";
    private static final long EPOCH = 1_700_000_000L;

    /** What to generate; {@link #key} names the result so a work dir can be reused. */
    record Spec(String name, long seed, int files, int layers, int bigFiles, boolean zstd) {
        String key() {
            return name + " seed=" + seed + " files=" + files + " layers=" + layers + " big=" + bigFiles
                    + " zstd=" + zstd + " v1";
        }
    }

    /** A content: regenerated from its seed, so duplicates are just equal descriptors. */
    record Content(long seed, long size, int kind) {
    }

    private final Corpus corpus;

    DataSet(long seed) {
        this.corpus = new Corpus(seed);
    }

    Corpus corpus() {
        return corpus;
    }

    /** Writes {@code dir}/oci-gzip (and oci-zstd if asked) unless a previous run left the same spec there. */
    static void ensure(Path work, Spec spec) throws IOException {
        Path marker = work.resolve(spec.name() + ".done");
        if (Files.exists(marker) && Files.readString(marker).equals(spec.key())) {
            return;
        }
        long t0 = System.nanoTime();
        System.err.printf("generating %s ...%n", spec.key());
        new DataSet(spec.seed()).writeImage(work, spec);
        Files.writeString(marker, spec.key());
        System.err.printf("generated %s in %.1f s%n", spec.name(), (System.nanoTime() - t0) / 1e9);
    }

    // ---- the multi-layer image ------------------------------------------------------------------------

    private record FileDef(String path, int dir, int birth, List<Content> versions) {
    }

    private record Member(char type, Content content, String link, int mode, int uid, long mtime,
            boolean xattr) {
    }

    private void writeImage(Path work, Spec spec) throws IOException {
        SplittableRandom rnd = new SplittableRandom(spec.seed());
        int nDirs = Math.max(8, spec.files() / 16);
        List<String> dirs = new ArrayList<>();
        List<Integer> parent = new ArrayList<>();
        dirs.add("");
        parent.add(-1);
        for (int i = 1; i < nDirs; i++) {
            int p = i < 6 ? 0 : (int) (i * Math.pow(rnd.nextDouble(), 2));
            dirs.add(dirs.get(p) + corpus.word(rnd) + "-" + i + "/");
            parent.add(p);
        }
        List<FileDef> files = new ArrayList<>();
        String[] exts = {"", ".so", ".py", ".txt", ".h", ".json", ".gz", ".conf", ".pyc", ".png"};
        for (int j = 0; j < spec.files(); j++) {
            int d = (int) (nDirs * Math.pow(rnd.nextDouble(), 2.5));
            String ext = exts[rnd.nextInt(exts.length)];
            long size;
            if (j < spec.bigFiles()) {
                size = (16L << 20) + rnd.nextLong(32L << 20);
            } else {
                size = Math.min(48L << 20, (long) Math.exp(Math.log(2048) + 2.0 * rnd.nextGaussian()));
            }
            int kind = ext.equals(".gz") || ext.equals(".png") ? 2 : ext.equals(".so") || ext.equals(".pyc") ? 1
                    : rnd.nextInt(10) < 7 ? 0 : 1;
            Content c = new Content(rnd.nextLong(), size, kind);
            if (j > 0 && rnd.nextInt(100) < 6) {
                c = files.get(rnd.nextInt(j)).versions().get(0); // same bytes under another name
            }
            int birth = spec.layers() == 1 || rnd.nextInt(100) < 55 ? 0 : 1 + rnd.nextInt(spec.layers() - 1);
            List<Content> versions = new ArrayList<>();
            versions.add(c);
            files.add(new FileDef(dirs.get(d) + corpus.word(rnd) + "_" + j + ext, d, birth, versions));
        }
        boolean[] dead = new boolean[files.size()];
        List<Layer> layers = new ArrayList<>();
        for (int k = 0; k < spec.layers(); k++) {
            TreeMap<String, Member> m = new TreeMap<>();
            if (k > 0) {
                int opaque = nDirs / 2 + rnd.nextInt(nDirs - nDirs / 2);
                m.put(dirs.get(opaque) + ".wh..wh..opq", new Member('0', null, null, 0644, 0, EPOCH, false));
                for (int j = 0; j < files.size(); j++) {
                    if (files.get(j).birth() < k && files.get(j).path().startsWith(dirs.get(opaque))) {
                        dead[j] = true;
                    }
                }
            }
            for (int j = 0; j < files.size(); j++) {
                FileDef f = files.get(j);
                if (dead[j] || f.birth() > k) {
                    continue;
                }
                Content c = f.versions().get(0);
                if (f.birth() < k) {
                    int r = rnd.nextInt(1000);
                    if (r < 15) {
                        dead[j] = true;
                        int slash = f.path().lastIndexOf('/');
                        m.put(f.path().substring(0, slash + 1) + ".wh." + f.path().substring(slash + 1),
                                new Member('0', null, null, 0644, 0, EPOCH, false));
                        continue;
                    }
                    if (r >= 60) {
                        continue;
                    }
                    c = new Content(rnd.nextLong(), c.size(), c.kind());
                }
                long mtime = EPOCH + k * 86_400L + rnd.nextInt(86_400);
                int uid = rnd.nextInt(20) == 0 ? 1000 : 0;
                int mode = f.path().endsWith(".so") || f.path().indexOf('.') < 0 ? 0755 : 0644;
                m.put(f.path(), new Member('0', c, null, mode, uid, mtime, rnd.nextInt(100) == 0));
                if (rnd.nextInt(200) == 0) {
                    m.put(f.path() + ".hardlink", new Member('1', null, f.path(), mode, uid, mtime, false));
                }
                if (rnd.nextInt(33) == 0) {
                    String target = rnd.nextBoolean() ? f.path().substring(f.path().lastIndexOf('/') + 1)
                            : "/" + files.get(rnd.nextInt(files.size())).path();
                    m.put(f.path() + ".link", new Member('2', null, target, 0777, 0, mtime, false));
                }
            }
            layers.add(new Layer(m));
        }
        writeLayout(work, spec, layers);
    }

    private final class Layer {
        final TreeMap<String, Member> members;

        Layer(TreeMap<String, Member> members) {
            this.members = members;
        }

        void write(TarArchiveOutputStream tar) throws IOException {
            java.util.Set<String> done = new java.util.HashSet<>();
            for (Map.Entry<String, Member> e : members.entrySet()) {
                String path = e.getKey();
                for (int s = path.indexOf('/'); s >= 0; s = path.indexOf('/', s + 1)) {
                    String dir = path.substring(0, s + 1);
                    if (done.add(dir)) {
                        TarArchiveEntry d = new TarArchiveEntry(dir, TarArchiveEntry.LF_DIR);
                        d.setMode(040755);
                        d.setModTime(EPOCH * 1000);
                        tar.putArchiveEntry(d);
                        tar.closeArchiveEntry();
                    }
                }
                Member m = e.getValue();
                TarArchiveEntry t = new TarArchiveEntry(path, (byte) m.type());
                t.setModTime(m.mtime() * 1000);
                t.setIds(m.uid(), m.uid());
                if (m.type() == '2' || m.type() == '1') {
                    t.setLinkName(m.link());
                    t.setMode((m.type() == '2' ? 0120000 : 0100000) | m.mode());
                } else {
                    t.setMode(0100000 | m.mode());
                    t.setSize(m.content() == null ? 0 : m.content().size());
                }
                if (m.xattr()) {
                    t.addPaxHeader("SCHILY.xattr.user.bench", "v" + path.length());
                }
                tar.putArchiveEntry(t);
                if (m.content() != null) {
                    corpus.write(m.content(), tar);
                }
                tar.closeArchiveEntry();
            }
        }
    }

    static TarArchiveOutputStream tar(OutputStream out) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, 1 << 16);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        return tar;
    }

    private record Blob(String hex, long size) {
    }

    private void writeLayout(Path work, Spec spec, List<Layer> layers) throws IOException {
        Path gz = work.resolve("oci-" + spec.name() + "-gzip");
        Path zst = work.resolve("oci-" + spec.name() + "-zstd");
        List<Path> outs = spec.zstd() ? List.of(gz, zst) : List.of(gz);
        for (Path o : outs) {
            deleteTree(o);
            Files.createDirectories(o.resolve("blobs/sha256"));
        }
        List<String> diffIds = new ArrayList<>();
        List<Blob> gzBlobs = new ArrayList<>();
        List<Blob> zsBlobs = new ArrayList<>();
        for (Layer layer : layers) {
            Path gzTmp = gz.resolve("blobs/sha256/tmp");
            Path zsTmp = zst.resolve("blobs/sha256/tmp");
            try (DigestOut gzFile = new DigestOut(Files.newOutputStream(gzTmp));
                    DigestOut zsFile = spec.zstd() ? new DigestOut(Files.newOutputStream(zsTmp)) : null) {
                GZIPOutputStream gzip = new GZIPOutputStream(gzFile, 1 << 16); // Deflater level 6 (the default)
                OutputStream zstd = spec.zstd() ? new ZstdOutputStream(zsFile, 3) : OutputStream.nullOutputStream();
                DigestOut tarOut = new DigestOut(new TeeOutputStream(gzip, zstd));
                TarArchiveOutputStream tar = tar(tarOut);
                layer.write(tar);
                tar.finish();
                tarOut.flush();
                gzip.finish();
                zstd.close();
                diffIds.add(tarOut.hex());
                gzBlobs.add(publish(gzTmp, gzFile));
                if (spec.zstd()) {
                    zsBlobs.add(publish(zsTmp, zsFile));
                }
            }
        }
        writeManifest(gz, diffIds, gzBlobs, "application/vnd.oci.image.layer.v1.tar+gzip");
        if (spec.zstd()) {
            writeManifest(zst, diffIds, zsBlobs, "application/vnd.oci.image.layer.v1.tar+zstd");
        }
    }

    private static Blob publish(Path tmp, DigestOut out) throws IOException {
        out.close();
        String hex = out.hex();
        Files.move(tmp, tmp.resolveSibling(hex), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return new Blob(hex, out.count);
    }

    private static void writeManifest(Path dir, List<String> diffIds, List<Blob> layers, String mediaType)
            throws IOException {
        String d = manifestOf(dir, diffIds, layers, mediaType);
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[" + d.substring(0, d.length() - 1)
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + REF + "\"}}]}");
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    /** Writes the config and manifest blobs of an image of {@code layers}; returns the manifest's descriptor. */
    private static String manifestOf(Path dir, List<String> diffIds, List<Blob> layers, String mediaType)
            throws IOException {
        StringBuilder ids = new StringBuilder();
        for (String id : diffIds) {
            ids.append(ids.length() == 0 ? "" : ",").append("\"sha256:").append(id).append('"');
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[" + ids + "]}}").getBytes(StandardCharsets.UTF_8);
        Blob cfg = put(dir, config);
        StringBuilder ls = new StringBuilder();
        for (Blob b : layers) {
            ls.append(ls.length() == 0 ? "" : ",").append(descriptor(mediaType, b));
        }
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":" + descriptor("application/vnd.oci.image.config.v1+json", cfg) + ",\"layers\":[" + ls
                + "]}").getBytes(StandardCharsets.UTF_8);
        return descriptor("application/vnd.oci.image.manifest.v1+json", put(dir, manifest));
    }

    private static String descriptor(String mediaType, Blob b) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"sha256:" + b.hex() + "\",\"size\":" + b.size() + "}";
    }

    private static Blob put(Path dir, byte[] data) throws IOException {
        String hex = HexFormat.of().formatHex(sha256().digest(data));
        Files.write(dir.resolve("blobs/sha256/" + hex), data);
        return new Blob(hex, data.length);
    }

    // ---- the batch case ---------------------------------------------------------------------------------

    /**
     * {@code work/oci-batch-NAME}: one OCI layout holding {@code images} images (refs {@code img00}, ...) over
     * the layers of {@code base}'s gzip image: even images take all its layers, odd ones the first two, and
     * each adds a layer of its own (150 files of a few KiB and one of 2 MiB). The base blobs are hard links
     * to those of the base layout.
     */
    static Path ensureBatchLayout(Path work, Spec base, int images) throws IOException {
        ensure(work, base);
        Path dir = work.resolve("oci-batch-" + base.name());
        Path marker = work.resolve("batch-" + base.name() + ".done");
        String key = base.key() + " images=" + images + " batch v1";
        if (Files.exists(marker) && Files.readString(marker).equals(key)) {
            return dir;
        }
        deleteTree(dir);
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        Path src = work.resolve("oci-" + base.name() + "-gzip");
        try (var s = Files.list(src.resolve("blobs/sha256"))) {
            for (Path b : s.toList()) {
                Files.createLink(blobs.resolve(b.getFileName()), b);
            }
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        var baseIndex = json.readTree(src.resolve("index.json").toFile());
        var baseManifest = json.readTree(blobs.resolve(baseIndex.at("/manifests/0/digest").asText().substring(7)).toFile());
        var baseConfig = json.readTree(blobs.resolve(baseManifest.at("/config/digest").asText().substring(7)).toFile());
        List<Blob> baseBlobs = new ArrayList<>();
        List<String> baseDiffIds = new ArrayList<>();
        baseManifest.get("layers").forEach(l -> baseBlobs.add(new Blob(l.get("digest").asText().substring(7),
                l.get("size").asLong())));
        baseConfig.at("/rootfs/diff_ids").forEach(d -> baseDiffIds.add(d.asText().substring(7)));
        DataSet data = new DataSet(base.seed() + 1000);
        SplittableRandom rnd = new SplittableRandom(base.seed() + 2000);
        StringBuilder index = new StringBuilder();
        for (int i = 0; i < images; i++) {
            TreeMap<String, Member> m = new TreeMap<>();
            String app = String.format("app-%02d/", i);
            for (int j = 0; j < 150; j++) {
                long size = Math.min(1 << 20, (long) Math.exp(Math.log(4096) + rnd.nextGaussian()));
                m.put(app + "f" + j + (j % 3 == 0 ? ".so" : ".py"), new Member('0',
                        new Content(rnd.nextLong(), size, j % 3 == 0 ? 1 : 0), null, 0644, 0, EPOCH, false));
            }
            m.put(app + "big.bin", new Member('0', new Content(rnd.nextLong(), 2 << 20, 1), null, 0644, 0, EPOCH, false));
            Path tmp = blobs.resolve("tmp");
            String diffId;
            Blob own;
            try (DigestOut file = new DigestOut(Files.newOutputStream(tmp))) {
                GZIPOutputStream gzip = new GZIPOutputStream(file, 1 << 16);
                DigestOut tarOut = new DigestOut(gzip);
                TarArchiveOutputStream tar = tar(tarOut);
                data.new Layer(m).write(tar);
                tar.finish();
                tarOut.flush();
                gzip.finish();
                diffId = tarOut.hex();
                own = publish(tmp, file);
            }
            int shared = i % 2 == 0 ? baseBlobs.size() : Math.min(2, baseBlobs.size());
            List<Blob> layers = new ArrayList<>(baseBlobs.subList(0, shared));
            layers.add(own);
            List<String> diffIds = new ArrayList<>(baseDiffIds.subList(0, shared));
            diffIds.add(diffId);
            String manifest = manifestOf(dir, diffIds, layers, "application/vnd.oci.image.layer.v1.tar+gzip");
            index.append(index.length() == 0 ? "" : ",").append(manifest, 0, manifest.length() - 1)
                    .append(",\"annotations\":{\"org.opencontainers.image.ref.name\":\"")
                    .append(String.format("img%02d", i)).append("\"}}");
        }
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[" + index + "]}");
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(marker, key);
        return dir;
    }

    // ---- memory cases ----------------------------------------------------------------------------------

    /** Writes a tar's members into a layer. */
    @FunctionalInterface
    private interface Members {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    /** {@code work/name} as a zstd (level 3) layer of what {@code members} writes, unless it exists already. */
    private static Path ensureZstdLayer(Path work, String name, Members members) throws IOException {
        Path out = work.resolve(name);
        if (!Files.exists(out)) {
            Path tmp = work.resolve("tmp.tar.zst");
            try (TarArchiveOutputStream tar = tar(new ZstdOutputStream(
                    new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16), 3))) {
                members.write(tar);
                tar.finish();
            }
            Files.move(tmp, out);
        }
        return out;
    }

    /** One zstd layer holding one file of {@code size} bytes: 4 KiB of noise per MiB, the rest zeros. */
    static Path ensureHugeFileLayer(Path work, long size) throws IOException {
        return ensureZstdLayer(work, "mem-onefile-" + size + ".tar.zst", tar -> {
            SplittableRandom rnd = new SplittableRandom(7);
            TarArchiveEntry e = new TarArchiveEntry("data/huge.bin");
            e.setSize(size);
            e.setModTime(EPOCH * 1000);
            tar.putArchiveEntry(e);
            byte[] mib = new byte[1 << 20];
            for (long left = size; left > 0; left -= mib.length) {
                noise(rnd, mib, 4096);
                tar.write(mib, 0, (int) Math.min(mib.length, left));
            }
            tar.closeArchiveEntry();
        });
    }

    /**
     * {@code work/oci-NAME}, an OCI layout whose image has the zstd {@code layer} as its only layer (hard-linked
     * as its blob), unless it exists already: what the registry memory case pushes.
     */
    static Path ensureLayoutOf(Path work, Path layer) throws IOException {
        Path dir = work.resolve("oci-" + layer.getFileName().toString().replace(".tar.zst", ""));
        if (Files.exists(dir.resolve("index.json"))) {
            return dir;
        }
        deleteTree(dir);
        Files.createDirectories(dir.resolve("blobs/sha256"));
        MessageDigest blob = sha256();
        DigestOut tar = new DigestOut(OutputStream.nullOutputStream());
        try (InputStream in = new java.security.DigestInputStream(Files.newInputStream(layer), blob);
                InputStream un = new com.github.luben.zstd.ZstdInputStream(in)) {
            un.transferTo(tar);
            in.transferTo(OutputStream.nullOutputStream());
        }
        Blob b = new Blob(HexFormat.of().formatHex(blob.digest()), Files.size(layer));
        Files.createLink(dir.resolve("blobs/sha256/" + b.hex()), layer);
        writeManifest(dir, List.of(tar.hex()), List.of(b), "application/vnd.oci.image.layer.v1.tar+zstd");
        return dir;
    }

    /** One zstd layer of {@code count} small files (0-2 KiB) in directories of 1000, from 30000 distinct contents. */
    static Path ensureManyFilesLayer(Path work, int count) throws IOException {
        return ensureZstdLayer(work, "mem-files-" + count + ".tar.zst", tar -> {
            Corpus corpus = new Corpus(11);
            SplittableRandom rnd = new SplittableRandom(11);
            for (int i = 0; i < count; i++) {
                if (i % 1000 == 0) {
                    TarArchiveEntry d = new TarArchiveEntry(String.format("d%05d/", i / 1000), TarArchiveEntry.LF_DIR);
                    d.setModTime(EPOCH * 1000);
                    tar.putArchiveEntry(d);
                    tar.closeArchiveEntry();
                }
                int pick = rnd.nextInt(30_000);
                Content c = new Content(pick, (pick * 7919L) % 2048, 0);
                TarArchiveEntry e = new TarArchiveEntry(String.format("d%05d/file-%07d.txt", i / 1000, i));
                e.setSize(c.size());
                e.setModTime(EPOCH * 1000);
                tar.putArchiveEntry(e);
                corpus.write(c, tar);
                tar.closeArchiveEntry();
            }
        });
    }

    /** Fills {@code b[0, len)} (len a multiple of 8) with seeded noise. */
    static void noise(SplittableRandom rnd, byte[] b, int len) {
        for (int i = 0; i < len; i += 8) {
            long v = rnd.nextLong();
            for (int k = 0; k < 8; k++) {
                b[i + k] = (byte) (v >>> (8 * k));
            }
        }
    }

    // ---- content ---------------------------------------------------------------------------------------

    /** 8 MiB of text-like bytes and 8 MiB of noise that file contents are cut from. */
    static final class Corpus {
        private static final int SIZE = 8 << 20;
        final byte[] text = new byte[SIZE];
        final byte[] noise = new byte[SIZE];
        private final String[] words = new String[4096];

        Corpus(long seed) {
            SplittableRandom rnd = new SplittableRandom(seed ^ 0x5eed);
            for (int i = 0; i < words.length; i++) {
                StringBuilder w = new StringBuilder();
                for (int n = 2 + rnd.nextInt(9); n > 0; n--) {
                    w.append((char) ('a' + rnd.nextInt(26)));
                }
                words[i] = w.toString();
            }
            ByteArrayOutputStream t = new ByteArrayOutputStream(SIZE + 64);
            while (t.size() < SIZE) {
                String w = word(rnd);
                t.writeBytes(w.getBytes(StandardCharsets.US_ASCII));
                int r = rnd.nextInt(100);
                t.write(r < 8 ? '\n' : r < 10 ? '(' : r < 13 ? ',' : r < 15 ? '0' + rnd.nextInt(10) : ' ');
            }
            System.arraycopy(t.toByteArray(), 0, text, 0, SIZE);
            noise(rnd, noise, SIZE);
        }

        /** A word, Zipf-ish: a few very common. */
        String word(SplittableRandom rnd) {
            return words[(int) (words.length * Math.pow(rnd.nextDouble(), 3))];
        }

        /** Streams a content: 0 text-like, 1 binary-like (noise, zeros and text mixed), 2 incompressible. */
        void write(Content c, OutputStream out) throws IOException {
            SplittableRandom rnd = new SplittableRandom(c.seed());
            for (long left = c.size(); left > 0; ) {
                int n = (int) Math.min(left, 512 + rnd.nextInt(c.kind() == 1 ? 4096 : 32768));
                byte[] src = c.kind() == 2 || (c.kind() == 1 && rnd.nextInt(3) == 0) ? noise : text;
                if (c.kind() == 1 && rnd.nextInt(4) == 0) {
                    out.write(new byte[n]);
                } else {
                    out.write(src, rnd.nextInt(SIZE - n), n);
                }
                left -= n;
            }
        }
    }

    // ---- plumbing --------------------------------------------------------------------------------------

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Counts and SHA-256s what passes through. */
    static final class DigestOut extends FilterOutputStream {
        final MessageDigest md = sha256();
        long count;

        DigestOut(OutputStream out) {
            super(new BufferedOutputStream(out, 1 << 16));
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            md.update(b, off, len);
            count += len;
            out.write(b, off, len);
        }

        String hex() {
            return HexFormat.of().formatHex(md.digest());
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
