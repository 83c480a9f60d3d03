package io.oci2cfs.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.oci2cfs.batch.BatchTestImages;
import io.oci2cfs.convert.ConvertOptions;
import io.oci2cfs.convert.Converter;
import io.oci2cfs.image.Platform;
import io.oci2cfs.testutil.Cli;
import io.oci2cfs.testutil.Proc;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsckTest {
    @TempDir
    Path tmp;

    @Test
    void findsCorruptStrayAndMissingThenRepairsAndListsTheImagesLeftIncomplete() throws Exception {
        Path store = tmp.resolve("objects");
        Path image = tmp.resolve("app.cfs");
        Converter.convert(BatchTestImages.sources().get(2), image, store,
                ConvertOptions.builder().platform(Platform.parse("linux/amd64")).build(), InputStream.nullInputStream())
                .block();
        Proc.Result clean = Cli.run("fsck", "--objects", store.toString(), image.toString());
        assertThat(clean.code()).as(clean.out() + clean.stderr()).isZero();
        assertThat(clean.stderr()).containsPattern("fsck: [1-9][0-9]* objects checked, 0 problems");

        List<String> objects = new ArrayList<>(new java.util.TreeSet<>(StoreImages.objectsOf(image)));
        Path corrupt = store.resolve(objects.get(0));
        byte[] bytes = Files.readAllBytes(corrupt);
        bytes[bytes.length / 2] ^= 1;
        Files.write(corrupt, bytes);
        Path deleted = store.resolve(objects.get(1));
        Files.delete(deleted);
        Path foreign = Files.writeString(store.resolve("notes.txt"), "not an object");
        Path misnamed = Files.writeString(corrupt.resolveSibling("abc"), "short name");
        Path staging = Files.createDirectories(store.resolve(".staging-123/ab"));

        Proc.Result found;
        Path deadDir;
        Path deadLock;
        try (io.oci2cfs.store.Transaction running = new io.oci2cfs.store.ObjectStore(store).begin()) {
            // A dead process's staging (made after the transaction began: beginning removes such), and this
            // process's own, live, which is not a finding.
            deadDir = Files.createDirectories(store.resolve(".staging-999999-1-7"));
            deadLock = Files.writeString(store.resolve(".staging-999999-1-7.lock"), "");
            found = Cli.run("fsck", "--objects", store.toString(), image.toString(), "--threads", "2");
        }
        assertThat(found.code()).isEqualTo(1);
        assertThat(found.out().lines().toList()).containsExactlyInAnyOrder(
                "staging left by a process: " + deadDir + ": process 999999 is gone",
                "staging left by a process: " + deadLock + ": process 999999 is gone",
                "staging left by a process: " + staging.getParent(),
                "corrupt object: " + corrupt + ": content has digest "
                        + io.oci2cfs.fsverity.FsVerityHasher.hex(io.oci2cfs.fsverity.FsVerityHasher.digestOf(bytes)),
                "not an object: " + misnamed,
                "not an object: " + foreign,
                "missing object: " + image + ": " + objects.get(1));

        Proc.Result repaired = Cli.run("fsck", "--objects", store.toString(), image.toString(), "--repair");
        assertThat(repaired.code()).isEqualTo(1);
        assertThat(repaired.out()).contains("removed: " + corrupt, "removed: " + misnamed, "removed: " + foreign,
                "removed: " + deadDir, "removed: " + deadLock,
                "removed: " + staging.getParent(), "incomplete image: " + image);
        assertThat(corrupt).doesNotExist();
        assertThat(staging.getParent()).doesNotExist();
        assertThat(store.resolve(objects.get(2))).exists();

        Proc.Result after = Cli.run("fsck", "--objects", store.toString());
        assertThat(after.code()).as(after.out()).isZero();
        Proc.Result stillMissing = Cli.run("fsck", "--objects", store.toString(), image.toString());
        assertThat(stillMissing.out().lines()).containsExactlyInAnyOrder(
                "missing object: " + image + ": " + objects.get(0), "missing object: " + image + ": " + objects.get(1));
    }
}
