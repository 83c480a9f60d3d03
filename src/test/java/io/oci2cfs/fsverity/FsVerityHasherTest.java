package io.oci2cfs.fsverity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.testutil.ErofsTools;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming hasher against {@code fsverity digest} (fsverity-utils), on deterministic files whose sizes
 * sit on the block and Merkle-level boundaries, fed in odd chunk sizes. The digests the tool printed for
 * these files are pinned too, so the test still checks something where the tool is not installed.
 */
class FsVerityHasherTest {
    private static final long MIB = 1 << 20;
    /** 16385 data blocks: 129 level-0 hash blocks, 2 level-1 blocks, 1 level-2 block. */
    private static final long THREE_LEVELS = 128L * 128 * 4096 + 1;
    private static final int[] CHUNKS = {1, 7, 4095, 4097, 100_003, 3, 65_536, 12_289};

    /** {@code fsverity digest} output (fsverity-utils 1.5) for {@link #content} of each size. */
    private static final Map<Long, String> PINNED = Map.of(
            0L, "3d248ca542a24fc62d1c43b916eae5016878e2533c88238480b26128a1f1af95",
            1L, "b803429503d95915829b29fdbc8bbad142f3abfd11b1cadf5526582e685c0551",
            4095L, "363ddf207fa6012546def04fa2b40bda74b8cbc4b924ace258b63f7407146bd7",
            4096L, "d2f62dcbc513eed64028e2ce55494d8905129d276020f4ec1d76c9f53d3d12ff",
            4097L, "595419388808a4f923ea459f8fa1bf3bd3980d44047aebc8413c4a73f0af1205",
            MIB + 3, "9e838b5bf1bbec1b22569ee331e9815c580479c1972a51704a4ab4d7684352c6",
            THREE_LEVELS, "6b6a63442c99ca997455df92247e68102310e36670e020f62fe5f5b6bd1e210a");

    /** SHA-512 has 64 hashes per block: 65 data blocks need a second level, 64 * 64 + 1 a third. */
    private static final long SHA512_THREE_LEVELS = 64L * 64 * 4096 + 1;

    /** {@code fsverity digest --hash-alg=sha512} output (fsverity-utils 1.5) for {@link #content} of each size. */
    private static final Map<Long, String> PINNED_SHA512 = Map.of(
            0L, "ccf9e5aea1c2a64efa2f2354a6024b90dffde6bbc017825045dce374474e13d1"
                    + "0adb9dadcc6ca8e17a3c075fbd31336e8f266ae6fa93a6c3bed66f9e784e5abf",
            1L, "9fcf5172b085b1c8f9365eecb37a1869e193a4705654a5829f11939cd01d5c0f"
                    + "d97276be8cd9d49f76cfc8dcfeb80f8128e3548a1de50b56912b9e3fc7bde27b",
            4096L, "7f992af5d16f15b3faf85872597b8b51961ccd9d3c55ce9d7818dec3a1b91c0c"
                    + "365a55771765dc2bd270edd4706ee745288264946351e92e624647d8d3b48fdc",
            4097L, "6601ff7bf0c07f311e5dadc99ae984ffb06b7ff176a9398ac0808fb71fb9d799"
                    + "b0308f2fbbd7fb44bca33f0cc9dff6b840e9190cc1d1aedde8509aa7b9f39e7f",
            64L * 4096, "5925dcabe588cc2b962a5cd28f139e4da841c23a13cbae801871e36779978891"
                    + "f10b19bd6746408ec4e5c1b364372cf8e6242b17658f25f9a171f1732f0efe08",
            64L * 4096 + 1, "43b2be918785b16237325f118d1dfde47b589e0ca36cc529faed75222498e0d4"
                    + "f16f28a755c4349b476c8d8f2d718a4b79bf73630ffb12562e201cf5bbf430a4",
            SHA512_THREE_LEVELS, "9192fe5c78ec73b0338226ebc9314fee502c4dbf2295ac841a4e76713a0b67d7"
                    + "3e09cd701f746dca1fca47875ceea0c64e7a78d2d7169c3fe259f9a44391b45d");

    @TempDir
    Path tmp;

    /** Byte {@code i} of every test file: a multiplicative hash of the offset, so no two blocks are equal. */
    static byte content(long i) {
        return (byte) ((i * 0x9E3779B97F4A7C15L) >>> 56);
    }

    static Path writeFile(Path dir, long size) throws IOException {
        Path f = dir.resolve("data-" + size);
        byte[] buf = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(f)) {
            for (long off = 0; off < size; off += buf.length) {
                int n = (int) Math.min(buf.length, size - off);
                for (int i = 0; i < n; i++) {
                    buf[i] = content(off + i);
                }
                out.write(buf, 0, n);
            }
        }
        return f;
    }

    /** Feeds the file through {@link FsVerityHasher#update(byte[], int, int)} in the sizes of {@link #CHUNKS}. */
    static String digestInOddChunks(Path f) throws IOException {
        return digestInOddChunks(f, HashAlgorithm.SHA256);
    }

    static String digestInOddChunks(Path f, HashAlgorithm alg) throws IOException {
        FsVerityHasher h = new FsVerityHasher(alg);
        byte[] buf = new byte[200_000];
        try (InputStream in = Files.newInputStream(f)) {
            for (int k = 0; ; k++) {
                int off = 5 + k % 11; // never at the array start either
                int n = in.readNBytes(buf, off, CHUNKS[k % CHUNKS.length]);
                if (n == 0) {
                    break;
                }
                h.update(buf, off, n);
            }
        }
        assertThat(h.size()).isEqualTo(Files.size(f));
        return FsVerityHasher.hex(h.digest());
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {0, 1, 4095, 4096, 4097, MIB + 3, THREE_LEVELS})
    void matchesFsverityTool(long size) throws IOException {
        Path f = writeFile(tmp, size);
        String ours = digestInOddChunks(f);
        String tool = ErofsTools.fsverityDigest(f);
        if (tool != null) {
            assertThat(ours).as("fsverity digest of %d bytes", size).isEqualTo(tool);
        }
        assertThat(ours).as("pinned digest of %d bytes (tool says %s)", size, tool).isEqualTo(PINNED.get(size));
    }

    /**
     * One reused hasher ({@link FsVerityHasher#forThisThread()}) gives each file the digest fsverity-utils
     * printed, whatever the file before it left in its buffers: the largest first (three tree levels left
     * behind for files of one level, or none), then the sizes growing again.
     */
    @Test
    void reusedHasherGivesEveryFileItsOwnDigest() throws IOException {
        long[] sizes = {THREE_LEVELS, 1, 0, MIB + 3, 4097, 4096, 4095, THREE_LEVELS, 4096, 0};
        for (long size : sizes) {
            Path f = writeFile(tmp, size);
            FsVerityHasher h = FsVerityHasher.forThisThread();
            byte[] buf = new byte[4097];
            try (InputStream in = Files.newInputStream(f)) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    h.update(buf, 0, n);
                }
            }
            assertThat(FsVerityHasher.hex(h.digest())).as("reused hasher, %d bytes", size).isEqualTo(PINNED.get(size));
            assertThat(FsVerityHasher.hex(FsVerityHasher.digestOf(Files.readAllBytes(f), (int) size)))
                    .as("digestOf on the reused hasher, %d bytes", size).isEqualTo(PINNED.get(size));
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {0, 1, 4096, 4097, 64 * 4096, 64 * 4096 + 1, SHA512_THREE_LEVELS})
    void sha512MatchesFsverityTool(long size) throws IOException {
        Path f = writeFile(tmp, size);
        String ours = digestInOddChunks(f, HashAlgorithm.SHA512);
        String tool = ErofsTools.fsverityDigest(f, "sha512");
        if (tool != null) {
            assertThat(ours).as("fsverity digest --hash-alg=sha512 of %d bytes", size).isEqualTo(tool);
        }
        assertThat(ours).as("pinned digest of %d bytes (tool says %s)", size, tool)
                .isEqualTo(PINNED_SHA512.get(size));
        assertThat(FsVerityHasher.hex(FsVerityHasher.digestOf(f, HashAlgorithm.SHA512))).isEqualTo(ours);
    }

    @Test
    void oneShotAndByteBufferFeedsAgreeWithChunkedFeed() throws IOException {
        long size = 3 * 4096 + 17;
        Path f = writeFile(tmp, size);
        byte[] all = Files.readAllBytes(f);
        String expected = PINNED.getOrDefault(size, digestInOddChunks(f));
        assertThat(FsVerityHasher.hex(FsVerityHasher.digestOf(all))).isEqualTo(expected);

        FsVerityHasher direct = new FsVerityHasher();
        ByteBuffer d = ByteBuffer.allocateDirect(all.length);
        d.put(all).flip();
        direct.update(d.slice(0, 5000));
        direct.update(d.slice(5000, all.length - 5000));
        assertThat(FsVerityHasher.hex(direct.digest())).isEqualTo(expected);

        FsVerityHasher heap = new FsVerityHasher();
        ByteBuffer w = ByteBuffer.wrap(all, 3, all.length - 3);
        heap.update(all, 0, 3);
        heap.update(w);
        assertThat(w.hasRemaining()).isFalse();
        assertThat(FsVerityHasher.hex(heap.digest())).isEqualTo(expected);
    }

    @Test
    void digestCanBeTakenOnlyOnce() {
        FsVerityHasher h = new FsVerityHasher();
        h.update(new byte[10], 0, 10);
        h.digest();
        assertThatThrownBy(h::digest).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> h.update(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
    }

    /** Leaf hashes computed apart (as the image writer does on its workers) give the digest update gives. */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {4096, 3 * 4096 + 100, 129 * 4096, 300 * 4096 + 1})
    void hashedBlocksGiveTheSameDigest(int size) {
        byte[] data = new byte[size];
        new java.util.Random(size).nextBytes(data);
        int blocks = size / FsVerityHasher.BLOCK_SIZE - 1;
        byte[] hashes = new byte[blocks * FsVerityHasher.DIGEST_SIZE];
        FsVerityHasher.hashBlocks(HashAlgorithm.SHA256, data, 0, blocks / 2, hashes, 0);
        FsVerityHasher.hashBlocks(HashAlgorithm.SHA256, data, blocks / 2 * FsVerityHasher.BLOCK_SIZE,
                blocks - blocks / 2, hashes, blocks / 2 * FsVerityHasher.DIGEST_SIZE);
        FsVerityHasher h = new FsVerityHasher();
        h.updateHashedBlocks(hashes, blocks);
        int done = blocks * FsVerityHasher.BLOCK_SIZE;
        h.update(data, done, size - done);
        assertThat(h.digest()).isEqualTo(FsVerityHasher.digestOf(data));
    }

    @Test
    void hashedBlocksOnlyAtABlockBoundary() {
        FsVerityHasher h = new FsVerityHasher();
        h.update(new byte[10], 0, 10);
        assertThatThrownBy(() -> h.updateHashedBlocks(new byte[32], 1)).isInstanceOf(IllegalStateException.class);
    }
}
