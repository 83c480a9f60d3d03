package io.oci2cfs.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.output.OutputFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Owners of staging directories and temporary outputs: who is alive, and what the next run removes. */
class StrayFilesTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void needsProc() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "no /proc: owners cannot be told apart here");
    }

    /** An owner that no longer runs: a process that has exited. */
    private static Owner deadOwner() throws Exception {
        Process p = new ProcessBuilder("sleep", "0.01").start();
        long start = Owner.startTicks(p.pid());
        p.waitFor();
        return new Owner(p.pid(), start == 0 ? 1 : start);
    }

    @Test
    void thisProcessIsAliveAnExitedOneIsNotNorOneWithAnotherStartTime() throws Exception {
        Owner me = Owner.current();
        assertThat(me.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(me.startTicks()).isPositive();
        assertThat(me.alive()).isTrue();
        assertThat(new Owner(me.pid(), me.startTicks() + 1).alive()).as("same pid, other start time").isFalse();

        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            Owner other = new Owner(sleeper.pid(), Owner.startTicks(sleeper.pid()));
            assertThat(other.alive()).isTrue();
            sleeper.destroyForcibly().waitFor();
            assertThat(other.alive()).isFalse();
        } finally {
            sleeper.destroyForcibly();
        }
        assertThat(deadOwner().alive()).isFalse();
    }

    @Test
    void aNewTransactionRemovesWhatDeadOwnersLeftAndKeepsTheRest() throws Exception {
        Path store = Files.createDirectory(tmp.resolve("objects"));
        Owner dead = deadOwner();
        Path deadStaging = Files.createDirectories(store.resolve(".staging-" + dead.tag() + "-7/ab"));
        Files.writeString(deadStaging.resolve("cdef"), "half an object");
        Files.createFile(store.resolve(".staging-" + dead.tag() + "-7.lock"));
        Files.createDirectory(store.resolve(".staging-" + dead.tag() + "-8")); // its lock file never made
        Files.createFile(store.resolve(".staging-" + dead.tag() + "-9.lock")); // its directory never made
        Path legacy = Files.createDirectory(store.resolve(".staging-1234567890123"));
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            Owner live = new Owner(sleeper.pid(), Owner.startTicks(sleeper.pid()));
            Path liveStaging = Files.createDirectory(store.resolve(".staging-" + live.tag() + "-1"));
            Path liveLock = Files.createFile(store.resolve(".staging-" + live.tag() + "-1.lock"));

            assertThat(StrayFiles.inStore(store)).filteredOn(StrayFiles.Stray::removable).hasSize(4);
            try (Transaction tx = new ObjectStore(store).begin()) {
                try (var s = Files.list(store)) {
                    assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.contains(dead.tag()))).isEmpty();
                }
                assertThat(legacy).isDirectory();
                assertThat(liveStaging).isDirectory();
                assertThat(liveLock).isRegularFile();
                assertThat(StrayFiles.inStore(store)).filteredOn(s -> s.owner() != null
                        && s.owner().equals(Owner.current())).hasSize(2).allMatch(s -> s.ownerAlive());
            }
            List<StrayFiles.Stray> left = StrayFiles.inStore(store);
            assertThat(left).extracting(s -> s.path().getFileName().toString()).containsExactlyInAnyOrder(
                    legacy.getFileName().toString(), liveStaging.getFileName().toString(),
                    liveLock.getFileName().toString());
            assertThat(left).noneMatch(StrayFiles.Stray::removable);
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void temporaryOutputsOfDeadOwnersGoWhenTheNextOutputIsWritten() throws Exception {
        Owner dead = deadOwner();
        Path deadTemp = Files.writeString(tmp.resolve(".app.cfs." + dead.tag() + ".3.tmp"), "half an image");
        Path legacy = Files.writeString(tmp.resolve(".app.cfs.4242.3.tmp"), "older version's");
        Path unrelated = Files.writeString(tmp.resolve(".notes.tmp"), "not ours");
        try (OutputFiles outputs = new OutputFiles()) {
            try (OutputStream out = outputs.open("image", tmp.resolve("app.cfs"))) {
                out.write(1);
            }
            assertThat(deadTemp).doesNotExist();
            assertThat(StrayFiles.temporaryOutputs(tmp)).hasSize(2).filteredOn(s -> s.owner() != null)
                    .singleElement().matches(s -> s.owner().equals(Owner.current()) && s.ownerAlive());
            outputs.commit();
        }
        assertThat(legacy).exists();
        assertThat(unrelated).exists();
        assertThat(Files.readAllBytes(tmp.resolve("app.cfs"))).containsExactly(1);
    }

    /**
     * A process of another PID namespace is not in our {@code /proc}: its staging directory looks dead by name,
     * but its lock says it is alive. Simulated by a child JVM that holds the lock of a directory named for a
     * process that has exited.
     */
    @Test
    void aHeldLockKeepsAStagingDirectoryWhoseOwnerProcDoesNotShow() throws Exception {
        Path store = Files.createDirectory(tmp.resolve("objects"));
        Owner looksDead = deadOwner();
        Path staging = Files.createDirectory(store.resolve(".staging-" + looksDead.tag() + "-1"));
        Path lock = Files.createFile(store.resolve(".staging-" + looksDead.tag() + "-1.lock"));
        Path locker = Files.writeString(tmp.resolve("Locker.java"), """
                import java.nio.channels.FileChannel;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;
                public class Locker {
                    public static void main(String[] a) throws Exception {
                        FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.WRITE);
                        ch.lock();
                        System.out.println("locked");
                        Thread.sleep(120_000);
                    }
                }
                """);
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                locker.toString(), lock.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("locked");
            assertThat(StrayFiles.inStore(store)).hasSize(2).allMatch(StrayFiles.Stray::ownerAlive);
            new ObjectStore(store).begin().close();
            assertThat(staging).isDirectory();
            assertThat(lock).isRegularFile();

            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            assertThat(StrayFiles.inStore(store)).hasSize(2).allMatch(StrayFiles.Stray::removable);
            new ObjectStore(store).begin().close();
            assertThat(staging).doesNotExist();
            assertThat(lock).doesNotExist();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void deleteTreeRemovesNestedFilesAndToleratesAMissingPath() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("a/b/c"));
        Files.writeString(root.resolve("f"), "x");
        StrayFiles.deleteTree(tmp.resolve("a"));
        assertThat(tmp.resolve("a")).doesNotExist();
        StrayFiles.deleteTree(tmp.resolve("a"));
    }
}
