package io.oci2cfs.fsverity;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Streaming fs-verity digest: feed the file bytes with {@link #update}, then call {@link #digest()} once.
 * SHA-256 unless another {@link HashAlgorithm} is given; the Merkle tree and the descriptor use the same hash.
 *
 * <p>The Merkle tree is built bottom-up while data streams in, so memory is one 4 KiB buffer per tree level.
 * An empty file has an all-zero root hash, as in the kernel (libcomposefs hashes a zero block instead, but it
 * never measures empty files).
 */
public final class FsVerityHasher {
    public static final int BLOCK_SIZE = 4096;
    /** The size of a SHA-256 digest, the store's and the image's. */
    public static final int DIGEST_SIZE = 32;
    private static final int LOG_BLOCK_SIZE = 12;
    private static final int DESCRIPTOR_SIZE = 256;
    private static final int DESCRIPTOR_ROOT_HASH = 16;

    private final HashAlgorithm algorithm;
    private final int digestSize;
    private final MessageDigest hash;
    private final List<Level> levels = new ArrayList<>();
    private final byte[] block = new byte[BLOCK_SIZE];
    /**
     * A SHA-256 hasher per thread for one digest at a time: a tree has tens of thousands of files, and a new
     * hasher for each is several KiB of buffers and a provider lookup.
     */
    private static final ThreadLocal<FsVerityHasher> PER_THREAD = ThreadLocal.withInitial(FsVerityHasher::new);
    private int blockFill;
    private long size;
    private boolean done;

    private static final class Level {
        final byte[] buf = new byte[BLOCK_SIZE];
        int fill;
        long count;
    }

    /** A SHA-256 hasher, the algorithm of the object store and of composefs image digests. */
    public FsVerityHasher() {
        this(HashAlgorithm.SHA256);
    }

    public FsVerityHasher(HashAlgorithm algorithm) {
        this.algorithm = algorithm;
        this.digestSize = algorithm.digestSize();
        this.hash = algorithm.newDigest();
    }

    public static byte[] digestOf(byte[] data) {
        return digestOf(data, data.length);
    }

    public static byte[] digestOf(byte[] data, int len) {
        FsVerityHasher h = forThisThread();
        h.update(data, 0, len);
        return h.digest();
    }

    public static byte[] digestOf(byte[] data, HashAlgorithm algorithm) {
        FsVerityHasher h = new FsVerityHasher(algorithm);
        h.update(data, 0, data.length);
        return h.digest();
    }

    /** The digest of {@code file}'s bytes, computed in user space. */
    public static byte[] digestOf(Path file, HashAlgorithm algorithm) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return digestOf(in, algorithm);
        }
    }

    /** The digest of everything {@code in} holds from where it is to its end (the bytes, never the kernel's). */
    public static byte[] digestOf(InputStream in, HashAlgorithm algorithm) throws IOException {
        FsVerityHasher h = new FsVerityHasher(algorithm);
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) >= 0; ) {
            h.update(buf, 0, n);
        }
        return h.digest();
    }

    /** As {@link #digestOf(InputStream, HashAlgorithm)} with SHA-256, the store's algorithm. */
    public static byte[] digestOf(InputStream in) throws IOException {
        return digestOf(in, HashAlgorithm.SHA256);
    }

    /**
     * This thread's SHA-256 hasher, reset: for one digest, finished before the thread asks again. Its
     * buffers are reused from one file to the next.
     */
    public static FsVerityHasher forThisThread() {
        return PER_THREAD.get().reset();
    }

    /** Starts a new digest, keeping the buffers. */
    public FsVerityHasher reset() {
        for (Level level : levels) {
            level.fill = 0;
            level.count = 0;
        }
        blockFill = 0;
        size = 0;
        done = false;
        hash.reset();
        return this;
    }

    public HashAlgorithm algorithm() {
        return algorithm;
    }

    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    public long size() {
        return size;
    }

    public void update(byte[] data, int off, int len) {
        checkOpen();
        size += len;
        if (blockFill == 0) {
            while (len >= BLOCK_SIZE) {
                hashInto(0, data, off);
                off += BLOCK_SIZE;
                len -= BLOCK_SIZE;
            }
        }
        while (len > 0) {
            int n = Math.min(len, BLOCK_SIZE - blockFill);
            System.arraycopy(data, off, block, blockFill, n);
            blockFill += n;
            off += n;
            len -= n;
            if (blockFill == BLOCK_SIZE) {
                hashInto(0, block, 0);
                blockFill = 0;
                while (len >= BLOCK_SIZE) {
                    hashInto(0, data, off);
                    off += BLOCK_SIZE;
                    len -= BLOCK_SIZE;
                }
            }
        }
    }

    public void update(ByteBuffer buf) {
        if (buf.hasArray()) {
            update(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
            buf.position(buf.limit());
            return;
        }
        byte[] tmp = new byte[Math.min(buf.remaining(), 64 * 1024)];
        while (buf.hasRemaining()) {
            int n = Math.min(tmp.length, buf.remaining());
            buf.get(tmp, 0, n);
            update(tmp, 0, n);
        }
    }

    /**
     * The leaf hashes of {@code count} full data blocks from {@code data[off]}, back to back into
     * {@code hashes[hashOff]}: the work of {@link #update} that callers may split across threads and hand back
     * with {@link #updateHashedBlocks}.
     */
    public static void hashBlocks(HashAlgorithm algorithm, byte[] data, int off, int count, byte[] hashes,
            int hashOff) {
        MessageDigest md = algorithm.newDigest();
        int size = algorithm.digestSize();
        try {
            for (int i = 0; i < count; i++) {
                md.update(data, off + i * BLOCK_SIZE, BLOCK_SIZE);
                md.digest(hashes, hashOff + i * size, size);
            }
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Takes {@code count} full data blocks by their leaf hashes ({@link #hashBlocks}), as {@link #update} of
     * those blocks would; only where the data so far is a whole number of blocks.
     */
    public void updateHashedBlocks(byte[] hashes, int count) {
        checkOpen();
        if (blockFill != 0) {
            throw new IllegalStateException("hashed blocks must start at a block boundary");
        }
        Level leaves = level(0);
        for (int i = 0; i < count; i++) {
            System.arraycopy(hashes, i * digestSize, leaves.buf, leaves.fill, digestSize);
            added(0, leaves);
        }
        size += (long) count * BLOCK_SIZE;
    }

    /** Finishes the tree and returns the digest of the fs-verity descriptor (32 or 64 bytes). */
    public byte[] digest() {
        checkOpen();
        done = true;
        byte[] root = new byte[digestSize];
        if (size > 0) {
            if (blockFill > 0) {
                Arrays.fill(block, blockFill, BLOCK_SIZE, (byte) 0);
                hashInto(0, block, 0);
            }
            for (int i = 0; ; i++) {
                Level level = levels.get(i);
                if (level.count == 1) {
                    System.arraycopy(level.buf, 0, root, 0, digestSize);
                    break;
                }
                if (level.fill > 0) {
                    Arrays.fill(level.buf, level.fill, BLOCK_SIZE, (byte) 0);
                    level.fill = 0;
                    hashInto(i + 1, level.buf, 0);
                }
            }
        }
        // struct fsverity_descriptor: version, hash_algorithm, log_blocksize, salt_size, reserved, data_size,
        // root_hash[64] (zero-padded for SHA-256), salt, reserved
        byte[] descriptor = new byte[DESCRIPTOR_SIZE];
        descriptor[0] = 1;
        descriptor[1] = (byte) algorithm.id();
        descriptor[2] = LOG_BLOCK_SIZE;
        ByteBuffer.wrap(descriptor).order(ByteOrder.LITTLE_ENDIAN).putLong(8, size);
        System.arraycopy(root, 0, descriptor, DESCRIPTOR_ROOT_HASH, digestSize);
        hash.reset();
        return hash.digest(descriptor);
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException("digest() was already called");
        }
    }

    /**
     * Hashes the full block at {@code data[off]} (data, or a block of level {@code levelIndex - 1}) straight
     * into the next slot of level {@code levelIndex}.
     */
    private void hashInto(int levelIndex, byte[] data, int off) {
        hash.update(data, off, BLOCK_SIZE);
        Level level = level(levelIndex);
        try {
            hash.digest(level.buf, level.fill, digestSize);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
        added(levelIndex, level);
    }

    private Level level(int levelIndex) {
        if (levelIndex == levels.size()) {
            levels.add(new Level());
        }
        return levels.get(levelIndex);
    }

    /** Counts the hash just put in {@code level}; a full level block is hashed into the level above. */
    private void added(int levelIndex, Level level) {
        level.fill += digestSize;
        level.count++;
        if (level.fill == BLOCK_SIZE) {
            level.fill = 0;
            hashInto(levelIndex + 1, level.buf, 0);
        }
    }
}
