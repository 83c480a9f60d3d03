package io.oci2cfs.convert;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Real tools, the kernel's mounts and the CLI for the conversion tests; what is missing makes a test skip. */
final class Tools {
    private Tools() {
    }

    static boolean installed(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    static void require(String name) {
        assumeTrue(installed(name), name + " is not installed; skipping");
    }

    /** Skips unless we are root and the kernel has EROFS, overlayfs and loop devices. */
    static void requireKernelMounts() throws IOException {
        assumeTrue(System.getProperty("user.name").equals("root"), "mounting needs root; skipping");
        String fs = Files.readString(Path.of("/proc/filesystems"));
        assumeTrue(fs.contains("\terofs\n"), "the kernel has no EROFS (modprobe erofs); skipping");
        assumeTrue(fs.contains("\toverlay\n"), "the kernel has no overlayfs (modprobe overlay); skipping");
        assumeTrue(Files.exists(Path.of("/dev/loop-control")), "no loop devices; skipping");
        require("mount");
    }

    /** Runs a command and returns its stdout; fails the test with its output when it exits non-zero. */
    static String output(String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + ": timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        String text = new String(out, StandardCharsets.ISO_8859_1);
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + ": exit " + p.exitValue() + ": " + text);
        }
        return text;
    }

    /** What {@link Main#run} returned and printed. */
    record CliResult(int exit, String stdout, String stderr) {
    }

    /** Runs the CLI in-process with System.in/out/err swapped. */
    static synchronized CliResult cli(InputStream stdin, String... args) {
        InputStream in = System.in;
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setIn(stdin);
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new CliResult(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(in);
            System.setOut(out);
            System.setErr(err);
        }
    }

    static CliResult cli(String... args) {
        return cli(InputStream.nullInputStream(), args);
    }

    /** Mounts, unmounted in reverse order on close. */
    static final class Mounts implements AutoCloseable {
        private final Deque<Path> mounted = new ArrayDeque<>();

        /**
         * Mounts {@code image} as composefs does: the EROFS image on a loop device, and over it a read-only
         * overlay with {@code objects} as the data-only lower layer. Returns the overlay's mount point.
         */
        Path composefs(Path image, Path objects, Path dir) throws IOException {
            Path meta = Files.createDirectories(dir.resolve("meta"));
            Path merged = Files.createDirectories(dir.resolve("merged"));
            mount(meta, "-t", "erofs", "-o", "loop,ro", image.toString(), meta.toString());
            mount(merged, "-t", "overlay", "overlay", "-o",
                    "ro,metacopy=on,redirect_dir=on,lowerdir=" + meta + "::" + objects, merged.toString());
            return merged;
        }

        /** A read-only overlay of {@code lowers}, given top first. */
        Path overlay(List<Path> lowers, Path dir) throws IOException {
            Path merged = Files.createDirectories(dir);
            mount(merged, "-t", "overlay", "overlay", "-o", "ro,lowerdir="
                    + lowers.stream().map(Path::toString).collect(Collectors.joining(":")), merged.toString());
            return merged;
        }

        private void mount(Path target, String... args) throws IOException {
            String[] cmd = new String[args.length + 1];
            cmd[0] = "mount";
            System.arraycopy(args, 0, cmd, 1, args.length);
            output(cmd);
            mounted.push(target);
        }

        @Override
        public void close() throws IOException {
            AssertionError first = null;
            while (!mounted.isEmpty()) {
                Path p = mounted.pop();
                try {
                    output("umount", p.toString());
                } catch (AssertionError e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }
}
