package io.oci2cfs.erofs;

import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.fsverity.HashAlgorithm;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes bytes through while counting them and, when asked to, computing their fs-verity digest. The leaf
 * hashes, nearly all of the digest's work, are computed a chunk at a time on the writer's workers.
 */
final class DigestingOutput {
    private static final byte[] ZEROS = new byte[Format.BLOCK];
    private static final HashAlgorithm ALGORITHM = HashAlgorithm.SHA256;
    /** Blocks whose leaf hashes are computed at once: few enough hand-overs that they cost nothing. */
    private static final int CHUNK_BLOCKS = 1024;

    private final OutputStream out;
    private final FsVerityHasher hasher;
    private final Workers workers;
    private final byte[] pending;
    private final byte[] hashes;
    private int pendingFill;
    private long written;

    DigestingOutput(OutputStream out, boolean digest, Workers workers) {
        this.out = out;
        this.hasher = digest ? new FsVerityHasher(ALGORITHM) : null;
        this.workers = workers;
        this.pending = digest ? new byte[CHUNK_BLOCKS * FsVerityHasher.BLOCK_SIZE] : null;
        this.hashes = digest ? new byte[CHUNK_BLOCKS * ALGORITHM.digestSize()] : null;
    }

    void write(byte[] b) throws IOException {
        write(b, b.length);
    }

    private void write(byte[] b, int len) throws IOException {
        out.write(b, 0, len);
        written += len;
        if (hasher == null) {
            return;
        }
        for (int off = 0; off < len; ) {
            int n = Math.min(len - off, pending.length - pendingFill);
            System.arraycopy(b, off, pending, pendingFill, n);
            pendingFill += n;
            off += n;
            if (pendingFill == pending.length) {
                hashPending();
            }
        }
    }

    void zeros(long n) throws IOException {
        if (n < 0) {
            throw new IllegalStateException("layout overlap: " + n + " bytes back at " + written);
        }
        while (n > 0) {
            int k = (int) Math.min(n, ZEROS.length);
            write(ZEROS, k);
            n -= k;
        }
    }

    /** Hashes the pending full blocks in parallel and hands their hashes to the tree, keeping a partial block. */
    private void hashPending() {
        int blocks = pendingFill / FsVerityHasher.BLOCK_SIZE;
        int size = ALGORITHM.digestSize();
        int perTask = Math.max(1, (blocks + workers.parallelism() - 1) / workers.parallelism());
        workers.forEach(0, (blocks + perTask - 1) / perTask, t -> {
            int first = t * perTask;
            int count = Math.min(perTask, blocks - first);
            FsVerityHasher.hashBlocks(ALGORITHM, pending, first * FsVerityHasher.BLOCK_SIZE, count, hashes, first * size);
        });
        hasher.updateHashedBlocks(hashes, blocks);
        int rest = pendingFill - blocks * FsVerityHasher.BLOCK_SIZE;
        System.arraycopy(pending, blocks * FsVerityHasher.BLOCK_SIZE, pending, 0, rest);
        pendingFill = rest;
    }

    long written() {
        return written;
    }

    /** The fs-verity digest of what was written, or null when it was not computed. */
    byte[] digest() {
        if (hasher == null) {
            return null;
        }
        hashPending();
        hasher.update(pending, 0, pendingFill);
        pendingFill = 0;
        return hasher.digest();
    }
}
