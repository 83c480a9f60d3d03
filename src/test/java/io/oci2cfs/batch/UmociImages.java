package io.oci2cfs.batch;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.testutil.Proc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Real images made with umoci and skopeo, built once per test JVM: an OCI layout whose tag {@code base} has
 * one layer (small files, a file larger than a hashing chunk) and whose tags {@code app0}..{@code app3} each
 * add a layer on that base (content of their own, and a file all four share), plus {@code app0} copied by
 * skopeo into a docker archive and {@code app1} into an OCI archive.
 */
final class UmociImages {
    static final int APPS = 4;
    private static UmociImages built;

    final Path layout;
    final Path dockerArchive;
    final Path ociArchive;

    private UmociImages(Path dir) {
        this.layout = dir.resolve("layout");
        this.dockerArchive = dir.resolve("app0.docker.tar");
        this.ociArchive = dir.resolve("app1.oci.tar");
    }

    /** The images, or the test is skipped when umoci or skopeo is missing. */
    static synchronized UmociImages get() throws IOException {
        assumeTrue(Proc.has("umoci"), "umoci is not installed; skipping");
        assumeTrue(Proc.has("skopeo"), "skopeo is not installed; skipping");
        if (built == null) {
            Path dir = Files.createTempDirectory("oci2cfs-umoci-images");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
            UmociImages images = new UmociImages(dir);
            images.build(dir);
            built = images;
        }
        return built;
    }

    /** Every source form, one job each: the layout's five tags and the two archives. */
    List<String> sources() {
        List<String> out = new ArrayList<>();
        out.add("oci:" + layout + ":base");
        for (int i = 0; i < APPS; i++) {
            out.add("oci:" + layout + ":app" + i);
        }
        out.add("docker-archive:" + dockerArchive);
        out.add("oci-archive:" + ociArchive);
        return out;
    }

    /** A JOBS file's text converting {@link #sources()} into {@code out/imageN.cfs}. */
    String jobsText(Path out) {
        StringBuilder b = new StringBuilder("# umoci and skopeo images\n");
        List<String> s = sources();
        for (int i = 0; i < s.size(); i++) {
            b.append(s.get(i)).append(' ').append(out.resolve("image" + i + ".cfs")).append('\n');
        }
        return b.toString();
    }

    private void build(Path dir) throws IOException {
        String base = layout + ":base";
        umoci("init", "--layout", layout.toString());
        umoci("new", "--image", base);
        Path root = unpack(dir, base, "b");
        Random random = new Random(12);
        Files.createDirectories(root.resolve("usr/lib"));
        for (int i = 0; i < 30; i++) {
            Files.write(root.resolve("usr/lib/lib" + i + ".so"), bytes(random, 500 + 300 * i));
        }
        Files.write(root.resolve("usr/lib/big.so"), bytes(random, 700_000));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/os-release"), "NAME=test\nID=umoci-batch\n".repeat(5));
        repack(base, root);
        for (int k = 0; k < APPS; k++) {
            String app = layout + ":app" + k;
            Path r = unpack(dir, base, "a" + k);
            Files.createDirectories(r.resolve("app"));
            Files.write(r.resolve("app/own.bin"), bytes(new Random(100 + k), 90_000 + k));
            Files.writeString(r.resolve("app/shared.txt"), "shared by every app\n".repeat(40));
            Files.delete(r.resolve("usr/lib/lib" + k + ".so"));
            repack(app, r);
        }
        Proc.Result d = Proc.run("skopeo", "copy", "--insecure-policy", "oci:" + layout + ":app0",
                "docker-archive:" + dockerArchive + ":batch:app0");
        check(d, "skopeo copy to docker-archive");
        Proc.Result o = Proc.run("skopeo", "copy", "--insecure-policy", "oci:" + layout + ":app1",
                "oci-archive:" + ociArchive);
        check(o, "skopeo copy to oci-archive");
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        // half text-like, half random, so that compression has something to do
        for (int i = 0; i < n; i++) {
            b[i] = i % 2 == 0 ? (byte) ('a' + (i / 7) % 26) : (byte) random.nextInt();
        }
        return b;
    }

    private static void umoci(String... args) {
        List<String> cmd = new ArrayList<>(List.of("umoci", args[0]));
        if (!Proc.isRoot() && (args[0].equals("unpack") || args[0].equals("repack"))) {
            cmd.add("--rootless");
        }
        cmd.addAll(List.of(args).subList(1, args.length));
        check(Proc.run(cmd), String.join(" ", cmd));
    }

    private static Path unpack(Path dir, String ref, String name) {
        Path bundle = dir.resolve("bundle-" + name);
        umoci("unpack", "--image", ref, bundle.toString());
        return bundle.resolve("rootfs");
    }

    private static void repack(String ref, Path rootfs) {
        umoci("repack", "--image", ref, rootfs.getParent().toString());
    }

    private static void check(Proc.Result r, String what) {
        if (r.code() != 0) {
            throw new AssertionError(what + " failed: " + r.stderr() + new String(r.stdout(), StandardCharsets.UTF_8));
        }
    }

    static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
