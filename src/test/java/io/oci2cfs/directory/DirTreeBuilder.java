package io.oci2cfs.directory;

import io.oci2cfs.linux.Xattrs;
import io.oci2cfs.tree.ByteString;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Builds a deterministic directory tree on disk for directory-mode differential tests ({@code mkcomposefs DIR
 * IMAGE}). Needs root (chown, mknod, trusted.* xattrs) and the {@code setfattr}, {@code mknod},
 * {@code mkfifo}, {@code chown} and {@code chmod} commands. Everything that reaches the image is fixed:
 * names, contents, modes, owners, xattrs and mtimes (set last, with nanoseconds, without following links).
 */
public final class DirTreeBuilder {
    private final Path root;
    private final SplittableRandom r;
    private final List<String> script = new ArrayList<>();
    private final Map<Path, Instant> mtimes = new LinkedHashMap<>();
    private final Map<Path, TreeSet<String>> expectedXattrs = new LinkedHashMap<>();

    private DirTreeBuilder(Path root, long seed) {
        this.root = root;
        this.r = new SplittableRandom(seed);
    }

    /** Whether this process can build the tree (root, and the commands exist). */
    public static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "directory-mode differential tests need root (chown, mknod, trusted.* xattrs): skipped";
        }
        for (String c : List.of("setfattr", "mknod", "mkfifo", "chown", "chmod", "touch")) {
            if (List.of("/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/").stream()
                    .noneMatch(d -> Files.isExecutable(Path.of(d + c)))) {
                return c + " is not installed: directory-mode differential tests skipped";
            }
        }
        return null;
    }

    /**
     * Builds the tree for {@code seed} inside the empty directory {@code dir}. Returns null when the result is
     * as intended, otherwise why not (e.g. the filesystem added xattrs such as security.selinux, which would
     * make the recorded digests meaningless here).
     */
    public static String build(Path dir, long seed) throws IOException, InterruptedException {
        DirTreeBuilder b = new DirTreeBuilder(dir, seed);
        b.populate();
        return b.finish();
    }

    private static final String ACL = "0x02000000" + "01000700ffffffff" + "02000400e8030000" + "04000500ffffffff"
            + "10000500ffffffff" + "20000500ffffffff";

    private void populate() throws IOException {
        long base = 1_700_000_000L + r.nextInt(1_000_000);
        Instant t0 = Instant.ofEpochSecond(base, 123_456_789);
        Instant t1 = Instant.ofEpochSecond(base + 1000, 1);
        Instant t2 = Instant.ofEpochSecond(-86_400 - r.nextInt(1000), 500_000_000); // before 1970
        Instant t3 = Instant.ofEpochSecond(base, 999_999_999);
        Instant[] ts = {t0, t0, t0, t1, t2, t3};

        byte[] same = bytes(5000);
        int[] sizes = {0, 1, 64, 65, 5000, 100000};
        for (int s : sizes) {
            file("f" + s, s == 5000 ? same : bytes(s), ts[r.nextInt(ts.length)]);
        }
        file("dup5000", same, t0); // identical content: shared metacopy/redirect
        for (String n : List.of("+x", "-x", ".a", "a.", "..a", "a b", "\u00e9t\u00e9", "00", "ff")) {
            file(n, bytes(r.nextInt(3) == 0 ? 200 : r.nextInt(65)), ts[r.nextInt(ts.length)]);
        }
        mkdir("sub", 02755, t1);
        mkdir("sub/deep", 0700, t2);
        mkdir("sticky", 01777, t0);
        mkdir("empty", 0755, t3);
        for (int i = 0; i < 120 + r.nextInt(80); i++) { // a directory over several blocks, long names
            String n = "n" + i + "-" + "x".repeat(r.nextInt(200));
            file("sub/deep/" + n, bytes(r.nextInt(4) == 0 ? 70 : r.nextInt(10)), t0);
        }
        file("sub/setuid", bytes(100), t0);
        script("chmod 4755 sub/setuid");
        symlink("ln", "f64", t1);
        symlink("sub/up", "../f65", t0);
        symlink("longln", "l/".repeat(1500), t0);
        Files.createLink(root.resolve("sub/hl65"), root.resolve("f65"));
        Files.createLink(root.resolve("hl100000"), root.resolve("f100000"));
        Files.createLink(root.resolve("sub/hl1"), root.resolve("f1"));
        node("null", "mknod null c 1 3", t0);
        node("sda1", "mknod sda1 b 8 1", t1);
        node("bigdev", "mknod bigdev c 4095 1048575", t0);
        node("sub/wh", "mknod sub/wh c 0 0", t0); // a whiteout: format v1 by default
        node("fifo", "mkfifo fifo", t3);
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(root.resolve("sock")));
        }
        mtimes.put(root.resolve("sock"), t2);

        chown("f65", 100000, 200000);
        chown("sub", 65536, 65535);
        chown("ln", 1000, 1000);
        chown("fifo", 4294967294L, 7);
        chown("sub/deep", 1000, 100);
        xattr("f64", "user.foo", "bar");
        xattr("f65", "user.foo", "bar");
        xattr("f5000", "user.foo", "bar");
        xattr("sub", "user.foo", "bar");
        xattr("sub", "trusted.overlay.opaque", "y"); // escaped to trusted.overlay.overlay.opaque
        xattr("f1", "trusted.overlay.redirect", "/x");
        xattr("f0", "user.overlay.origin", "0x00ff10");
        xattr("ln", "trusted.link", "t");
        xattr("null", "trusted.dev", "d");
        xattr("f100000", "trusted.big", "0x" + "ab".repeat(1500));
        xattr("empty", "system.posix_acl_access", ACL);
        xattr("empty", "system.posix_acl_default", ACL);
        for (int i = 0; i < 140; i++) { // > 128 shared xattrs on two nodes
            xattr("sticky", "user.s" + i, "v" + (i % 7));
            xattr("dup5000", "user.s" + i, "v" + (i % 7));
        }
        track(".");
        script("chmod 0755 .");
        script("chown 0:0 .");
        mtimes.put(root, t3);
    }

    private String finish() throws IOException, InterruptedException {
        // mtimes last, children before their directory, never following symlinks (touch -h: the JDK's
        // setTimes does not take times before 1970)
        List<Path> order = new ArrayList<>(mtimes.keySet());
        order.sort((a, b) -> Integer.compare(b.getNameCount(), a.getNameCount()));
        for (Path p : order) {
            Instant t = mtimes.get(p);
            String v = new BigDecimal(t.getEpochSecond()).add(BigDecimal.valueOf(t.getNano(), 9)).toPlainString();
            script("touch -h -m -d @" + v + " " + (p.equals(root) ? "." : qp(root.relativize(p).toString())));
        }
        Path sh = Files.createTempFile("dirtree", ".sh");
        try {
            Files.writeString(sh, "set -e\ncd \"$1\"\n" + String.join("\n", script) + "\n", StandardCharsets.UTF_8);
            Process p = new ProcessBuilder("sh", sh.toString(), root.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "building the tree failed: " + out.trim();
            }
        } finally {
            Files.deleteIfExists(sh);
        }
        for (Map.Entry<Path, TreeSet<String>> e : expectedXattrs.entrySet()) {
            TreeSet<String> got = new TreeSet<>();
            for (ByteString n : Xattrs.list(e.getKey()).keySet()) {
                got.add(n.toString());
            }
            if (!got.equals(e.getValue())) {
                return "the filesystem under " + root + " gives " + root.relativize(e.getKey()) + " the xattrs " + got
                        + " instead of " + e.getValue() + " (e.g. an LSM label): recorded digests don't apply";
            }
        }
        return null;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    private Path p(String rel) {
        return root.resolve(rel);
    }

    private void track(String rel) {
        expectedXattrs.computeIfAbsent(p(rel), k -> new TreeSet<>());
    }

    private void file(String rel, byte[] content, Instant t) throws IOException {
        Files.write(p(rel), content);
        script("chmod " + (r.nextInt(3) == 0 ? "0600" : "0644") + " " + qp(rel));
        mtimes.put(p(rel), t);
        track(rel);
    }

    private void mkdir(String rel, int mode, Instant t) throws IOException {
        Files.createDirectory(p(rel));
        script("chmod " + Integer.toOctalString(mode) + " " + qp(rel));
        mtimes.put(p(rel), t);
        track(rel);
    }

    private void symlink(String rel, String target, Instant t) throws IOException {
        Files.createSymbolicLink(p(rel), Path.of(target));
        mtimes.put(p(rel), t);
        track(rel);
    }

    private void node(String rel, String cmd, Instant t) {
        script(cmd);
        script("chmod 0640 " + q(rel));
        mtimes.put(p(rel), t);
        track(rel);
    }

    private void chown(String rel, long uid, long gid) {
        script("chown -h " + uid + ":" + gid + " " + qp(rel));
    }

    private void xattr(String rel, String name, String value) {
        script("setfattr -h -n " + q(name) + " -v " + q(value) + " " + qp(rel));
        expectedXattrs.computeIfAbsent(p(rel), k -> new TreeSet<>()).add(name);
    }

    private void script(String line) {
        script.add(line);
    }

    private static String qp(String rel) {
        return q("./" + rel); // names such as "-x" must not look like options
    }

    private static String q(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
