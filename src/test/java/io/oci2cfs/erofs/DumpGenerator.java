package io.oci2cfs.erofs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Deterministic generator of composefs dump files for differential tests against mkcomposefs 1.0.8.
 *
 * <p>{@code generate(profile, seed)} always returns the same bytes for the same arguments (only
 * {@link SplittableRandom} is used, never hash-order dependent collections). Each profile pushes a group of
 * layout edges listed in docs/composefs-erofs-format.md, §18. The generator never
 * emits fields whose meaning is undefined in C (Q6): all 11 fields are always written and a DIGEST is
 * either {@code -} or exactly 64 hex digits. Output is valid in {@code CFS_PARSE_STRICT} mode except in the
 * {@code fail} profile, which produces inputs the reference refuses.
 *
 * <p>Changing this class changes the dumps, so the golden digests in
 * {@code src/test/resources/differential/golden.tsv} must then be re-recorded with {@link GoldenRecorder}.
 */
public final class DumpGenerator {
    public static final List<String> PROFILES = List.of("names", "bigdir", "content", "symlink", "bigfile", "ids",
            "xattr", "whiteout", "hardlink", "special", "root", "mixed", "fail");

    private static final int S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000, S_IFBLK = 0060000,
            S_IFDIR = 0040000, S_IFCHR = 0020000, S_IFIFO = 0010000;
    private static final long TWO43 = 1L << 43;

    /** One generated inode or hardlink line. */
    static final class G {
        byte[] name;
        G parent;
        int mode; // full st_mode
        long size;
        long nlink = 1;
        long uid;
        long gid;
        long rdev;
        String mtime = "0.0";
        byte[] payload; // symlink target, redirect payload or hardlink target path
        byte[] content;
        String digest;
        boolean hardlink;
        G linkTarget;
        final Map<String, byte[]> xattrs = new LinkedHashMap<>(); // key: ISO-8859-1 name
        final List<G> children = new ArrayList<>();
        final Set<String> names = new HashSet<>();

        boolean isDir() {
            return !hardlink && (mode & 0170000) == S_IFDIR;
        }

        byte[] path() {
            if (parent == null) {
                return "/".getBytes(StandardCharsets.ISO_8859_1);
            }
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            List<G> chain = new ArrayList<>();
            for (G g = this; g.parent != null; g = g.parent) {
                chain.add(0, g);
            }
            for (G g : chain) {
                o.write('/');
                o.writeBytes(g.name);
            }
            return o.toByteArray();
        }
    }

    private final SplittableRandom r;
    private final String profile;
    private final G root = new G();
    private final List<G> dirs = new ArrayList<>();
    private final List<G> linkable = new ArrayList<>(); // nodes a hardlink may point at
    private final List<String> mtimes = new ArrayList<>();
    private final List<String[]> pool = new ArrayList<>(); // shared xattr pool: name, value (ISO-8859-1)
    private String rawTail = ""; // extra raw lines (fail profile)

    private final long seed;

    private DumpGenerator(String profile, long seed) {
        this.profile = profile;
        this.seed = seed;
        // Mix the profile into the seed so that the same seed in two profiles gives unrelated streams.
        this.r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + profile.hashCode());
    }

    public static byte[] generate(String profile, long seed) {
        if (!PROFILES.contains(profile)) {
            throw new IllegalArgumentException("unknown profile " + profile);
        }
        return new DumpGenerator(profile, seed).run();
    }

    // ------------------------------------------------------------------------------------------------ build

    private byte[] run() {
        root.mode = S_IFDIR | 0755;
        root.size = 4096;
        root.nlink = 2;
        dirs.add(root);
        int nm = 1 + r.nextInt(4);
        String[] candidates = {"0.0", "1700000000.0", "1700000000.123456789", "1.999999999", "-1.0",
            "-86400.500000000", "-2208988800.1", "4294967296.7", "253402300799.999999999", "1234.5"};
        for (int i = 0; i < nm; i++) {
            mtimes.add(candidates[r.nextInt(candidates.length)]);
        }
        root.mtime = mtime();
        int np = 1 + r.nextInt(12);
        for (int i = 0; i < np; i++) {
            pool.add(new String[] {xattrName(), latin(randBytes(r.nextInt(24), r.nextBoolean()))});
        }
        switch (profile) {
            case "names" -> names();
            case "bigdir" -> bigdir();
            case "content" -> content();
            case "symlink" -> symlinks();
            case "bigfile" -> bigfiles();
            case "ids" -> ids();
            case "xattr" -> xattrs();
            case "whiteout" -> whiteouts();
            case "hardlink" -> hardlinks();
            case "special" -> specials();
            case "root" -> rootEdge();
            case "mixed" -> mixed();
            case "fail" -> fail();
            default -> throw new AssertionError(profile);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        emit(root, out);
        out.writeBytes(rawTail.getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private void names() {
        String[] edge = {"+x", "-x", ".a", "a.", "..a", "...", ".-", ",", "-", "a", "A", "_", "~", "a b", "a=b",
            "back\\slash", "tab\tname", "nl\nname", "00", "0f", "ff", "7f", "fe", "\u00e9", "\u00ff", "\u0080x",
            ".\u00ff", "x.y", ".hidden", "%", "*", "'", "\"", "{}", "@", "#"};
        for (int d = 0; d < 1 + r.nextInt(4); d++) {
            G dir = d == 0 ? root : dir(pickDir(), null);
            for (String e : edge) {
                if (r.nextInt(3) > 0) {
                    randomLeaf(dir, latin1(e));
                }
            }
            for (int i = 0; i < r.nextInt(30); i++) {
                randomLeaf(dir, null);
            }
        }
        sprinkleXattrs(0.2);
    }

    private void bigdir() {
        int ndirs = 1 + r.nextInt(3);
        for (int d = 0; d < ndirs; d++) {
            G dir = r.nextInt(4) == 0 ? root : dir(pickDir(), null);
            int n = r.nextInt(5) == 0 ? 2000 + r.nextInt(2001) : 100 + r.nextInt(700);
            int maxLen = r.nextBoolean() ? 255 : 1 + r.nextInt(60);
            for (int i = 0; i < n; i++) {
                byte[] nm = r.nextInt(8) == 0 ? randName(255, 255) : randName(1, maxLen);
                G c = r.nextInt(10) == 0 ? dir(dir, nm) : reg(dir, nm, 0);
                if (c != null && r.nextInt(50) == 0) {
                    setXattr(c, pool.get(r.nextInt(pool.size())));
                }
            }
        }
        if (r.nextBoolean()) {
            sprinkleXattrs(0.1);
        }
    }

    private static final int[] EDGE_SIZES = {0, 1, 64, 65, 2047, 2048, 2049, 4095, 4096, 4097, 5000};

    private void content() {
        int n = 3 + r.nextInt(25);
        for (int i = 0; i < n; i++) {
            G dir = r.nextInt(3) == 0 ? root : pickDirOrNew();
            int size = r.nextInt(3) == 0 ? 1 + r.nextInt(5000) : EDGE_SIZES[r.nextInt(EDGE_SIZES.length)];
            G f = inline(dir, null, size);
            if (f != null && r.nextInt(3) == 0) {
                xattrsOn(f, 1 + r.nextInt(6), r.nextInt(4) == 0 ? 600 : 40);
            }
            if (r.nextInt(4) == 0) {
                randomLeaf(dir, null);
            }
        }
        if (r.nextInt(3) == 0) {
            sprinkleXattrs(0.3);
        }
    }

    private void symlinks() {
        int n = 2 + r.nextInt(12);
        for (int i = 0; i < n; i++) {
            G dir = r.nextInt(2) == 0 ? root : pickDirOrNew();
            int len = r.nextInt(4) == 0 ? 1 + r.nextInt(3000) : 3000 + r.nextInt(1096);
            if (r.nextInt(6) == 0) {
                len = 4095 - r.nextInt(4);
            }
            G s = symlink(dir, null, len);
            if (s != null && r.nextInt(2) == 0) {
                // inode + xattrs + target crossing 4096
                int budget = Math.max(8, 4200 - len);
                xattrsOn(s, 1 + r.nextInt(4), budget / 3);
            }
            for (int k = r.nextInt(4); k > 0; k--) {
                randomLeaf(dir, null);
            }
        }
        if (r.nextInt(3) == 0) {
            sprinkleXattrs(0.2);
        }
    }

    private void bigfiles() {
        long[] sizes = {1, 4095, 4096, 4097, 1L << 32, (1L << 32) - 1, TWO43 - 1, TWO43, TWO43 + 1, 2 * TWO43,
            2 * TWO43 + 1, 1L << 53, (1L << 53) - 1, 1017 * TWO43, 1017 * TWO43 + 1, 1018 * TWO43, 1019 * TWO43 - 5,
            1023 * TWO43 + 1};
        int n = 1 + r.nextInt(10);
        for (int i = 0; i < n; i++) {
            G dir = r.nextInt(2) == 0 ? root : pickDirOrNew();
            long size = r.nextInt(3) == 0 ? 1 + r.nextLong(1L << 53) : sizes[r.nextInt(sizes.length)];
            G f = external(dir, null, size);
            if (f != null && r.nextInt(3) == 0) {
                xattrsOn(f, 1 + r.nextInt(3), 30);
            }
            if (r.nextInt(3) == 0) {
                randomLeaf(dir, null);
            }
        }
    }

    private void ids() {
        long[] ids = {0, 1, 1000, 65534, 65535, 65536, 100000, 4294967294L, 4294967295L};
        int n = 5 + r.nextInt(30);
        for (int i = 0; i < n; i++) {
            G c = randomLeaf(r.nextInt(3) == 0 ? root : pickDirOrNew(), null);
            if (c == null || c.hardlink) {
                continue;
            }
            if (r.nextInt(2) == 0) {
                c.uid = ids[r.nextInt(ids.length)];
            }
            if (r.nextInt(2) == 0) {
                c.gid = ids[r.nextInt(ids.length)];
            }
            if (!c.isDir() && r.nextInt(2) == 0) {
                c.nlink = ids[r.nextInt(ids.length)];
            }
        }
        if (r.nextInt(3) == 0) {
            root.uid = ids[r.nextInt(ids.length)];
            root.gid = ids[r.nextInt(ids.length)];
        }
        for (G d : dirs) {
            if (d != root && r.nextBoolean()) {
                d.uid = ids[r.nextInt(ids.length)];
            }
        }
    }

    private void xattrs() {
        int n = 5 + r.nextInt(20);
        for (int i = 0; i < n; i++) {
            randomLeaf(r.nextInt(3) == 0 ? root : pickDirOrNew(), null);
        }
        sprinkleXattrs(0.7);
        if (r.nextInt(2) == 0) {
            root.xattrs.put("security.selinux", latin1("system_u:object_r:root_t:s0" + (r.nextBoolean() ? "\0" : "")));
        }
        List<G> all = new ArrayList<>();
        collect(root, all);
        if (r.nextInt(2) == 0) {
            // > 128 shared xattrs on two or more nodes
            int k = 129 + r.nextInt(80);
            List<String[]> big = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                big.add(new String[] {"user.s" + i + "." + r.nextInt(1000), "v" + r.nextInt(100)});
            }
            int holders = 2 + r.nextInt(3);
            for (int h = 0; h < holders; h++) {
                G g = all.get(r.nextInt(all.size()));
                for (String[] kv : big) {
                    if (h == 0 || r.nextInt(8) > 0) {
                        setXattr(g, kv);
                    }
                }
            }
        }
        for (int i = 0; i < 3; i++) {
            G g = all.get(r.nextInt(all.size()));
            switch (r.nextInt(6)) {
                case 0 -> g.xattrs.put("system.posix_acl_access", acl());
                case 1 -> g.xattrs.put("system.posix_acl_default", acl());
                case 2 -> g.xattrs.put("trusted.overlay.redirect", latin1("/somewhere/else"));
                case 3 -> g.xattrs.put("trusted.overlay.overlay.x", latin1("nested"));
                case 4 -> g.xattrs.put("user.overlay.redirect", latin1("/u"));
                default -> g.xattrs.put("security.capability", randBytes(20, false));
            }
        }
    }

    private void whiteouts() {
        int n = 2 + r.nextInt(12);
        for (int i = 0; i < n; i++) {
            G dir = r.nextInt(3) == 0 ? root : pickDirOrNew();
            byte[] nm = r.nextInt(4) == 0 ? latin1(String.format("%02x", r.nextInt(256))) : null;
            G w = special(dir, nm, S_IFCHR | (r.nextBoolean() ? 0644 : 0), 0);
            if (w != null && r.nextInt(4) == 0) {
                w.size = r.nextInt(3); // honggfuzz-chardev-nonzero-size
            }
            if (w != null && r.nextInt(4) == 0) {
                xattrsOn(w, 1, 20);
            }
            if (r.nextInt(2) == 0) {
                randomLeaf(dir, null);
            }
            if (r.nextInt(5) == 0 && dir.xattrs.size() < 3) {
                // originals colliding with the write-time additions, with short values (Q7 stays away)
                String[] names = {"trusted.overlay.opaque", "user.overlay.opaque", "trusted.overlay.whiteouts",
                    "user.overlay.whiteouts"};
                dir.xattrs.put(names[r.nextInt(names.length)], latin1(r.nextBoolean() ? "y" : ""));
            }
        }
        if (r.nextInt(2) == 0) {
            hardlinkSome(1 + r.nextInt(3));
        }
        sprinkleXattrs(0.1);
    }

    private void hardlinks() {
        int n = 4 + r.nextInt(15);
        for (int i = 0; i < n; i++) {
            randomLeaf(r.nextInt(3) == 0 ? root : pickDirOrNew(), null);
        }
        hardlinkSome(1 + r.nextInt(10));
        sprinkleXattrs(0.2);
    }

    private void specials() {
        int n = 3 + r.nextInt(20);
        int[] types = {S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK};
        for (int i = 0; i < n; i++) {
            G dir = r.nextInt(2) == 0 ? root : pickDirOrNew();
            int t = types[r.nextInt(types.length)];
            long rdev = (t == S_IFCHR || t == S_IFBLK) ? switch (r.nextInt(4)) {
                case 0 -> 1 + r.nextInt(0xffff);
                case 1 -> 107690;
                case 2 -> 4294967295L;
                default -> 1 + r.nextLong(4294967295L);
            } : 0;
            G s = special(dir, null, t | perms(), rdev);
            if (s != null && r.nextInt(6) == 0) {
                s.size = r.nextBoolean() ? 5 : 4294967296L + r.nextInt(10); // Q3
            }
            if (s != null && r.nextInt(4) == 0) {
                xattrsOn(s, 1 + r.nextInt(3), 30);
            }
        }
        sprinkleXattrs(0.1);
    }

    /** Root with many, often long, children and big root xattrs: root tail padding and root nid moves. */
    private void rootEdge() {
        int n = r.nextInt(3) == 0 ? r.nextInt(40) : 1 + r.nextInt(120);
        int maxLen = 1 + r.nextInt(255);
        for (int i = 0; i < n; i++) {
            byte[] nm = randName(Math.max(1, maxLen - 20), maxLen);
            if (r.nextInt(5) == 0) {
                dir(root, nm);
            } else {
                reg(root, nm, 0);
            }
        }
        int rootX = r.nextInt(3);
        for (int i = 0; i < rootX + 1; i++) {
            root.xattrs.put("user.big" + i, latin1(printable(200 + r.nextInt(1400))));
        }
        if (r.nextBoolean()) {
            root.xattrs.put("security.selinux", latin1("system_u:object_r:container_file_t:s0"));
        }
        if (r.nextBoolean()) {
            sprinkleXattrs(0.3);
        }
    }

    private void mixed() {
        int n = 10 + r.nextInt(60);
        for (int i = 0; i < n; i++) {
            G dir = r.nextInt(3) == 0 ? root : pickDirOrNew();
            switch (r.nextInt(10)) {
                case 0 -> inline(dir, null, EDGE_SIZES[r.nextInt(EDGE_SIZES.length)]);
                case 1 -> symlink(dir, null, 1 + r.nextInt(4095));
                case 2 -> external(dir, null, 1 + r.nextLong(1L << 53));
                case 3 -> special(dir, null, S_IFCHR | 0644, 0);
                default -> randomLeaf(dir, null);
            }
        }
        if (r.nextBoolean()) {
            hardlinkSome(1 + r.nextInt(4));
        }
        sprinkleXattrs(0.3);
        if (r.nextInt(4) == 0) {
            root.xattrs.put("security.selinux", latin1("system_u:object_r:usr_t:s0"));
        }
    }

    /** Inputs the reference refuses; the kind is chosen by the seed. */
    private void fail() {
        for (int i = 0; i < 3; i++) {
            randomLeaf(root, null);
        }
        String t = " 0 100644 1 0 0 0 0.0 - - -\n";
        switch ((int) Math.floorMod(seed, 14L)) { // every kind is hit by 14 consecutive seeds
            case 0 -> rawTail = "/big 5001 100644 1 0 0 0 0.0 - " + esc(randBytes(5001, true)) + " -\n";
            case 1 -> rawTail = "/l 4096 120777 1 0 0 0 0.0 " + "a".repeat(4096) + " - -\n";
            case 2 -> rawTail = "/huge " + ((1L << 53) + 1) + " 100644 1 0 0 0 0.0 - - -\n";
            case 3 -> rawTail = "/self 0 @100644 1 0 0 0 0.0 /self - -\n";
            case 4 -> rawTail = "/dirlink 0 @40755 1 0 0 0 0.0 / - -\n";
            case 5 -> rawTail = "/x" + t + "/x 0 100644 1 0 0 0 0.0 - - - =value\n";
            case 6 -> rawTail = "/nodir/child" + t;
            case 7 -> rawTail = "/nomode 0 644 1 0 0 0 0.0 - - -\n";
            case 8 -> rawTail = "/dup" + t + "/dup" + t;
            case 9 -> rawTail = "/." + t;
            case 10 -> rawTail = "/nonl" + t.substring(0, t.length() - 1); // strict: missing newline
            case 11 -> rawTail = "/bigx" + t.substring(0, t.length() - 1) + " user.a=" + "v".repeat(32000)
                    + " user.b=" + "w".repeat(800) + "\n";
            case 12 -> {
                // Q7: v1, a whiteout in a directory whose original user.overlay.opaque is long
                rawTail = "/q7 4096 40755 2 0 0 0 0.0 - - - user.overlay.opaque=" + "o".repeat(300) + "\n"
                        + "/q7/wh 0 20644 1 0 0 0 0.0 - - -\n";
            }
            default -> rawTail = "/nolink 0 @100644 1 0 0 0 0.0 /missing/target - -\n";
        }
    }

    // ------------------------------------------------------------------------------------------ node makers

    private G add(G dir, byte[] name, G g) {
        if (name == null) {
            for (int i = 0; i < 20; i++) {
                name = r.nextInt(10) == 0 ? randName(200, 255) : randName(1, 24);
                if (!dir.names.contains(latin(name))) {
                    break;
                }
            }
        }
        String key = latin(name);
        if (key.equals(".") || key.equals("..") || key.isEmpty() || dir.names.contains(key)) {
            return null;
        }
        dir.names.add(key);
        g.name = name;
        g.parent = dir;
        if (g.mtime.equals("0.0")) {
            g.mtime = mtime();
        }
        dir.children.add(g);
        return g;
    }

    private G dir(G parent, byte[] name) {
        G g = new G();
        g.mode = S_IFDIR | (r.nextInt(8) == 0 ? 01777 : 0755);
        g.size = r.nextBoolean() ? 4096 : 0;
        g.nlink = 2 + r.nextInt(3); // ignored by the writer
        G d = add(parent, name, g);
        if (d != null) {
            dirs.add(d);
        }
        return d;
    }

    private G reg(G dir, byte[] name, long size) {
        G g = new G();
        g.mode = S_IFREG | perms();
        g.size = size;
        G f = add(dir, name, g);
        if (f != null) {
            linkable.add(f);
        }
        return f;
    }

    private G inline(G dir, byte[] name, int size) {
        G f = reg(dir, name, size);
        if (f != null && size > 0) {
            f.content = randBytes(size, r.nextInt(3) > 0);
            if (r.nextInt(4) == 0) {
                f.digest = hex64();
            }
        }
        return f;
    }

    private G external(G dir, byte[] name, long size) {
        G f = reg(dir, name, size);
        if (f == null) {
            return null;
        }
        int p = r.nextInt(5);
        String hex = hex64();
        if (p < 3) {
            f.digest = r.nextInt(3) == 0 ? hex.toUpperCase() : hex;
        }
        switch (r.nextInt(5)) {
            case 0 -> f.payload = null;
            case 1 -> f.payload = latin1("/abs/" + printable(1 + r.nextInt(40))); // Q4
            case 2 -> f.payload = latin1(printable(r.nextInt(3) == 0 ? 4000 : 1 + r.nextInt(60)));
            default -> f.payload = latin1(hex.substring(0, 2) + "/" + hex.substring(2));
        }
        return f;
    }

    private G symlink(G dir, byte[] name, int len) {
        G g = new G();
        g.mode = S_IFLNK | 0777;
        byte[] t = randBytes(len, true);
        for (int i = 0; i < t.length; i++) {
            if (t[i] == 0) {
                t[i] = '/';
            }
        }
        g.payload = t;
        g.size = len;
        G s = add(dir, name, g);
        if (s != null) {
            linkable.add(s);
        }
        return s;
    }

    private G special(G dir, byte[] name, int mode, long rdev) {
        G g = new G();
        g.mode = mode;
        g.rdev = rdev;
        G s = add(dir, name, g);
        if (s != null) {
            linkable.add(s);
        }
        return s;
    }

    private G randomLeaf(G dir, byte[] name) {
        return switch (r.nextInt(12)) {
            case 0, 1, 2 -> reg(dir, name, 0);
            case 3, 4 -> inline(dir, name, 1 + r.nextInt(r.nextInt(4) == 0 ? 5000 : 100));
            case 5, 6 -> external(dir, name, 1 + r.nextLong(r.nextInt(3) == 0 ? 1L << 53 : 1L << 20));
            case 7 -> symlink(dir, name, 1 + r.nextInt(r.nextInt(4) == 0 ? 4095 : 60));
            case 8 -> dir(dir, name);
            case 9 -> special(dir, name, (r.nextBoolean() ? S_IFIFO : S_IFSOCK) | perms(), 0);
            case 10 -> special(dir, name, (r.nextBoolean() ? S_IFCHR : S_IFBLK) | perms(), 1 + r.nextInt(70000));
            default -> special(dir, name, S_IFCHR | 0, 0); // whiteout
        };
    }

    private void hardlinkSome(int n) {
        List<G> links = new ArrayList<>();
        for (int i = 0; i < n && !linkable.isEmpty(); i++) {
            G target = r.nextInt(4) == 0 && !links.isEmpty() ? links.get(r.nextInt(links.size()))
                    : linkable.get(r.nextInt(linkable.size()));
            G g = new G();
            g.hardlink = true;
            G t = target;
            while (t.hardlink) {
                t = t.linkTarget;
            }
            g.mode = (t.mode & 0170000) == S_IFCHR && t.rdev == 0 ? (S_IFCHR | 0644) : t.mode;
            g.payload = target.path();
            g.linkTarget = target;
            G h = add(pickDir(), null, g);
            if (h != null) {
                links.add(h);
                if (!t.isDir() && r.nextBoolean()) {
                    t.nlink = 2 + r.nextInt(3);
                }
            }
        }
    }

    // --------------------------------------------------------------------------------------------- xattrs

    private void sprinkleXattrs(double p) {
        List<G> all = new ArrayList<>();
        collect(root, all);
        for (G g : all) {
            if (g.hardlink || r.nextDouble() >= p) {
                continue;
            }
            int k = 1 + r.nextInt(4);
            for (int i = 0; i < k; i++) {
                if (r.nextInt(3) > 0) {
                    setXattr(g, pool.get(r.nextInt(pool.size())));
                } else {
                    setXattr(g, new String[] {xattrName(), latin(randBytes(r.nextInt(40), r.nextBoolean()))});
                }
            }
        }
    }

    private void xattrsOn(G g, int n, int maxValue) {
        for (int i = 0; i < n; i++) {
            setXattr(g, new String[] {xattrName(), latin(randBytes(r.nextInt(Math.max(1, maxValue)), false))});
        }
    }

    private void setXattr(G g, String[] kv) {
        int cost = 12;
        int text = 0;
        for (Map.Entry<String, byte[]> e : g.xattrs.entrySet()) {
            cost += 7 + e.getKey().length() + e.getValue().length;
            text += 4 * (e.getKey().length() + e.getValue().length) + 2;
        }
        byte[] v = latin1(kv[1]);
        if (cost + 7 + kv[0].length() + v.length > 30000 || text + 4 * (kv[0].length() + v.length) > 60000) {
            return;
        }
        g.xattrs.put(kv[0], v);
    }

    private String xattrName() {
        String[] prefixes = {"user.", "user.", "trusted.", "security.", "trusted.overlay.", "user.overlay.",
            "trusted.overlay.overlay.", "lustre.", "system.posix_acl_access", "system.posix_acl_default"};
        String p = prefixes[r.nextInt(prefixes.length)];
        if (p.startsWith("system.")) {
            return r.nextInt(3) == 0 ? p + "X" : p;
        }
        String[] suffixes = {"foo", "bar", "a", "metacopy", "redirect", "opaque", "origin", "x.y", "selinux"};
        String s = r.nextInt(2) == 0 ? suffixes[r.nextInt(suffixes.length)] : printable(1 + r.nextInt(20));
        if (p.startsWith("user.overlay.") || p.startsWith("trusted.overlay.")) {
            // avoid the names the writer adds (whiteout/opaque bookkeeping, Q7) outside the whiteout profile
            if (s.equals("opaque")) {
                s = "opaque2";
            }
        }
        return p + s.replace("=", "_");
    }

    private byte[] acl() {
        // struct posix_acl_xattr_header { u32 version = 2 } + entries { u16 tag, u16 perm, u32 id }
        int n = 3 + r.nextInt(3);
        byte[] b = new byte[4 + 8 * n];
        b[0] = 2;
        for (int i = 0; i < n; i++) {
            int o = 4 + 8 * i;
            b[o] = (byte) (1 << Math.min(i, 5));
            b[o + 2] = (byte) r.nextInt(8);
            b[o + 4] = (byte) r.nextInt(256);
        }
        return b;
    }

    // ------------------------------------------------------------------------------------------- emission

    private void emit(G g, ByteArrayOutputStream out) {
        StringBuilder sb = new StringBuilder();
        sb.append(esc(g.path()));
        if (g.hardlink) {
            sb.append(" 0 @").append(Integer.toOctalString(g.mode)).append(" 1 0 0 0 0.0 ")
                    .append(esc(g.payload)).append(" - -");
        } else {
            int type = g.mode & 0170000;
            boolean dev = type == S_IFCHR || type == S_IFBLK;
            sb.append(' ').append(Long.toUnsignedString(g.size)).append(' ').append(Integer.toOctalString(g.mode))
                    .append(' ').append(g.nlink).append(' ').append(g.uid).append(' ').append(g.gid).append(' ')
                    .append(dev ? g.rdev : 0).append(' ').append(g.mtime).append(' ')
                    .append(g.payload == null ? "-" : esc(g.payload)).append(' ')
                    .append(g.content == null ? "-" : esc(g.content)).append(' ')
                    .append(g.digest == null ? "-" : g.digest);
            for (Map.Entry<String, byte[]> e : g.xattrs.entrySet()) {
                sb.append(' ').append(esc(latin1(e.getKey()))).append('=').append(escValue(e.getValue()));
            }
        }
        sb.append('\n');
        out.writeBytes(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        for (G c : g.children) {
            emit(c, out);
        }
    }

    static String esc(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            if (c == '\\') {
                sb.append("\\\\");
            } else if (c <= 0x20 || c >= 0x7f || c == '=') {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        String s = sb.toString();
        return s.equals("-") ? "\\x2d" : s;
    }

    private static String escValue(byte[] b) {
        // '=' is literal in a value; also try the other escapes the parser knows
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c <= 0x20 || c >= 0x7f) {
                        sb.append(String.format("\\x%02X", c));
                    } else {
                        sb.append((char) c);
                    }
                }
            }
        }
        return sb.toString();
    }

    // -------------------------------------------------------------------------------------------- helpers

    private static void collect(G g, List<G> all) {
        all.add(g);
        for (G c : g.children) {
            collect(c, all);
        }
    }

    private G pickDir() {
        return dirs.get(r.nextInt(dirs.size()));
    }

    private G pickDirOrNew() {
        if (dirs.size() < 2 || r.nextInt(4) == 0) {
            G d = dir(pickDir(), null);
            if (d != null) {
                return d;
            }
        }
        return pickDir();
    }

    private String mtime() {
        return mtimes.get(r.nextInt(mtimes.size()));
    }

    private int perms() {
        int[] p = {0644, 0755, 0600, 0444, 04755, 02755, 0};
        return p[r.nextInt(p.length)];
    }

    private byte[] randName(int min, int max) {
        int len = min + r.nextInt(max - min + 1);
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            int c;
            do {
                c = r.nextInt(8) == 0 ? 1 + r.nextInt(255) : "abcdefghijklmnopqrstuvwxyz0123456789._-+".charAt(r.nextInt(40));
            } while (c == '/');
            b[i] = (byte) c;
        }
        return b;
    }

    private byte[] randBytes(int n, boolean printable) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (printable ? 0x20 + r.nextInt(95) : r.nextInt(256));
        }
        return b;
    }

    private String printable(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) (0x21 + r.nextInt(94)));
        }
        return sb.toString().replace("/", "_");
    }

    private String hex64() {
        StringBuilder sb = new StringBuilder(64);
        for (int i = 0; i < 64; i++) {
            sb.append("0123456789abcdef".charAt(r.nextInt(16)));
        }
        return sb.toString();
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String latin(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
