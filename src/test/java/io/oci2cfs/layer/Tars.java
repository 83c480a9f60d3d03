package io.oci2cfs.layer;

import io.oci2cfs.tree.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Test helpers: tar archives built with commons-compress or real CLIs, and reading them back. */
final class Tars {
    /** Whole seconds, so commons-compress writes no PAX mtime header of its own. */
    static final long MTIME = 1_600_000_000_000L;

    private Tars() {
    }

    /** A member read back, with its content. */
    record Read(LayerEntry entry, byte[] content) {
        String path() {
            return entry.path().toString();
        }
    }

    record Result(List<Read> entries, LayerDigests digests) {
        Read get(String path) {
            return entries.stream().filter(r -> r.path().equals(path)).findFirst().orElseThrow(
                    () -> new AssertionError("no member " + path + " in " + entries.stream().map(Read::path).toList()));
        }
    }

    static Result read(byte[] blob) throws IOException {
        return read(new java.io.ByteArrayInputStream(blob));
    }

    static Result read(InputStream blob) throws IOException {
        return read(blob, false);
    }

    static Result read(InputStream blob, boolean decompressAhead) throws IOException {
        List<Read> out = new ArrayList<>();
        LayerDigests d = LayerReader.read("test-layer", blob, decompressAhead,
                (e, content) -> out.add(new Read(e, content.readAllBytes())));
        return new Result(out, d);
    }

    interface Body {
        void write(TarArchiveOutputStream out) throws IOException;
    }

    static byte[] tar(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes, "ISO-8859-1")) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            body.write(out);
        }
        return bytes.toByteArray();
    }

    static void file(TarArchiveOutputStream out, String name, String content) throws IOException {
        file(out, name, content.getBytes(StandardCharsets.UTF_8));
    }

    static void file(TarArchiveOutputStream out, String name, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setModTime(MTIME);
        e.setSize(content.length);
        out.putArchiveEntry(e);
        out.write(content);
        out.closeArchiveEntry();
    }

    static void entry(TarArchiveOutputStream out, String name, byte type, String link) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setModTime(MTIME);
        if (link != null) {
            e.setLinkName(link);
        }
        out.putArchiveEntry(e);
        out.closeArchiveEntry();
    }

    /** A hand-made PAX {@code x} header whose values are raw bytes, placed before the next member. */
    static void pax(TarArchiveOutputStream out, byte[]... keyValues) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (int i = 0; i < keyValues.length; i += 2) {
            int body = keyValues[i].length + keyValues[i + 1].length + 3; // ' ', '=', '\n'
            int len = body + Integer.toString(body).length();
            if (Integer.toString(len).length() != Integer.toString(body).length()) {
                len++;
            }
            data.writeBytes((len + " ").getBytes(StandardCharsets.US_ASCII));
            data.writeBytes(keyValues[i]);
            data.write('=');
            data.writeBytes(keyValues[i + 1]);
            data.write('\n');
        }
        TarArchiveEntry e = new TarArchiveEntry("PaxHeaders/x", TarConstants.LF_PAX_EXTENDED_HEADER_LC);
        e.setModTime(MTIME);
        e.setSize(data.size());
        out.putArchiveEntry(e);
        out.write(data.toByteArray());
        out.closeArchiveEntry();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static ByteString bs(String s) {
        return ByteString.of(s);
    }

    static String sha256(byte[] data) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** Runs a command in {@code dir}, failing the test if it fails; returns its stdout. */
    static byte[] run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed with " + p.exitValue());
        }
        return out;
    }

    /** Pipes {@code input} through a filter command such as {@code gzip -c}. */
    static byte[] filter(byte[] input, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread writer = new Thread(() -> {
            try (var os = p.getOutputStream()) {
                os.write(input);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        byte[] out = p.getInputStream().readAllBytes();
        writer.join();
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed with " + p.exitValue());
        }
        return out;
    }
}
