package io.oci2cfs.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store lock between processes (fcntl record locks) and between threads of one JVM. */
class StoreLockTest {
    @TempDir
    Path store;

    @Test
    void maintenanceWaitsForAConversionInAnotherProcessAndNewConversionsWaitBehindIt() throws Exception {
        Process conversion = holder("shared");
        CompletableFuture<StoreLock.Hold> gc = CompletableFuture.supplyAsync(() -> take(true));
        assertBlocked(gc);
        // A conversion starting now waits behind the waiting gc, so a stream of conversions cannot starve it.
        CompletableFuture<StoreLock.Hold> next = CompletableFuture.supplyAsync(() -> take(false));
        assertBlocked(next);
        release(conversion);
        StoreLock.Hold gcHold = gc.get(30, TimeUnit.SECONDS);
        assertBlocked(next);
        gcHold.close();
        next.get(30, TimeUnit.SECONDS).close();
    }

    /**
     * A process holding the store shared starts another conversion while gc (here) holds the gate and waits
     * for the store: the kernel sees a cycle between the two processes and refuses the wait at the gate; the
     * conversion goes on under the hold its process has, and gc gets the store once both are done.
     */
    @Test
    void aProcessAlreadyHoldingTheStoreStartsAnotherConversionWhileGcWaits() throws Exception {
        Process p = new ProcessBuilder(command("shared", "twice")).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        assertThat(out.readLine()).isEqualTo("locked");
        CompletableFuture<StoreLock.Hold> gc = CompletableFuture.supplyAsync(() -> take(true));
        assertBlocked(gc);
        p.getOutputStream().write('\n');
        p.getOutputStream().flush();
        CompletableFuture<String> again = CompletableFuture.supplyAsync(() -> readLine(out));
        assertThat(again.get(30, TimeUnit.SECONDS)).isEqualTo("again");
        assertBlocked(gc);
        release(p);
        gc.get(30, TimeUnit.SECONDS).close();
    }

    @Test
    void aConversionInAnotherProcessWaitsWhileMaintenanceRuns() throws Exception {
        StoreLock.Hold gc = StoreLock.exclusive(store);
        Process conversion = new ProcessBuilder(command("shared")).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(conversion.getInputStream()));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> readLine(out));
        assertBlocked(line);
        gc.close();
        assertThat(line.get(30, TimeUnit.SECONDS)).isEqualTo("locked");
        release(conversion);
    }

    @Test
    void sharedHoldersInOneJvmAndInAnotherProcessGoTogether() throws Exception {
        Process other = holder("shared");
        try (StoreLock.Hold a = StoreLock.shared(store); StoreLock.Hold b = StoreLock.shared(store)) {
            assertThat(a).isNotSameAs(b);
        }
        release(other);
    }

    private StoreLock.Hold take(boolean exclusive) {
        try {
            return exclusive ? StoreLock.exclusive(store) : StoreLock.shared(store);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertBlocked(CompletableFuture<?> f) throws Exception {
        try {
            f.get(700, TimeUnit.MILLISECONDS);
            throw new AssertionError("expected to wait for the lock, but got it");
        } catch (TimeoutException expected) {
            // still waiting
        }
    }

    private List<String> command(String mode, String... more) {
        List<String> c = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), mode,
                store.toString()));
        c.addAll(List.of(more));
        return c;
    }

    /** Starts a holder process and waits until it holds the lock. */
    private Process holder(String mode) throws Exception {
        Process p = new ProcessBuilder(command(mode)).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        assertThat(out.readLine()).isEqualTo("locked");
        return p;
    }

    private static void release(Process p) throws Exception {
        OutputStream in = p.getOutputStream();
        in.write('\n');
        in.flush();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    private static String readLine(BufferedReader r) {
        try {
            return r.readLine();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
