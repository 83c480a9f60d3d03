package io.oci2cfs.layer;

import io.oci2cfs.tree.ByteString;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarUtils;
import org.apache.commons.io.input.CloseShieldInputStream;

/**
 * Reads one layer blob: detects its compression, walks its tar members and digests every byte.
 *
 * <p>A stream that ends without the two zero blocks that close a tar archive is accepted when it ends after a
 * member's complete data, with or without (part of) its padding to the 512-byte record; a stream that ends
 * inside a header or inside a member's data is an error. The diff_id is the digest of the bytes as they are,
 * without the missing padding.
 */
public final class LayerReader {
    /** Receives each member in tar order. */
    @FunctionalInterface
    public interface EntryVisitor {
        /**
         * {@code content} yields a regular file's bytes (sparse files expanded) and is empty for other types.
         * It is valid only during the call; what the visitor leaves unread is skipped.
         */
        void visit(LayerEntry entry, InputStream content) throws IOException;
    }

    private static final int BUFFER = 64 * 1024;
    private static final int READ_AHEAD_CHUNK = 1 << 20;
    private static final int READ_AHEAD_CHUNKS = 8;
    private static final long MAX_SPECIAL_MEMBER = 1 << 20;

    private LayerReader() {
    }

    /**
     * Reads {@code blob} to its end. {@code layer} names the layer in error messages (its digest, say).
     *
     * @throws LayerFormatException if the blob is not a complete tar, optionally gzip or zstd compressed
     */
    public static LayerDigests read(String layer, InputStream blob, EntryVisitor visitor) throws IOException {
        return read(layer, blob, false, visitor);
    }

    /**
     * As {@link #read(String, InputStream, EntryVisitor)}; with {@code decompressAhead}, a compressed blob is
     * decompressed on a thread of its own, a few MiB ahead of the parser. That pays when this is the only blob
     * being read; when several layers are read at once the cores are busy already and the extra copy costs
     * more than it gains (bin/bench, docs/performance.md).
     */
    public static LayerDigests read(String layer, InputStream blob, boolean decompressAhead, EntryVisitor visitor)
            throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(blob, BUFFER);
        buffered.mark(Compression.MAGIC_LENGTH);
        byte[] head = buffered.readNBytes(Compression.MAGIC_LENGTH);
        buffered.reset();
        String unsupported = Compression.unsupported(head, head.length);
        if (unsupported != null) {
            throw new LayerFormatException("layer " + layer + ": " + unsupported + " compression is not an OCI layer type");
        }
        Compression compression = Compression.detect(head, head.length);
        // An uncompressed blob is its own tar: its digest is the diff_id. A compressed one is only counted.
        CountingInputStream raw = compression == Compression.NONE
                ? new DigestingInputStream(buffered) : new CountingInputStream(buffered);
        InputStream decompressed = null;
        try {
            DigestingInputStream tar;
            try {
                if (compression != Compression.NONE) {
                    // Closed below, which frees zstd's native decoder; the shield keeps the caller's blob open.
                    InputStream decoder = new DecoderErrors(compression.decompress(
                            new BufferedInputStream(CloseShieldInputStream.wrap(raw), BUFFER)), compression);
                    decompressed = decompressAhead
                            ? new ReadAheadStream(decoder, READ_AHEAD_CHUNK, READ_AHEAD_CHUNKS, "oci2cfs-decompress")
                            : decoder;
                }
                tar = decompressed == null ? (DigestingInputStream) raw : new DigestingInputStream(decompressed);
            } catch (IOException e) {
                throw new LayerFormatException("layer " + layer + ": bad " + compression + " data: "
                        + DecoderErrors.reason(e), e);
            }
            PaxCapture capture = new PaxCapture(tar);
            try {
                new Members(layer, capture).forEach(visitor);
            } catch (LayerFormatException e) {
                throw decoderFirst(layer, compression, tar, e);
            }
            try {
                // Trailing zero blocks and padding to the record size are part of the diff_id.
                tar.drain();
            } catch (IOException e) {
                throw new LayerFormatException("layer " + layer + ": bad " + compression + " data after the tar: "
                        + e.getMessage(), e);
            }
            raw.drain();
            return new LayerDigests(compression, raw.count(), tar.digest(), tar.count());
        } finally {
            if (decompressed != null) {
                // Stops the decompressing thread and frees the decoder; the blob itself stays open for the caller.
                decompressed.close();
            }
        }
    }

    /**
     * A damaged compressed stream often inflates to garbage the tar parser trips on before the decompressor
     * notices (a gzip CRC is checked only at the end of its member): when the rest of the stream does not
     * decompress either, that is the error to report.
     */
    private static LayerFormatException decoderFirst(String layer, Compression compression, DigestingInputStream tar,
            LayerFormatException tarError) {
        if (compression == Compression.NONE || !(tarError instanceof BadTarData)) {
            return tarError;
        }
        try {
            tar.drain();
            return tarError;
        } catch (IOException e) {
            LayerFormatException decoder = new LayerFormatException("layer " + layer + ": bad " + compression
                    + " data: " + DecoderErrors.reason(e) + " (the tar parser had stopped first: "
                    + tarError.getMessage().replace("layer " + layer + ": ", "") + ")", e);
            decoder.addSuppressed(tarError);
            return decoder;
        }
    }

    /** What the tar parser could not make sense of, which may be the decompressor's garbage. */
    private static final class BadTarData extends LayerFormatException {
        BadTarData(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The tar parser, told to capture PAX data and to tell a clean end from a cut-off header. */
    private static final class Members extends TarArchiveInputStream {
        private final String layer;
        private final PaxCapture capture;
        private final Map<ByteString, ByteString> globalPax = new HashMap<>();
        private ByteString current;
        private final byte[] lastHeader = new byte[512];

        Members(String layer, PaxCapture capture) {
            super(capture, "ISO-8859-1"); // bytes of ustar/GNU names map 1:1 to chars and back
            this.layer = layer;
            this.capture = capture;
        }

        @Override
        protected byte[] readRecord() throws IOException {
            long before = getBytesRead();
            byte[] record = super.readRecord();
            if (record == null) {
                if (getBytesRead() != before && !isAtEOF()) {
                    throw new LayerFormatException("layer " + layer + ": stream ends inside a tar header"
                            + after());
                }
                return null;
            }
            byte flag = record[156];
            if (!isAtEOF()) {
                refuseHugeSpecialMember(record, flag);
            }
            if (!isAtEOF() && (flag == 'x' || flag == 'X' || flag == 'g')) {
                capture.arm(TarUtils.parseOctalOrBinary(record, 124, 12), flag == 'g');
            } else if (!isAtEOF() && TarUtils.verifyCheckSum(record)) {
                // A member header (old GNU sparse extension records carry no checksum).
                System.arraycopy(record, 0, lastHeader, 0, lastHeader.length);
            }
            return record;
        }

        /**
         * PAX headers and GNU long names are held in memory whole, by commons-compress and by us; like Go's
         * archive/tar ({@code maxSpecialFileSize}) refuse them over 1 MiB before their data is read.
         */
        private void refuseHugeSpecialMember(byte[] record, byte flag) throws LayerFormatException {
            if (flag != 'x' && flag != 'X' && flag != 'g' && flag != 'L' && flag != 'K') {
                return;
            }
            long size;
            try {
                size = TarUtils.parseOctalOrBinary(record, 124, 12);
            } catch (IllegalArgumentException e) {
                return; // commons-compress reports the bad size field
            }
            if (size > MAX_SPECIAL_MEMBER) {
                String what = flag == 'L' || flag == 'K' ? "GNU long-name header" : "PAX header";
                throw new LayerFormatException("layer " + layer + ": " + what + " "
                        + TarUtils.parseName(record, 0, 100).strip() + after() + " declares " + size
                        + " bytes, over the limit of " + MAX_SPECIAL_MEMBER + " bytes (1 MiB)");
            }
        }

        void forEach(EntryVisitor visitor) throws IOException {
            while (true) {
                TarArchiveEntry te;
                try {
                    te = getNextEntry();
                } catch (LayerFormatException e) {
                    throw e;
                } catch (IOException | RuntimeException e) {
                    if (endedInLastPadding()) {
                        return;
                    }
                    throw failure(e);
                }
                if (te == null) {
                    return;
                }
                LayerEntry entry = toEntry(te);
                current = entry.path();
                InputStream content = entry.type() == EntryType.REGULAR ? new MemberContent(this) : InputStream.nullInputStream();
                visitor.visit(entry, content);
            }
        }

        /**
         * Whether the stream ended after the last member's complete data, inside the padding to the next 512-byte
         * boundary that commons-compress insists on skipping. umoci 0.4.7 writes such layers (no padding and no
         * end-of-archive blocks, opencontainers/umoci#436), and Go's archive/tar, which containerd and
         * containers/storage use, takes that end as clean. A member with fewer data bytes than its header
         * declares still fails: its remaining byte count is then above zero.
         */
        private boolean endedInLastPadding() {
            if (current == null || !capture.ended()) {
                return false;
            }
            try {
                return available() == 0;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        LayerFormatException failure(Exception e) {
            if (capture.ended()) {
                return new LayerFormatException("layer " + layer + ": tar member " + current
                        + " truncated: the stream ends inside its data", e);
            }
            DecoderErrors.Failure decoder = DecoderErrors.in(e);
            if (decoder != null) {
                return new LayerFormatException("layer " + layer + ": " + decoder.what() + after() + ": "
                        + decoder.getMessage(), e);
            }
            if (current == null) {
                // commons-compress quotes the header bytes it could not parse; for a file that is not a tar at
                // all that is binary noise, so say what was expected instead.
                return new BadTarData("layer " + layer + ": not a tar archive (plain, gzip or zstd)", e);
            }
            String why = e.getMessage() != null ? e.getMessage()
                    : e instanceof java.io.EOFException ? "unexpected end of the stream" : e.getClass().getSimpleName();
            return new BadTarData("layer " + layer + ": bad tar data" + after() + ": " + why, e);
        }

        private String after() {
            if (current == null) {
                return " at the start";
            }
            return current.length() == 0 ? " after the root directory member (./)" : " after member " + current;
        }

        private LayerEntry toEntry(TarArchiveEntry te) throws LayerFormatException {
            Map<ByteString, ByteString> local = new HashMap<>();
            for (PaxCapture.Captured c : capture.take()) {
                Map<ByteString, ByteString> records = PaxRecords.parse(c.data(), layer, te.getName());
                (c.global() ? globalPax : local).putAll(records);
            }
            ByteString rawName = local.getOrDefault(PaxRecords.GNU_SPARSE_NAME,
                    local.getOrDefault(PaxRecords.PATH, latin1(te.getName())));
            ByteString path = TarPaths.normalize(rawName, layer);
            EntryType type = typeOf(te, path);
            ByteString target = null;
            if (type == EntryType.SYMLINK || type == EntryType.HARDLINK) {
                target = local.getOrDefault(PaxRecords.LINKPATH, latin1(te.getLinkName()));
                if (type == EntryType.HARDLINK) {
                    target = TarPaths.normalize(target, layer);
                }
            }
            NavigableMap<ByteString, ByteString> global = PaxRecords.xattrs(globalPax, layer, path);
            NavigableMap<ByteString, ByteString> own = PaxRecords.xattrs(local, layer, path);
            NavigableMap<ByteString, ByteString> xattrs;
            if (global.isEmpty() && own.isEmpty()) {
                // Most members have none: one shared empty map instead of a TreeMap each (a million-file layer).
                xattrs = java.util.Collections.emptyNavigableMap();
            } else {
                xattrs = new TreeMap<>(global);
                xattrs.putAll(own);
            }
            Instant mtime = te.getLastModifiedTime().toInstant();
            return new LayerEntry(path, type, te.getMode() & 07777, id(local, "uid", 108, path),
                    id(local, "gid", 116, path), mtime.getEpochSecond(), mtime.getNano(),
                    type == EntryType.REGULAR ? te.getRealSize() : 0, target, te.getDevMajor(), te.getDevMinor(),
                    xattrs);
        }

        private EntryType typeOf(TarArchiveEntry te, ByteString path) throws LayerFormatException {
            byte flag = te.getLinkFlag();
            return switch (flag) {
                case '1' -> EntryType.HARDLINK;
                case '2' -> EntryType.SYMLINK;
                case '3' -> EntryType.CHAR;
                case '4' -> EntryType.BLOCK;
                case '5', 'D' -> EntryType.DIRECTORY;
                case '6' -> EntryType.FIFO;
                // '7' (contiguous) is a regular file per POSIX; 'S' is an old GNU sparse file.
                case 0, '0', '7', 'S' -> te.isDirectory() ? EntryType.DIRECTORY : EntryType.REGULAR;
                default -> throw new LayerFormatException("layer " + layer + ": tar member " + path
                        + " has unsupported type '" + (char) flag + "'");
            };
        }

        /**
         * The uid or gid from the PAX record, else from the header: commons-compress 1.28 casts header ids
         * through {@code int}, which breaks GNU base-256 ids of 2^31 and more.
         */
        private long id(Map<ByteString, ByteString> pax, String what, int offset, ByteString path)
                throws LayerFormatException {
            ByteString fromPax = pax.get(ByteString.of(what));
            long id;
            try {
                id = fromPax != null ? Long.parseLong(fromPax.toString())
                        : TarUtils.parseOctalOrBinary(lastHeader, offset, 8);
            } catch (IllegalArgumentException e) {
                throw new LayerFormatException("layer " + layer + ": tar member " + path + " has a bad " + what, e);
            }
            if (id < 0 || id > 0xffffffffL) {
                throw new LayerFormatException("layer " + layer + ": tar member " + path + " has " + what + " " + id
                        + ", beyond 32 bits");
            }
            return id;
        }

        private static ByteString latin1(String s) {
            return ByteString.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    /** One member's data for the visitor: closing it does not close the layer, errors name the member. */
    private static final class MemberContent extends ReadThroughInputStream {
        private final Members members;

        MemberContent(Members members) {
            super(members);
            this.members = members;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw members.failure(e);
            }
        }

        @Override
        public void close() {
            // the archive stays open for the next member
        }
    }
}
