package io.oci2cfs.fsverity;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Streaming fs-verity digest: feed the file bytes with {@link #update}, then call {@link #digest()} once.
 *
 * <p>The Merkle tree is built bottom-up while data streams in, so memory is one 4 KiB buffer per tree level.
 * An empty file has an all-zero root hash, as in the kernel (libcomposefs hashes a zero block instead, but it
 * never measures empty files).
 */
public final class FsVerityHasher {
    public static final int BLOCK_SIZE = 4096;
    public static final int DIGEST_SIZE = 32;
    private static final int LOG_BLOCK_SIZE = 12;
    private static final int HASH_ALG_SHA256 = 1;

    private final MessageDigest sha256 = newSha256();
    private final List<Level> levels = new ArrayList<>();
    private final byte[] block = new byte[BLOCK_SIZE];
    private int blockFill;
    private long size;
    private boolean done;

    private static final class Level {
        final byte[] buf = new byte[BLOCK_SIZE];
        int fill;
        long count;
    }

    public static byte[] digestOf(byte[] data) {
        return digestOf(data, data.length);
    }

    public static byte[] digestOf(byte[] data, int len) {
        FsVerityHasher h = new FsVerityHasher();
        h.update(data, 0, len);
        return h.digest();
    }

    /** The digest of everything {@code in} holds from where it is to its end (the bytes, never the kernel's). */
    public static byte[] digestOf(java.io.InputStream in) throws java.io.IOException {
        FsVerityHasher h = new FsVerityHasher();
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) >= 0; ) {
            h.update(buf, 0, n);
        }
        return h.digest();
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
                hashDataBlock(data, off);
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
                hashDataBlock(block, 0);
                blockFill = 0;
                while (len >= BLOCK_SIZE) {
                    hashDataBlock(data, off);
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

    /** Finishes the tree and returns the 32-byte digest of the fs-verity descriptor. */
    public byte[] digest() {
        checkOpen();
        done = true;
        byte[] root = new byte[DIGEST_SIZE];
        if (size > 0) {
            if (blockFill > 0) {
                Arrays.fill(block, blockFill, BLOCK_SIZE, (byte) 0);
                hashDataBlock(block, 0);
            }
            for (int i = 0; ; i++) {
                Level level = levels.get(i);
                if (level.count == 1) {
                    System.arraycopy(level.buf, 0, root, 0, DIGEST_SIZE);
                    break;
                }
                if (level.fill > 0) {
                    Arrays.fill(level.buf, level.fill, BLOCK_SIZE, (byte) 0);
                    pushHash(i + 1, hashBlock(level.buf, 0));
                    level.fill = 0;
                }
            }
        }
        byte[] descriptor = new byte[256];
        descriptor[0] = 1;
        descriptor[1] = HASH_ALG_SHA256;
        descriptor[2] = LOG_BLOCK_SIZE;
        ByteBuffer.wrap(descriptor).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(8, size);
        System.arraycopy(root, 0, descriptor, 16, DIGEST_SIZE);
        sha256.reset();
        return sha256.digest(descriptor);
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException("digest() was already called");
        }
    }

    private void hashDataBlock(byte[] data, int off) {
        pushHash(0, hashBlock(data, off));
    }

    private byte[] hashBlock(byte[] data, int off) {
        sha256.update(data, off, BLOCK_SIZE);
        return sha256.digest();
    }

    private void pushHash(int levelIndex, byte[] hash) {
        if (levelIndex == levels.size()) {
            levels.add(new Level());
        }
        Level level = levels.get(levelIndex);
        System.arraycopy(hash, 0, level.buf, level.fill, DIGEST_SIZE);
        level.fill += DIGEST_SIZE;
        level.count++;
        if (level.fill == BLOCK_SIZE) {
            pushHash(levelIndex + 1, hashBlock(level.buf, 0));
            level.fill = 0;
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
