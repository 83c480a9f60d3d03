package io.oci2cfs.erofs;

import static org.assertj.core.api.Assertions.assertThat;

import io.oci2cfs.dump.DumpReader;
import io.oci2cfs.fsverity.FsVerityHasher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The worked examples of docs/composefs-erofs-format.md (§16): every byte string the note shows is where it says.
 * Keep the two in step; a failure here means the note or the writer is wrong.
 */
class FormatNoteExampleTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] image(String dump) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ErofsWriter.write(DumpReader.read(dump.getBytes(StandardCharsets.US_ASCII), true), FormatVersion.DEFAULT, out);
        return out.toByteArray();
    }

    /** Bytes given as hex, with quoted ASCII allowed in between: {@code 0e 04 01 00 "overlay.opaque" 79 00}. */
    private static byte[] bytes(String spec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] parts = spec.split("\"", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i % 2 == 1) {
                out.writeBytes(parts[i].getBytes(StandardCharsets.US_ASCII));
            } else {
                out.writeBytes(HEX.parseHex(parts[i].replace(" ", "")));
            }
        }
        return out.toByteArray();
    }

    private static void at(byte[] image, int offset, String spec) {
        byte[] expected = bytes(spec);
        assertThat(HEX.formatHex(Arrays.copyOfRange(image, offset, offset + expected.length)))
                .as("bytes at %d", offset).isEqualTo(HEX.formatHex(expected));
    }

    private static String sha256(byte[] b) throws NoSuchAlgorithmException {
        return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** §16.1; the two digests are those mkcomposefs 1.0.8 gives for this dump. */
    @Test
    void smallestImage() throws Exception {
        byte[] image = image("/ 4096 40755 2 0 0 0 0.0 - - -\n");
        assertThat(image).hasSize(16384);
        assertThat(sha256(image)).isEqualTo("c3dc5b0fc4afb0693a95e017fe5815e1f88f204d485df617541b5ea659aefb8b");
        assertThat(FsVerityHasher.hex(FsVerityHasher.digestOf(image)))
                .isEqualTo("8f589e8f57ecb88823736b0d857ddca1e1068a23e264fad164b28f7038eb3682");

        at(image, 0, "9a 62 78 d0 01 00 00 00 00 00 00 00 00 00 00 00");
        at(image, 1024, "e2 e1 f5 e0 00 00 00 00 06 00 00 00 0c 00 24 00");
        at(image, 1040, "01 01 00 00 00 00 00 00");
        at(image, 1060, "04 00 00 00 00 00 00 00 02 00 00 00");
        at(image, 1152, "00 00 06 00 ed 41 02 00 00 10 00 00");
        at(image, 1168, "03 00 00 00 00 00 00 00");
        at(image, 1184, "ff ff ef ff 00 00 00 00 00 00 00 00");
        at(image, 1196, "0e 04 01 00 \"overlay.opaque\" 79 00");
        at(image, 1216, "00 00 00 00 a4 21 01 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00");
        at(image, 9376, "00 00 00 00 a4 21 01 00");
        at(image, 9396, "00 01 00 00");
        at(image, 9408, "00".repeat(12288 - 9408));
        at(image, 12288, "24 00 00 00 00 00 00 00 18 0c 02 00");
        at(image, 12300, "24 00 00 00 00 00 00 00 19 0c 02 00");
        at(image, 12312, "26 00 00 00 00 00 00 00 1b 0c 03 00");
        StringBuilder names = new StringBuilder("." + "..");
        for (int i = 0; i < 256; i++) {
            names.append(String.format("%02x", i));
        }
        at(image, 15384, "\"" + names + "\"");
        at(image, 15899, "00".repeat(16384 - 15899));
    }

    /** §16.2: a file with a digest, a whiteout below the root, an escaped xattr. */
    @Test
    void fileWhiteoutAndEscapedXattr() throws Exception {
        byte[] content = "composefs\n".getBytes(StandardCharsets.US_ASCII);
        String digest = FsVerityHasher.hex(FsVerityHasher.digestOf(content));
        assertThat(digest).isEqualTo("ab29fd8991de01c89be75b1110c74f7c47a2aaad71fbeb79b8ad18eb303776b9");
        String payload = digest.substring(0, 2) + "/" + digest.substring(2);
        byte[] image = image("/ 4096 40755 3 0 0 0 0.0 - - -\n"
                + "/d 4096 40755 2 0 0 0 0.0 - - -\n"
                + "/d/wh 0 20000 1 0 0 0 0.0 - - -\n"
                + "/f 10 100644 1 0 0 0 1700000000.5 " + payload + " - " + digest + " trusted.overlay.foo=bar\n");
        assertThat(image).hasSize(16384);
        at(image, 12, "01 00 00 00");
        at(image, 1040, "04 01 00 00 00 00 00 00");

        // /d, nid 246: compact flat-inline, 116 bytes of xattrs, the whiteout markers of format 1
        at(image, 7872, "04 00 1b 00 ed 41 02 00 29 00 00 00");
        at(image, 7872 + 20, "d1 00 00 00");
        at(image, 7904 + 12, "16 04 01 00 \"overlay.overlay.opaque\" \"x\" 00"
                + " 19 04 00 00 \"overlay.overlay.whiteouts\" 00 00 00"
                + " 0e 01 01 00 \"overlay.opaque\" \"x\" 00"
                + " 11 01 00 00 \"overlay.whiteouts\" 00 00 00");
        at(image, 8020, "f6 00 00 00 00 00 00 00 24 00 02 00 24 00 00 00 00 00 00 00 25 00 02 00"
                + " 34 01 00 00 00 00 00 00 27 00 01 00 \"...wh\"");

        // /f, nid 284: extended chunk-based, mtime 1700000000 s + 5 ns
        at(image, 9088, "09 00 2c 00 a4 81 00 00 0a 00 00 00 00 00 00 00 00 00 00 00 f2 00 00 00");
        at(image, 9088 + 32, "00 f1 53 65 00 00 00 00 05 00 00 00 01 00 00 00");
        at(image, 9152, "ff ef fd 7f 00 00 00 00 00 00 00 00"
                + " 10 04 24 00 \"overlay.metacopy\" 00 24 00 01 " + digest
                + " 13 04 03 00 \"overlay.overlay.foo\" \"bar\" 00 00"
                + " 10 04 42 00 \"overlay.redirect\" \"/" + payload + "\" 00 00");
        at(image, 9336, "ff ff ff ff");

        // /d/wh, nid 308: the converted whiteout
        at(image, 9856, "00 00 0d 00 00 80 01 00 00 00 00 00");
        at(image, 9856 + 20, "03 01 00 00");
        at(image, 9888 + 12, "18 04 00 00 \"overlay.overlay.whiteout\" 10 01 00 00 \"overlay.whiteout\"");

        at(image, 12288, "24 00 00 00 00 00 00 00 30 0c 02 00");
    }
}
