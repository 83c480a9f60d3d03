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
        FsVerityHasher h = new FsVerityHasher();
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
}
