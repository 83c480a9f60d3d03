package io.oci2cfs.erofs;

/** A zero-filled byte array with little-endian put methods, for building on-disk records. */
final class LeBuffer {
    private final byte[] a;

    LeBuffer(int size) {
        a = new byte[size];
    }

    byte[] array() {
        return a;
    }

    void putByte(int off, int v) {
        a[off] = (byte) v;
    }

    void putShort(int off, int v) {
        a[off] = (byte) v;
        a[off + 1] = (byte) (v >>> 8);
    }

    void putInt(int off, int v) {
        putShort(off, v);
        putShort(off + 2, v >>> 16);
    }

    void putLong(int off, long v) {
        putInt(off, (int) v);
        putInt(off + 4, (int) (v >>> 32));
    }

    void putBytes(int off, byte[] b) {
        System.arraycopy(b, 0, a, off, b.length);
    }
}
