package io.oci2cfs.output;

import io.oci2cfs.store.ExitCleanup;
import io.oci2cfs.store.StrayFiles;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.HashSet;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A set of output files that replace their targets together. Each is written to a private temporary file in
 * its target's directory; {@link #commit()} makes them durable and renames each onto its target, in the
 * order they were opened, only once all are complete. {@link #close()} without a commit deletes the temporary
 * files (and the directories {@link #directory} made), leaving every target as it was.
 */
public final class OutputFiles implements AutoCloseable {
    private static final int BUFFER = 1 << 16;

    private record Pending(Path target, Path tmp, FileChannel channel, OutputStream out) {
    }

    private final List<Pending> pending = new ArrayList<>();
    private final List<Path> madeDirectories = new ArrayList<>();
    /** The temporary files and made directories, for the exit cleanup, which must not wait for this object's lock. */
    private final Queue<Path> toRemoveAtExit = new ConcurrentLinkedQueue<>();
    private final Set<Path> cleanedDirectories = new HashSet<>();
    private ExitCleanup.Registration exitCleanup;
    private volatile boolean committed;

    /**
     * Opens an output that will replace {@code target} (checked and resolved by {@link OutputPaths#outputFile});
     * closing the returned stream only flushes it.
     */
    public synchronized OutputStream open(String what, Path target) throws IOException {
        Path resolved = OutputPaths.outputFile(what, target);
        for (Pending p : pending) {
            if (p.target().equals(resolved)) {
                throw new IOException(what + " " + target + ": already an output of this run");
            }
        }
        Path dir = resolved.getParent();
        if (cleanedDirectories.add(dir)) {
            // What killed runs left here: their owners are gone, so nothing else will ever remove it.
            StrayFiles.removeDead(StrayFiles.temporaryOutputs(dir));
        }
        if (exitCleanup == null) {
            exitCleanup = ExitCleanup.register(this::removeAtExit);
        }
        while (true) {
            Path tmp = dir.resolve(StrayFiles.temporaryOutputName(resolved.getFileName().toString()));
            FileChannel ch;
            try {
                ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException e) {
                continue; // left by an earlier process: take the next name
            }
            toRemoveAtExit.add(tmp);
            try {
                // Held until the rename: a process that /proc does not show us (another PID namespace) is
                // still seen alive by StrayFiles.
                ch.lock();
            } catch (IOException | RuntimeException e) {
                ch.close();
                Files.deleteIfExists(tmp);
                throw e;
            }
            OutputStream out = new BufferedOutputStream(new FilterOutputStream(Channels.newOutputStream(ch)) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    try {
                        this.out.write(b, off, len);
                    } catch (IOException e) {
                        // "No space left on device" alone does not say which output could not be written.
                        throw new IOException(what + " " + target + ": " + e.getMessage(), e);
                    }
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            }, BUFFER);
            pending.add(new Pending(resolved, tmp, ch, out));
            return out;
        }
    }

    /** At JVM exit (SIGINT, SIGTERM) before the commit: deletes the temporary files, leaving the targets. */
    private void removeAtExit() {
        if (committed) {
            return;
        }
        for (Path p : toRemoveAtExit) {
            try {
                StrayFiles.deleteTree(p);
            } catch (IOException e) {
                // StrayFiles removes it at the next run.
            }
        }
    }

    /** Creates {@code dir} if it does not exist; a rollback removes it again. */
    public synchronized Path directory(String what, Path dir) throws IOException {
        Path p = OutputPaths.outputDirectory(what, dir);
        if (!Files.isDirectory(p)) {
            Files.createDirectory(p);
            madeDirectories.add(p);
            toRemoveAtExit.add(p);
        }
        return p;
    }

    /** Makes every output durable, then renames each onto its target. */
    public synchronized void commit() throws IOException {
        if (committed) {
            throw new IllegalStateException("outputs already committed");
        }
        for (Pending p : pending) {
            p.out().flush();
            p.channel().force(true);
            Files.setPosixFilePermissions(p.tmp(), PosixFilePermissions.fromString("rw-r--r--"));
        }
        Set<Path> dirs = new LinkedHashSet<>();
        for (Pending p : pending) {
            Files.move(p.tmp(), p.target(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            p.channel().close();
            dirs.add(p.target().getParent());
        }
        committed = true;
        for (Path d : dirs) {
            try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (IOException ignored) {
                // Not every filesystem can sync a directory; the renames themselves already happened.
            }
        }
    }

    /** Without a commit: deletes the temporary files and the directories made, and keeps every target. */
    @Override
    public synchronized void close() throws IOException {
        IOException failure = null;
        for (Pending p : pending) {
            try {
                p.channel().close();
                if (!committed) {
                    Files.deleteIfExists(p.tmp());
                }
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        pending.clear();
        if (!committed) {
            for (Path d : madeDirectories) {
                try {
                    Files.deleteIfExists(d);
                } catch (IOException e) {
                    failure = failure == null ? e : failure;
                }
            }
        }
        madeDirectories.clear();
        if (exitCleanup != null) {
            exitCleanup.close();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
