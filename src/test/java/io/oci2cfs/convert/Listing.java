package io.oci2cfs.convert;

import io.oci2cfs.fixtures.ExpectedTree;
import io.oci2cfs.linux.Xattrs;
import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Node;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A tree in the text form of the fixtures' {@code *.tree} files (see their header): path -> the other
 * columns, one line per path. Paths are ISO-8859-1 strings, one char per byte, so the natural order is the
 * unsigned byte order the tree files use. Made from a tree file, a directory on disk (a mount) or an image
 * read with {@link io.oci2cfs.erofs.ErofsReader}, so that all three compare as strings.
 */
final class Listing {
    /** Column indexes within a line (the path is the key, not a column). */
    static final int TYPE = 0;
    static final int NLINK = 6;
    static final int XATTRS = 9;
    static final int HARDLINK = 11;

    final TreeMap<String, List<String>> lines = new TreeMap<>();
    /** {@code trusted.overlay.*} xattrs seen on disk and left out of the listing, by path. */
    final Map<String, List<String>> overlayXattrs = new TreeMap<>();

    /** Parses an expected-tree file; {@code \xHH} escapes stay as they are, both sides use them. */
    static Listing parse(Path treeFile) throws IOException {
        Listing l = new Listing();
        for (String line : Files.readString(treeFile, StandardCharsets.ISO_8859_1).split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 13) {
                throw new IllegalArgumentException(treeFile + ": expected 13 columns: " + line);
            }
            l.lines.put(f[0], new ArrayList<>(List.of(f).subList(1, 13)));
        }
        return l;
    }

    /** Inode-level facts of one entry, before hardlinks are worked out. */
    private record Raw(Object inode, String type, int mode, long uid, long gid, long mtime, long size, long nlink,
            long rdev, String target, Map<String, String> xattrs, String sha256) {
    }

    private static Listing of(Map<String, Raw> raw) {
        Map<Object, String> firstName = new LinkedHashMap<>();
        Map<Object, Integer> names = new LinkedHashMap<>();
        TreeMap<String, Raw> sorted = new TreeMap<>(raw);
        sorted.forEach((p, r) -> {
            if (!r.type.equals("dir")) {
                firstName.putIfAbsent(r.inode, p);
                names.merge(r.inode, 1, Integer::sum);
            }
        });
        Listing l = new Listing();
        sorted.forEach((p, r) -> {
            List<String> xattrs = new ArrayList<>();
            new TreeMap<>(r.xattrs).forEach((k, v) -> xattrs.add(escape(k) + "=" + escape(v)));
            boolean sized = r.type.equals("file") || r.type.equals("symlink");
            boolean dev = r.type.equals("char") || r.type.equals("block");
            l.lines.put(escape(p), new ArrayList<>(List.of(r.type, String.format("%04o", r.mode & 07777),
                    Long.toString(r.uid), Long.toString(r.gid), Long.toString(r.mtime),
                    sized ? Long.toString(r.size) : "-", Long.toString(r.nlink),
                    dev ? major(r.rdev) + ":" + minor(r.rdev) : "-", r.target == null ? "-" : escape(r.target),
                    xattrs.isEmpty() ? "-" : String.join(",", xattrs), r.sha256 == null ? "-" : r.sha256,
                    names.getOrDefault(r.inode, 1) > 1 ? escape(firstName.get(r.inode)) : "-")));
        });
        return l;
    }

    /**
     * Walks a mounted tree with {@code lstat}; inodes are told apart by inode number. {@code trusted.overlay.*}
     * xattrs are left out (and kept in {@link #overlayXattrs}) since overlayfs may show them.
     */
    static Listing ofDirectory(Path root) throws IOException {
        Map<String, Raw> raw = new LinkedHashMap<>();
        Map<String, List<String>> hidden = new TreeMap<>();
        String rootUri = rawPath(root);
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String rel = rawPath(p).substring(rootUri.length());
                String path = rel.isEmpty() ? "/" : rel;
                Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                String type = typeName(mode);
                Map<String, String> xattrs = new TreeMap<>();
                readXattrs(p).forEach((k, v) -> {
                    if (k.startsWith("trusted.overlay.")) {
                        hidden.computeIfAbsent(path, x -> new ArrayList<>()).add(k);
                    } else {
                        xattrs.put(k, v);
                    }
                });
                String target = type.equals("symlink") ? latin1(Files.readSymbolicLink(p).toString()
                        .getBytes(StandardCharsets.UTF_8)) : null;
                String sha = type.equals("file") ? sha256(p) : null;
                raw.put(path, new Raw(a.get("ino"), type, mode, (Integer) a.get("uid"), (Integer) a.get("gid"),
                        ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.SECONDS), (Long) a.get("size"),
                        (Integer) a.get("nlink"), (Long) a.get("rdev"), target, xattrs, sha));
            }
        }
        Listing l = of(raw);
        hidden.forEach((k, v) -> l.overlayXattrs.put(escape(k), v));
        return l;
    }

    /**
     * Lists an image's tree as read back by our reader; file contents come from the inline data or the object
     * store. Inodes are told apart by node identity after following hardlinks.
     */
    static Listing ofImage(Node root, Path objects) throws IOException {
        Map<String, Raw> raw = new LinkedHashMap<>();
        addNode(root, "/", objects, raw);
        return of(raw);
    }

    private static void addNode(Node entry, String path, Path objects, Map<String, Raw> raw) throws IOException {
        Node n = entry.resolve();
        String type = typeName(n.mode());
        Map<String, String> xattrs = new TreeMap<>();
        n.xattrs().forEach((k, v) -> {
            String name = latin1(k.toByteArray());
            if (!name.startsWith("trusted.overlay.")) {
                xattrs.put(name, latin1(v.toByteArray()));
            }
        });
        String sha = null;
        if (type.equals("file")) {
            if (n.content() != null) {
                sha = sha256(n.content());
            } else if (n.payload() != null) {
                try (InputStream in = Files.newInputStream(objects.resolve(n.payload().toString()))) {
                    sha = sha256(in);
                }
            } else {
                sha = sha256(new byte[0]);
            }
        }
        raw.put(path, new Raw(n, type, n.mode(), n.uid(), n.gid(), n.mtimeSec(), n.size(), n.nlink(),
                Integer.toUnsignedLong(n.rdev()), type.equals("symlink") ? latin1(n.payload().toByteArray()) : null,
                xattrs, sha));
        if (n.isDirectory()) {
            for (Node c : n.children()) {
                String name = latin1(c.name().toByteArray());
                addNode(c, path.equals("/") ? "/" + name : path + "/" + name, objects, raw);
            }
        }
    }

    /** This listing with column {@code column} of every line replaced by what {@code value} makes of the line. */
    Listing with(int column, Function<List<String>, String> value) {
        Listing l = new Listing();
        lines.forEach((p, cols) -> {
            List<String> c = new ArrayList<>(cols);
            c.set(column, value.apply(c));
            l.lines.put(p, c);
        });
        return l;
    }

    /** The text form, one line per path as in the tree files, for assertion messages and diffs. */
    String render() {
        StringBuilder sb = new StringBuilder();
        lines.forEach((p, cols) -> sb.append(p).append('\t').append(String.join("\t", cols)).append('\n'));
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Listing l && lines.equals(l.lines);
    }

    @Override
    public int hashCode() {
        return Objects.hash(lines);
    }

    @Override
    public String toString() {
        return render();
    }

    private static String typeName(int mode) {
        return switch (FileMode.type(mode)) {
            case FileMode.S_IFDIR -> "dir";
            case FileMode.S_IFREG -> "file";
            case FileMode.S_IFLNK -> "symlink";
            case FileMode.S_IFCHR -> "char";
            case FileMode.S_IFBLK -> "block";
            case FileMode.S_IFIFO -> "fifo";
            case FileMode.S_IFSOCK -> "socket";
            default -> "type" + Integer.toOctalString(mode);
        };
    }

    /** Linux {@code dev_t} (glibc encoding, which for small numbers equals the kernel's 32-bit one). */
    private static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    }

    private static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    }

    /** The path's bytes as an ISO-8859-1 string, exact even where the name is not valid UTF-8. */
    private static String rawPath(Path p) {
        String uri = p.toAbsolutePath().toUri().getRawPath();
        if (uri.length() > 1 && uri.endsWith("/")) {
            uri = uri.substring(0, uri.length() - 1);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(uri.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return latin1(out.toByteArray());
    }

    /**
     * Every xattr, through {@link Xattrs#list}; a name that is not valid UTF-8 cannot be passed to it as a
     * string, so there {@code getfattr} reads it, the path given to the shell as octal escapes.
     */
    private static Map<String, String> readXattrs(Path p) throws IOException {
        Map<String, String> out = new TreeMap<>();
        String raw = rawPath(p);
        if (latin1(p.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8)).equals(raw)) {
            for (Map.Entry<ByteString, ByteString> e : Xattrs.list(p).entrySet()) {
                out.put(latin1(e.getKey().toByteArray()), latin1(e.getValue().toByteArray()));
            }
            return out;
        }
        StringBuilder octal = new StringBuilder();
        for (char c : raw.toCharArray()) {
            octal.append(String.format("\\0%03o", (int) c));
        }
        String dump = Tools.output("sh", "-c", "getfattr -h -d -m - -e hex --absolute-names -- \"$(printf '%b' '"
                + octal + "')\"");
        for (String line : dump.split("\n")) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                String hex = line.substring(eq + 1);
                out.put(line.substring(0, eq), latin1(HexFormat.of().parseHex(hex.substring(2))));
            }
        }
        return out;
    }

    static String escape(String latin1) {
        return ExpectedTree.escape(latin1);
    }

    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(newSha256().digest(data));
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        }
    }

    private static String sha256(InputStream in) throws IOException {
        MessageDigest md = newSha256();
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
