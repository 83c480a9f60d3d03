package io.oci2cfs.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.fixtures.LayeredImage;
import io.oci2cfs.testutil.Proc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interrupted conversions leave nothing behind: a child JVM converting a multi-layer image is killed at random
 * points (SIGKILL), and stopped by SIGTERM and SIGINT. After every kill each object is still named by its
 * digest; the next run removes what the killed ones left and writes the image an uninterrupted run writes.
 * A signal is cleaned up at once, with the exit code of the signal.
 */
class InterruptionTest {
    private static final int KILLS = 15;
    private static final byte[] OLD = "the image that was there\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path work;
    private static String source;
    private static byte[] reference;
    private static TreeSet<String> referenceObjects;
    private static long uninterruptedMillis;

    @BeforeAll
    static void generateAndConvertOnce() throws Exception {
        Path layout = work.resolve("layout");
        LayeredImage.write(layout, 10, 4, 600, 64 << 10);
        source = "oci:" + layout + ":latest";
        Path dir = Files.createDirectory(work.resolve("reference"));
        long start = System.nanoTime();
        Process p = child(dir.resolve("image.cfs"), dir.resolve("objects"));
        assertThat(p.waitFor()).as(stderr(p)).isZero();
        uninterruptedMillis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("InterruptionTest: an uninterrupted run takes " + uninterruptedMillis + " ms");
        reference = Files.readAllBytes(dir.resolve("image.cfs"));
        referenceObjects = objects(dir.resolve("objects"));
    }

    private static Process child(Path image, Path objects) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED", "-Xlog:disable", "-cp",
                System.getProperty("java.class.path"), "io.oci2cfs.cli.Main", "convert", source, image.toString(),
                "--objects", objects.toString());
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(image.resolveSibling("stderr-" + System.nanoTime()).toFile()).start();
    }

    private static String stderr(Process p) {
        return "pid " + p.pid() + ", exit " + (p.isAlive() ? "none yet" : p.exitValue());
    }

    /** The objects {@code xx/<62 hex>}, each checked to be a regular file named by its fs-verity digest. */
    private static TreeSet<String> objects(Path store) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        try (Stream<Path> top = Files.list(store)) {
            for (Path prefix : top.filter(p -> p.getFileName().toString().matches("[0-9a-f]{2}")).toList()) {
                try (Stream<Path> s = Files.list(prefix)) {
                    for (Path o : s.toList()) {
                        String rel = store.relativize(o).toString();
                        assertThat(rel).matches("[0-9a-f]{2}/[0-9a-f]{62}");
                        assertThat(Files.isRegularFile(o, LinkOption.NOFOLLOW_LINKS)).as(rel).isTrue();
                        assertThat(rel.replace("/", "")).as("digest of " + rel).isEqualTo(StoreCheck.verityDigest(o));
                        out.add(rel);
                    }
                }
            }
        }
        return out;
    }

    /** What interrupted runs may leave: staging directories and lock files in the store, temporary outputs. */
    private static List<String> strays(Path store, Path imageDir) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path dir : List.of(store, imageDir)) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    s.map(p -> p.getFileName().toString())
                            .filter(n -> n.startsWith(".staging-") || n.endsWith(".tmp"))
                            .forEach(out::add);
                }
            }
        }
        return out;
    }

    @Test
    void killedAtRandomPointsThenRerunGivesTheReference() throws Exception {
        Path dir = Files.createDirectory(work.resolve("killed"));
        Path image = dir.resolve("image.cfs");
        Path store = dir.resolve("objects");
        Random random = new Random(42);
        int killsThatLeftStrays = 0;
        for (int i = 0; i < KILLS; i++) {
            Process p = child(image, store);
            long delay = uninterruptedMillis / 10 + (long) (random.nextDouble() * uninterruptedMillis);
            if (!p.waitFor(delay, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
            }
            p.waitFor();
            if (Files.isDirectory(store)) {
                objects(store);
                if (!strays(store, dir).isEmpty()) {
                    killsThatLeftStrays++;
                }
            }
        }
        assertThat(killsThatLeftStrays).as("kills that left a staging directory or temporary file").isPositive();

        Process rerun = child(image, store);
        assertThat(rerun.waitFor()).as(stderr(rerun)).isZero();
        assertThat(strays(store, dir)).isEmpty();
        assertThat(objects(store)).isEqualTo(referenceObjects);
        assertThat(Files.readAllBytes(image)).isEqualTo(reference);
    }

    @Test
    void sigtermCleansUpAndExits143() throws Exception {
        stopWithSignal("TERM", 143);
    }

    @Test
    void sigintCleansUpAndExits130() throws Exception {
        stopWithSignal("INT", 130);
    }

    /** Signals a run once its staging directory exists; nothing may remain, the old image stays or is replaced whole. */
    private void stopWithSignal(String signal, int expectedExit) throws Exception {
        Path dir = Files.createDirectory(work.resolve("sig" + signal));
        Path image = Files.write(dir.resolve("image.cfs"), OLD);
        Path store = dir.resolve("objects");
        Random random = new Random(signal.hashCode());
        int signalled = 0;
        long maxDelay = Math.max(1, uninterruptedMillis / 3);
        // At least two runs, and more while every run finished before its signal (a loaded machine makes the
        // uninterrupted time a poor guide): each retry signals sooner.
        for (int i = 0; i < 2 || (signalled == 0 && i < 8); i++) {
            Process p = child(image, store);
            assumeTrue(!signalIgnored(p, signal), "SIG" + signal + " is ignored in this environment: skipped");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (p.isAlive() && (!Files.isDirectory(store) || strays(store, dir).isEmpty())) {
                assertThat(System.nanoTime()).as("staging directory never appeared").isLessThan(deadline);
                Thread.sleep(2);
            }
            Thread.sleep(random.nextInt((int) maxDelay));
            Proc.run("kill", "-" + signal, Long.toString(p.pid()));
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exited after SIG" + signal).isTrue();
            // 0 when the run finished before the signal came
            assertThat(p.exitValue()).as(stderr(p)).isIn(expectedExit, 0);
            signalled += p.exitValue() == expectedExit ? 1 : 0;
            maxDelay = Math.max(1, maxDelay / 2);
            assertThat(strays(store, dir)).as("left after SIG" + signal).isEmpty();
            objects(store);
            // The old image, or the new one whole when the signal came after its rename.
            byte[] now = Files.readAllBytes(image);
            assertThat(now).satisfiesAnyOf(b -> assertThat(b).isEqualTo(OLD), b -> assertThat(b).isEqualTo(reference));
            Files.write(image, OLD);
        }
        assertThat(signalled).as("runs stopped by SIG" + signal).isPositive();
    }

    /** Whether the child ignores the signal (inherited from a shell without job control): SigIgn of proc(5). */
    private static boolean signalIgnored(Process p, String signal) throws IOException {
        int number = signal.equals("INT") ? 2 : 15;
        for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (number - 1))) != 0;
            }
        }
        return false;
    }
}
