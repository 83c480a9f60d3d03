package io.oci2cfs.tree;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** An immutable byte sequence ordered as unsigned bytes, like C's {@code strcmp}/{@code memcmp}. */
public final class ByteString implements Comparable<ByteString> {
    public static final ByteString EMPTY = new ByteString(new byte[0]);

    private final byte[] bytes;
    private int hash;

    private ByteString(byte[] bytes) {
        this.bytes = bytes;
    }

    public static ByteString of(byte[] bytes) {
        return new ByteString(bytes.clone());
    }

    public static ByteString of(byte[] bytes, int offset, int length) {
        return new ByteString(Arrays.copyOfRange(bytes, offset, offset + length));
    }

    /** Takes ownership of {@code bytes}: the caller must not change the array afterwards. */
    public static ByteString wrap(byte[] bytes) {
        return new ByteString(bytes);
    }

    public static ByteString of(String s) {
        return new ByteString(s.getBytes(StandardCharsets.UTF_8));
    }

    public int length() {
        return bytes.length;
    }

    public byte byteAt(int i) {
        return bytes[i];
    }

    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** The backing array, for read-only use by writers; never modify it. */
    public byte[] unsafeArray() {
        return bytes;
    }

    public boolean startsWith(ByteString prefix) {
        return bytes.length >= prefix.bytes.length
                && Arrays.equals(bytes, 0, prefix.bytes.length, prefix.bytes, 0, prefix.bytes.length);
    }

    public ByteString substring(int from) {
        return new ByteString(Arrays.copyOfRange(bytes, from, bytes.length));
    }

    public ByteString concat(ByteString other) {
        byte[] out = Arrays.copyOf(bytes, bytes.length + other.bytes.length);
        System.arraycopy(other.bytes, 0, out, bytes.length, other.bytes.length);
        return new ByteString(out);
    }

    public int indexOf(byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public int compareTo(ByteString o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteString other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Arrays.hashCode(bytes);
            hash = h;
        }
        return h;
    }

    /** Decodes as UTF-8 for messages; invalid sequences become replacement characters. */
    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
