package io.oci2cfs.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The objects a store's prefix directory ({@code xx/}) held when it was first asked about, read with one
 * directory listing instead of a {@code stat} per object: a new object then costs no system call to look up.
 *
 * <p>Each name is kept as the first 8 bytes of its digest after the prefix (8 bytes of heap per stored object),
 * so {@link #mayHold} is exact for "no" and asks for a check of the file for "yes". Objects that others add
 * later are not seen: such an object is staged again and found at publishing. None can go away meanwhile,
 * since gc needs the store lock a transaction holds shared.
 */
final class PrefixListing {
    private static final long[] EMPTY = new long[0];
    /** A prefix directory that could not be read: every lookup there checks the file. */
    private static final long[] UNREADABLE = new long[0];

    private final Path root;
    private final AtomicReferenceArray<long[]> byPrefix = new AtomicReferenceArray<>(256);
    private final Object[] locks = new Object[256];

    PrefixListing(Path root) {
        this.root = root;
        Arrays.setAll(locks, i -> new Object());
    }

    /** False when the store held no object of this digest at its listing; true when it may hold one. */
    boolean mayHold(byte[] digest) {
        long[] names = listed(digest[0] & 0xff);
        return names == UNREADABLE || Arrays.binarySearch(names, key(digest)) >= 0;
    }

    private long[] listed(int prefix) {
        long[] names = byPrefix.get(prefix);
        if (names != null) {
            return names;
        }
        synchronized (locks[prefix]) {
            names = byPrefix.get(prefix);
            if (names == null) {
                names = list(root.resolve(String.format("%02x", prefix)));
                byPrefix.set(prefix, names);
            }
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
            return UNREADABLE;
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
