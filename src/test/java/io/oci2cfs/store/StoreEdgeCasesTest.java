package io.oci2cfs.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.testutil.Proc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store another process filled meanwhile, a store mounted read-only. */
class StoreEdgeCasesTest {
    @TempDir
    Path tmp;

    @Test
    void objectsAnotherProcessPublishedFirstCountAsReused() throws IOException {
        ObjectStore store = new ObjectStore(tmp.resolve("objects"));
        List<byte[]> contents = TransactionConcurrencyTest.contentsWithPrefix((byte) 0x3c, 3);
        try (Transaction winner = store.begin(); Transaction loser = store.begin()) {
            // Both stage the same objects before either publishes, as two conversions of one image would.
            for (byte[] c : contents) {
                winner.put(c, c.length);
                loser.put(c, c.length);
            }
            for (byte[] c : contents) {
                winner.keep(FsVerityHasher.digestOf(c, c.length));
                loser.keep(FsVerityHasher.digestOf(c, c.length));
            }
            Transaction.Summary first = winner.commit();
            Transaction.Summary second = loser.commit();
            assertThat(first.added()).isEqualTo(3);
            assertThat(first.reused()).isZero();
            assertThat(second.added()).isZero();
            assertThat(second.reused()).as("objects the loser found published").isEqualTo(3);
        }
    }

    @Test
    void aReadOnlyStoreThatHoldsEveryObjectStillServes() throws IOException {
        // As root, permissions do not stop writes: only a read-only mount does.
        assumeTrue(Proc.isRoot(), "not root: cannot mount a read-only filesystem; skipped");
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Proc.Result tmpfs = Proc.run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt.toString());
        assumeTrue(tmpfs.code() == 0, "cannot mount a tmpfs here (" + tmpfs.stderr().trim() + "): skipped");
        try {
            ObjectStore store = new ObjectStore(mnt.resolve("objects"));
            byte[] held = "held by the store".repeat(10).getBytes(StandardCharsets.UTF_8);
            byte[] missing = "not in the store".repeat(10).getBytes(StandardCharsets.UTF_8);
            try (Transaction tx = store.begin()) {
                tx.put(held, held.length);
                tx.keep(FsVerityHasher.digestOf(held, held.length));
                tx.commit();
            }
            assertThat(Proc.run("mount", "-o", "remount,ro", mnt.toString()).code()).isZero();

            try (Transaction tx = store.begin()) {
                byte[] d = tx.put(held, held.length);
                tx.keep(d);
                Transaction.Summary s = tx.commit();
                assertThat(s.added()).isZero();
                assertThat(s.reused()).isEqualTo(1);
            }
            try (Transaction tx = store.begin()) {
                tx.keep(tx.put(missing, missing.length));
                assertThatThrownBy(tx::commit).hasMessage(store.root() + ": the store cannot be written"
                        + " (Read-only file system) and lacks 1 of the objects needed");
            }
            try (var s = Files.list(store.root())) {
                assertThat(s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(StoreLock.FILE_NAME)).toList())
                        .as("nothing but the object's prefix and the lock file made before the store became read-only")
                        .containsExactly(new ObjectDigest(FsVerityHasher.digestOf(held, held.length)).path()
                                .substring(0, 2));
            }
        } finally {
            Proc.run("umount", mnt.toString());
        }
    }
}
