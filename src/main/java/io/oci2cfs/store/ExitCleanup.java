package io.oci2cfs.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Removes private files when the JVM is stopped (SIGINT, SIGTERM, {@code System.exit}) while they still
 * exist: staging directories, temporary outputs. The JVM runs shutdown hooks on those signals and then exits
 * with 128 + the signal's number (130, 143), so the exit codes stay those of a killed process.
 *
 * <p>The hook never takes a lock the running conversion may hold, nor waits for its threads: it deletes
 * while they still run, and what they create afterwards cannot outlive it (a staging directory, once
 * deleted, is never made again). SIGKILL runs no hook: {@link StrayFiles} removes what it leaves.
 */
public final class ExitCleanup {
    private ExitCleanup() {
    }

    private static final Map<Long, Runnable> ACTIONS = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static final AtomicBoolean HOOKED = new AtomicBoolean();
    private static volatile boolean exiting;

    /** Removes something at exit unless the returned registration is closed first. */
    public static Registration register(Runnable removal) {
        if (HOOKED.compareAndSet(false, true)) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(ExitCleanup::runAll, "oci2cfs-exit-cleanup"));
            } catch (IllegalStateException e) {
                // The JVM is exiting already: the next run removes what is left (StrayFiles).
            }
        }
        long id = IDS.incrementAndGet();
        ACTIONS.put(id, removal);
        return new Registration(id);
    }

    /** True once the JVM has begun to exit with cleanups pending: failures seen then are its consequence. */
    public static boolean exiting() {
        return exiting;
    }

    private static void runAll() {
        if (ACTIONS.isEmpty()) {
            return;
        }
        exiting = true;
        for (Long id : ACTIONS.keySet()) {
            Runnable r = ACTIONS.remove(id);
            if (r != null) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    // Best effort: the next run removes what is left (StrayFiles).
                }
            }
        }
    }

    /** A pending cleanup; closing it means the owner has removed its files itself. */
    public static final class Registration implements AutoCloseable {
        private final long id;

        private Registration(long id) {
            this.id = id;
        }

        @Override
        public void close() {
            ACTIONS.remove(id);
        }
    }
}
