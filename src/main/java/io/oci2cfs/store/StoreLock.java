package io.oci2cfs.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The store's lock file {@code STORE/.lock}: writers (transactions, from their first look at the store until
 * their image is written) hold it shared, maintenance that deletes objects ({@code gc}, {@code fsck --repair})
 * holds it alone, so an object a running conversion has found in the store and will reference is never
 * deleted under it.
 *
 * <p>Two byte ranges of the file are locked with {@code fcntl} record locks (what {@link FileChannel#lock}
 * uses on Linux, also over NFS): byte 0 is the store itself, byte 1 a gate that a writer passes (shared,
 * briefly) before taking byte 0 and that maintenance holds while it waits for byte 0, so that a stream of
 * overlapping conversions cannot starve it. Record locks belong to the process, and a JVM may not take
 * overlapping ones twice, so the threads of one JVM share one channel per store and count their holds here.
 */
public final class StoreLock {
    public static final String FILE_NAME = ".lock";
    private static final long STORE = 0;
    private static final long GATE = 1;
    private static final ConcurrentHashMap<Path, StoreLock> LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private FileChannel channel;
    /** Held by whoever passes the gate, and by maintenance for its whole run (any thread may release it). */
    private final Semaphore gate = new Semaphore(1, true);
    private int sharedHolds;
    private FileLock sharedLock;
    /** Holds and waiters of this process; guarded by the class. At 0 the file is closed (see {@link #unuse}). */
    private int users;

    private StoreLock(Path file) {
        this.file = file;
    }

    private static StoreLock of(Path storeRoot) throws IOException {
        Path key = storeRoot.toAbsolutePath().normalize();
        java.nio.file.Files.createDirectories(key);
        synchronized (StoreLock.class) {
            StoreLock l = LOCKS.computeIfAbsent(key, k -> new StoreLock(k.resolve(FILE_NAME)));
            l.open();
            l.users++;
            return l;
        }
    }

    private synchronized void open() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        }
    }

    /**
     * Ends one use. The file stays open while any thread of this process holds or waits for the lock, since
     * closing any descriptor of it drops all of this process's locks on it; once none does, it is closed, so that
     * an idle store holds no open file (a store on a filesystem that is to be unmounted or remounted).
     */
    private void unuse() throws IOException {
        synchronized (StoreLock.class) {
            if (--users == 0) {
                LOCKS.remove(file.getParent(), this);
                FileChannel c;
                synchronized (this) {
                    c = channel;
                    channel = null;
                }
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    /** A hold on the lock; closing it releases it. */
    public interface Hold extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /**
     * The hold on a store this process cannot write, where the lock file cannot be made: such a conversion
     * publishes nothing, and maintenance from this machine cannot delete from it either.
     */
    private static final Hold READ_ONLY = () -> { };

    /**
     * Takes the lock shared, waiting while maintenance holds or waits for it. Where the filesystem has no
     * record locks, conversions still run (holding it between the threads of this JVM only).
     */
    static Hold shared(Path storeRoot) throws IOException {
        StoreLock l;
        try {
            l = of(storeRoot);
        } catch (java.nio.file.AccessDeniedException e) {
            return READ_ONLY;
        } catch (java.nio.file.FileSystemException e) {
            if (!"Read-only file system".equals(e.getReason())) {
                throw e;
            }
            return READ_ONLY;
        }
        try {
            l.lockGate();
            try (FileLock passing = l.lockIfSupported(GATE, true)) {
                synchronized (l) {
                    if (l.sharedHolds == 0) {
                        // Cannot wait long: maintenance holds the gate for as long as it holds the store.
                        l.sharedLock = l.lockIfSupported(STORE, true);
                    }
                    l.sharedHolds++;
                }
            } finally {
                l.gate.release();
            }
        } catch (IOException | RuntimeException e) {
            l.unuse();
            throw e;
        }
        return once(() -> {
            try {
                l.releaseShared();
            } finally {
                l.unuse();
            }
        });
    }

    /**
     * The store byte, exclusively. The kernel refuses a wait that would close a cycle between processes
     * (EDEADLK): a process holding the store shared with one thread while another waits at the gate that
     * this process holds looks like one, though its holder will let go; so this waits and asks again.
     */
    private FileLock lockStoreAlone() throws IOException, InterruptedException {
        while (true) {
            try {
                return channel.lock(STORE, 1, false);
            } catch (java.nio.channels.FileLockInterruptionException | java.nio.channels.ClosedChannelException e) {
                throw e;
            } catch (IOException e) {
                // The JDK gives no errno: strerror(EDEADLK) is "Resource deadlock avoided".
                if (e.getMessage() == null || !e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("deadlock")) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /**
     * The record lock, or null when the kernel refuses it: the filesystem has no record locks, or (at the
     * gate) waiting would look like a cycle to the kernel because this process holds the store byte shared
     * already, which still keeps maintenance out.
     */
    private FileLock lockIfSupported(long position, boolean shared) throws IOException {
        try {
            return channel.lock(position, 1, shared);
        } catch (java.nio.channels.FileLockInterruptionException | java.nio.channels.ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            return null;
        }
    }

    /** Takes the lock alone, waiting for the shared holders to finish; new ones wait meanwhile. */
    public static Hold exclusive(Path storeRoot) throws IOException {
        StoreLock l = of(storeRoot);
        try {
            l.lockGate();
        } catch (IOException e) {
            l.unuse();
            throw e;
        }
        FileLock gateLock = null;
        FileLock storeLock = null;
        try {
            try {
                gateLock = l.channel.lock(GATE, 1, false);
            } catch (java.nio.channels.FileLockInterruptionException e) {
                throw e;
            } catch (IOException e) {
                // No fallback: without the lock, deleting objects is not safe while conversions run.
                throw new IOException(l.file + ": cannot lock the store (" + e.getMessage() + ")", e);
            }
            synchronized (l) {
                while (l.sharedHolds > 0) {
                    l.wait();
                }
            }
            storeLock = l.lockStoreAlone();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release(gateLock);
            l.gate.release();
            l.unuse();
            throw new InterruptedIOException(storeRoot + ": interrupted while waiting for the store lock");
        } catch (IOException | RuntimeException e) {
            release(gateLock);
            l.gate.release();
            l.unuse();
            throw e;
        }
        FileLock g = gateLock;
        FileLock s = storeLock;
        return once(() -> {
            try {
                release(s);
                release(g);
            } finally {
                l.gate.release();
                l.unuse();
            }
        });
    }

    private void lockGate() throws InterruptedIOException {
        try {
            gate.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(file + ": interrupted while waiting for the store lock");
        }
    }

    private synchronized void releaseShared() throws IOException {
        if (--sharedHolds == 0) {
            FileLock s = sharedLock;
            sharedLock = null;
            notifyAll();
            release(s);
        }
    }

    private static void release(FileLock lock) throws IOException {
        if (lock != null && lock.isValid()) {
            lock.release();
        }
    }

    private static Hold once(Hold release) {
        return new Hold() {
            private boolean closed;

            @Override
            public synchronized void close() throws IOException {
                if (!closed) {
                    closed = true;
                    release.close();
                }
            }
        };
    }
}
