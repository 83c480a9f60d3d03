package io.oci2cfs.cli;

import io.oci2cfs.error.BadInputException;
import io.oci2cfs.error.UsageException;
import io.oci2cfs.maintenance.Fsck;
import io.oci2cfs.maintenance.Gc;
import io.oci2cfs.maintenance.StoreImages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code oci2cfs gc} and {@code oci2cfs fsck}: keeping an object store. */
final class MaintenanceCommands {
    private MaintenanceCommands() {
    }

    @Command(name = "gc", description = "Delete the objects none of the listed images references.")
    static final class GcCommand implements Callable<Integer> {
        @Option(names = "--objects", required = true, paramLabel = "DIR", description = "The object store.")
        Path objects;

        @Parameters(arity = "0..*", paramLabel = "IMAGE", description = "Images whose objects to keep.")
        List<Path> images = new ArrayList<>();

        @Option(names = "--images-dir", paramLabel = "DIR", description = "Also keep what every *.cfs below DIR references.")
        List<Path> imageDirs = new ArrayList<>();

        @Option(names = "--dry-run", description = "List what would be deleted, delete nothing.")
        boolean dryRun;

        @Option(names = "--grace", paramLabel = "MINUTES", defaultValue = "10",
                description = "Keep objects modified less than this long ago (default 10), for writers that do not take the store lock.")
        long graceMinutes;

        @Override
        public Integer call() throws Exception {
            if (images.isEmpty() && imageDirs.isEmpty()) {
                throw new UsageException("name the images to keep (IMAGE... or --images-dir DIR): "
                        + "with none, every object would go");
            }
            for (Path p : images) {
                if (!java.nio.file.Files.isRegularFile(p)) {
                    throw new BadInputException(p + ": no such image");
                }
            }
            if (graceMinutes < 0) {
                throw new UsageException("--grace must not be negative, got " + graceMinutes);
            }
            Gc.Result r = Gc.run(objects, () -> {
                List<Path> all = new ArrayList<>(images);
                for (Path d : imageDirs) {
                    all.addAll(StoreImages.below(d));
                }
                return all;
            }, Duration.ofMinutes(graceMinutes), dryRun);
            if (dryRun) {
                r.deleted().forEach(System.out::println);
            }
            System.err.printf("gc: %s%d objects (%.1f MB), kept %d referenced and %d recent%n",
                    dryRun ? "would delete " : "deleted ", r.deleted().size(), r.bytesDeleted() / 1e6,
                    r.objectsKept(), r.objectsTooRecent());
            return 0;
        }
    }

    @Command(name = "fsck", description = "Check that every object has the digest its name says; find strays and missing objects.")
    static final class FsckCommand implements Callable<Integer> {
        @Option(names = "--objects", required = true, paramLabel = "DIR", description = "The object store.")
        Path objects;

        @Parameters(arity = "0..*", paramLabel = "IMAGE", description = "Images whose objects must be there.")
        List<Path> images = new ArrayList<>();

        @Option(names = "--repair", description = "Remove corrupt and stray files, then list the images left incomplete.")
        boolean repair;

        @Option(names = "--threads", paramLabel = "N", description = "Objects hashed at once (default: CPUs).")
        Integer threads;

        @Override
        public Integer call() throws Exception {
            int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
            if (n < 1) {
                throw new UsageException("invalid threads count " + n);
            }
            Fsck.Result r = Fsck.run(objects, images, repair, n);
            for (Fsck.Problem p : r.problems()) {
                System.out.println(p.line());
            }
            for (Path p : r.removed()) {
                System.out.println("removed: " + p);
            }
            for (Path p : r.incomplete()) {
                System.out.println("incomplete image: " + p);
            }
            System.err.printf("fsck: %d objects checked, %d problems%s%n", r.objects(), r.problems().size(),
                    repair ? ", " + r.removed().size() + " removed, " + r.incomplete().size() + " images incomplete" : "");
            return r.clean() ? 0 : 1;
        }
    }
}
