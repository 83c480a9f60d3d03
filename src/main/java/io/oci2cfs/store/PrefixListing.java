package io.oci2cfs.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The objects a store's prefix directory ({@code xx/}) held when it was listed, so that looking up a new object
 * costs no system call: one listing per prefix directory instead of a {@code stat} per object.
 *
 * <p>Each name is kept as the first 8 bytes of its digest after the prefix (8 bytes of heap per stored object),
 * so {@link #mayHold} is exact for "no" and asks for a check of the file for "yes". Objects that others add
 * later are not seen: such an object is staged again and found at publishing. None can go away meanwhile,
 * since gc needs the store lock a transaction holds shared.
 *
 * <p>A big directory is listed only once enough lookups there would have cost as much in {@code stat}s: a small
 * image converted into a large store should not read the whole store. Until then each lookup checks the file.
 */
final class PrefixListing {
    private static final long[] EMPTY = new long[0];
    /** Not listed (yet, or unreadable): the caller checks the file. */
    private static final long[] CHECK_FILE = new long[0];
    /**
     * Directory bytes whose listing costs about one {@code stat}: an ext4 entry of a 62-character name takes
     * 72 bytes, and a stat from Java costs about what reading and decoding a dozen or so names does.
     */
    private static final long BYTES_PER_STAT = 1024;

    private final Path root;
    private final Prefix[] prefixes = new Prefix[256];

    PrefixListing(Path root) {
        this.root = root;
        Arrays.setAll(prefixes, i -> new Prefix(root.resolve(String.format("%02x", i))));
    }

    /** False when the store held no object of this digest at its listing; true when it may hold one. */
    boolean mayHold(byte[] digest) {
        Prefix p = prefixes[digest[0] & 0xff];
        long[] names = p.names;
        if (names == null) {
            names = p.lookUp();
        }
        return names == CHECK_FILE || Arrays.binarySearch(names, key(digest)) >= 0;
    }

    private static final class Prefix {
        private final Path dir;
        private volatile long[] names;
        /** Lookups left before listing, or -1 before the first one sized the directory. Guarded by this. */
        private long budget = -1;

        Prefix(Path dir) {
            this.dir = dir;
        }

        /** The listing once made (for a missing directory, at once), else {@link #CHECK_FILE}. */
        synchronized long[] lookUp() {
            if (names != null) {
                return names;
            }
            if (budget < 0) {
                try {
                    budget = Files.readAttributes(dir, BasicFileAttributes.class).size() / BYTES_PER_STAT;
                } catch (NoSuchFileException e) {
                    names = EMPTY;
                    return names;
                } catch (IOException e) {
                    names = CHECK_FILE;
                    return names;
                }
            }
            if (budget > 0) {
                budget--;
                return CHECK_FILE;
            }
            names = list(dir);
            return names;
        }
    }

    private static long[] list(Path dir) {
        long[] names = new long[64];
        int n = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (name.length() != 62) {
                    continue;
                }
                long k;
                try {
                    k = HexFormat.fromHexDigitsToLong(name, 0, 16);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (n == names.length) {
                    names = Arrays.copyOf(names, n * 2);
                }
                names[n++] = k;
            }
        } catch (NoSuchFileException e) {
            return EMPTY;
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            return CHECK_FILE;
        }
        long[] sorted = Arrays.copyOf(names, n);
        Arrays.sort(sorted);
        return sorted;
    }

    /** Bytes 1 to 8 of the digest, as {@link #list} reads them from the name's first 16 hex digits. */
    private static long key(byte[] digest) {
        long k = 0;
        for (int i = 1; i <= 8; i++) {
            k = k << 8 | (digest[i] & 0xff);
        }
        return k;
    }
}
