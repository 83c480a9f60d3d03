package io.oci2cfs.store;

import io.oci2cfs.fsverity.FsVerityHasher;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An object's name: its fs-verity SHA-256 digest, and the single home of the object-store layout
 * {@code xx/<62 hex>} (the first byte in hex as a directory, the rest as the file name), which is also the
 * overlay redirect an image stores for the file. Equal by content, so it serves as a set or map key; it
 * shares the caller's array (never modify it): 16 bytes of heap besides the array, against about 100 for its
 * hex string, which matters when a layer holds a million distinct files.
 */
public record ObjectDigest(byte[] bytes) {
    private static final int LENGTH = 32;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    public ObjectDigest {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("an fs-verity SHA-256 digest has 32 bytes, not " + bytes.length);
        }
    }

    /** Parses 64 lowercase hex digits. */
    public static ObjectDigest fromHex(String hex) {
        if (hex.length() != 2 * LENGTH || !isLowerHex(hex)) {
            throw new IllegalArgumentException("not an fs-verity SHA-256 digest (64 lowercase hex digits): " + hex);
        }
        return new ObjectDigest(java.util.HexFormat.of().parseHex(hex));
    }

    /**
     * A redirect as a path relative to the object store: overlayfs resolves an absolute redirect against the
     * data-only lower layer, so leading slashes go.
     */
    public static String storeRelative(String redirect) {
        int i = 0;
        while (i < redirect.length() && redirect.charAt(i) == '/') {
            i++;
        }
        return redirect.substring(i);
    }

    /** Whether {@code name} can be a directory of the store's layout: two lowercase hex digits. */
    public static boolean isDirectoryName(String name) {
        return name.length() == 2 && isLowerHex(name);
    }

    /** Whether {@code name} can be an object's file name inside its directory: 62 lowercase hex digits. */
    public static boolean isFileName(String name) {
        return name.length() == 2 * LENGTH - 2 && isLowerHex(name);
    }

    public String hex() {
        return FsVerityHasher.hex(bytes);
    }

    /** The object's path relative to the store, {@code xx/<62 hex>}. */
    public String path() {
        return new String(pathBytes(), StandardCharsets.US_ASCII);
    }

    /** {@link #path()} as ASCII bytes, made without an intermediate string (a writer asks once per file). */
    public byte[] pathBytes() {
        byte[] out = new byte[2 * LENGTH + 1];
        int o = 0;
        for (int i = 0; i < LENGTH; i++) {
            out[o++] = HEX[(bytes[i] >> 4) & 15];
            out[o++] = HEX[bytes[i] & 15];
            if (i == 0) {
                out[o++] = '/';
            }
        }
        return out;
    }

    /** The store directory holding the object: {@code xx}. */
    String directoryName() {
        return new String(new byte[] {HEX[(bytes[0] >> 4) & 15], HEX[bytes[0] & 15]}, StandardCharsets.US_ASCII);
    }

    /** The object's file name inside {@link #directoryName()}: the other 62 hex digits. */
    String fileName() {
        return hex().substring(2);
    }

    private static boolean isLowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectDigest other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        // The digest is uniformly distributed already; its first four bytes make a good hash.
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    @Override
    public String toString() {
        return hex();
    }
}
