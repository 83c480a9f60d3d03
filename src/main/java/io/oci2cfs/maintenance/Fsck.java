package io.oci2cfs.maintenance;

import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.store.ObjectDigest;
import io.oci2cfs.store.StoreLock;
import io.oci2cfs.store.StrayFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Stream;

/**
 * Checks a store: every object's content has the fs-verity digest its name says (computed from the bytes, in
 * parallel), everything else in the store is reported, and each listed image's objects are there. With
 * repair, corrupt and stray files are removed (holding the store lock alone, so that no conversion's staging
 * directory is live meanwhile) and the images that lack objects afterwards are listed.
 */
public final class Fsck {
    private Fsck() {
    }

    /** What is wrong with one path. */
    public enum Kind {
        /** An object whose content does not have the digest its name says. */
        CORRUPT("corrupt object"),
        /** A file or directory that is not an object, nor a prefix directory, nor the lock file. */
        STRAY("not an object"),
        /**
         * A transaction's staging directory or its lock file whose process is gone (or whose name does not say
         * which process made it); a running conversion's is not a finding.
         */
        STAGING("staging left by a process"),
        /** An object a listed image references that the store lacks. */
        MISSING("missing object");

        private final String text;

        Kind(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /**
     * One finding. For {@link Kind#MISSING}, {@code path} is the image and {@code detail} the object's
     * store-relative path; for {@link Kind#CORRUPT}, {@code detail} is the digest of its content.
     */
    public record Problem(Kind kind, Path path, String detail) {
        /** {@code KIND: PATH[: DETAIL]}, one line. */
        public String line() {
            return kind.text() + ": " + path + (detail == null ? "" : ": " + detail);
        }
    }

    /**
     * @param objects objects checked
     * @param problems what was found, in path order (missing objects last)
     * @param removed with repair, the paths removed
     * @param incomplete with repair, the listed images that lack objects afterwards
     */
    public record Result(long objects, List<Problem> problems, List<Path> removed, List<Path> incomplete) {
        public boolean clean() {
            return problems.isEmpty();
        }
    }

    public static Result run(Path store, List<Path> images, boolean repair, int threads) throws IOException {
        if (!Files.isDirectory(store)) {
            throw new IOException(store + ": not a directory");
        }
        try (StoreLock.Hold lock = repair ? StoreLock.exclusive(store) : null) {
            List<Problem> problems = new ArrayList<>();
            List<Path> objects = new ArrayList<>();
            scan(store, objects, problems);
            problems.addAll(corrupt(objects, threads));
            problems.sort(Comparator.comparing((Problem p) -> p.path().toString()));
            List<Problem> missing = missing(store, images);
            problems.addAll(missing);
            if (!repair) {
                return new Result(objects.size(), List.copyOf(problems), List.of(), List.of());
            }
            List<Path> removed = new ArrayList<>();
            for (Problem p : problems) {
                if (p.kind() != Kind.MISSING) {
                    deleteTree(p.path());
                    removed.add(p.path());
                }
            }
            Set<Path> incomplete = new TreeSet<>();
            for (Problem p : missing(store, images)) {
                incomplete.add(p.path());
            }
            return new Result(objects.size(), List.copyOf(problems), List.copyOf(removed), List.copyOf(incomplete));
        }
    }

    /** Sorts the store's entries into objects and problems. */
    private static void scan(Path store, List<Path> objects, List<Problem> problems) throws IOException {
        List<Path> top;
        try (Stream<Path> s = Files.list(store)) {
            top = s.sorted().toList();
        }
        Map<Path, StrayFiles.Stray> staging = new HashMap<>();
        for (StrayFiles.Stray st : StrayFiles.inStore(store)) {
            staging.put(st.path(), st);
        }
        for (Path p : top) {
            String name = p.getFileName().toString();
            boolean dir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
            if (name.equals(StoreLock.FILE_NAME) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            StrayFiles.Stray st = staging.get(p);
            if (st != null) {
                if (st.owner() != null && st.ownerAlive()) {
                    continue; // a conversion running now
                }
                problems.add(new Problem(Kind.STAGING, p, st.owner() == null ? null
                        : "process " + st.owner().pid() + " is gone"));
            } else if (!dir || !ObjectDigest.isDirectoryName(name)) {
                problems.add(new Problem(Kind.STRAY, p, null));
            } else {
                try (Stream<Path> s = Files.list(p)) {
                    for (Path f : (Iterable<Path>) s.sorted()::iterator) {
                        if (ObjectDigest.isFileName(f.getFileName().toString())
                                && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                            objects.add(f);
                        } else {
                            problems.add(new Problem(Kind.STRAY, f, null));
                        }
                    }
                }
            }
        }
    }

    /** Hashes every object on {@code threads} threads; objects deleted meanwhile (by gc) are not findings. */
    private static List<Problem> corrupt(List<Path> objects, int threads) throws IOException {
        List<Problem> found = Collections.synchronizedList(new ArrayList<>());
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
        try {
            pool.submit(() -> objects.parallelStream().forEach(f -> {
                String named = f.getParent().getFileName() + "/" + f.getFileName();
                ObjectDigest actual;
                try (InputStream in = Files.newInputStream(f)) {
                    actual = new ObjectDigest(FsVerityHasher.digestOf(in));
                } catch (NoSuchFileException e) {
                    return;
                } catch (IOException e) {
                    // Unreadable content (an I/O error, or verity refusing a damaged block) is corrupt too.
                    found.add(new Problem(Kind.CORRUPT, f, "unreadable: " + e.getMessage()));
                    return;
                }
                if (!actual.path().equals(named)) {
                    found.add(new Problem(Kind.CORRUPT, f, "content has digest " + actual));
                }
            })).get();
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while checking objects");
        } finally {
            pool.shutdown();
        }
        return new ArrayList<>(found);
    }

    /** The objects each image references that the store lacks, image by image. */
    private static List<Problem> missing(Path store, List<Path> images) throws IOException {
        List<Problem> out = new ArrayList<>();
        for (Path image : images) {
            for (String rel : new TreeSet<>(StoreImages.objectsOf(image))) {
                if (!Files.isRegularFile(store.resolve(rel), LinkOption.NOFOLLOW_LINKS)) {
                    out.add(new Problem(Kind.MISSING, image, rel));
                }
            }
        }
        return out;
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.walk(p)) {
                for (Path q : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(q);
                }
            }
        } else {
            Files.deleteIfExists(p);
        }
    }
}
