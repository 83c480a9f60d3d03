package io.oci2cfs.dump;

import java.io.ByteArrayOutputStream;

/** The backslash escapes of composefs-dump(5): {@code \\ \n \r \t \xHH}. */
final class Escapes {
    static final int STANDARD = 0;
    static final int ESCAPE_EQUAL = 1;
    static final int ESCAPE_LONE_DASH = 2;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Escapes() {
    }

    static byte[] unescape(byte[] b, int from, int to) throws BadField {
        int firstEscape = from;
        while (firstEscape < to && b[firstEscape] != '\\') {
            firstEscape++;
        }
        if (firstEscape == to) {
            return java.util.Arrays.copyOfRange(b, from, to);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; ) {
            byte c = b[i++];
            if (c != '\\') {
                out.write(c);
                continue;
            }
            if (i >= to) {
                throw new BadField("No character after escape");
            }
            c = b[i++];
            switch (c) {
                case '\\' -> out.write('\\');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'x' -> {
                    if (i + 2 > to) {
                        throw new BadField("No hex characters after hex escape");
                    }
                    int hi = Character.digit(b[i++], 16);
                    int lo = Character.digit(b[i++], 16);
                    if (hi < 0 || lo < 0) {
                        throw new BadField("Invalid hex characters after hex escape");
                    }
                    out.write(hi << 4 | lo);
                }
                default -> throw new BadField("Unsupported escape type " + (char) (c & 0xFF));
            }
        }
        return out.toByteArray();
    }

    /** Escapes like composefs-info: controls, space, non-ASCII and backslash; {@code =} on request. */
    static void escape(StringBuilder sb, byte[] v, int flags) {
        if ((flags & ESCAPE_LONE_DASH) != 0 && v.length == 1 && v[0] == '-') {
            sb.append("\\x2d");
            return;
        }
        for (byte x : v) {
            int c = x & 0xFF;
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    boolean hex = c == '=' ? (flags & ESCAPE_EQUAL) != 0 : c <= 0x20 || c >= 0x7F;
                    if (hex) {
                        sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 15]);
                    } else {
                        sb.append((char) c);
                    }
                }
            }
        }
    }

    /** A field that cannot be decoded; the reader adds the line number. */
    static final class BadField extends Exception {
        BadField(String message) {
            super(message, null, false, false);
        }
    }
}
