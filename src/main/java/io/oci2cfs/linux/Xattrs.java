package io.oci2cfs.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import io.oci2cfs.tree.ByteString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads extended attributes of a path without following symlinks ({@code llistxattr}/{@code lgetxattr}).
 * The JDK's {@code UserDefinedFileAttributeView} sees only {@code user.*}; composefs needs every namespace.
 */
public final class Xattrs {
    private static final int ERANGE = 34;
    private static final int ENODATA = 61;
    private static final int ENOTSUP = 95;

    /** A first read's buffer: most lists and values fit, so one call reads them (none at all for most files). */
    private static final int FIRST_TRY = 512;

    /**
     * libc's calls, bound by JNA's direct mapping: a plain native call per use, where an interface mapping
     * goes through reflection and boxing (a tree's walk makes one or more per file).
     */
    private static final class LibC {
        static {
            Native.register(LibC.class, "c");
        }

        static native long llistxattr(byte[] path, byte[] list, long size) throws LastErrorException;

        static native long lgetxattr(byte[] path, byte[] name, byte[] value, long size) throws LastErrorException;
    }

    private Xattrs() {
    }

    /** Every xattr of {@code path}; empty where the filesystem has no xattr support. */
    public static Map<ByteString, ByteString> list(Path path) throws IOException {
        byte[] p = RawPaths.cString(path);
        Map<ByteString, ByteString> out = new LinkedHashMap<>();
        byte[] names = read(p, null);
        int start = 0;
        for (int i = 0; i < names.length; i++) {
            if (names[i] == 0) {
                if (i > start) {
                    byte[] name = Arrays.copyOfRange(names, start, i);
                    byte[] value = read(p, name);
                    if (value != null) {
                        out.put(ByteString.wrap(name), ByteString.wrap(value));
                    }
                }
                start = i + 1;
            }
        }
        return out;
    }

    /** Reads the name list ({@code name == null}) or one value; null if the xattr vanished meanwhile. */
    private static byte[] read(byte[] path, byte[] name) throws IOException {
        byte[] cName = name == null ? null : Arrays.copyOf(name, name.length + 1);
        long want = FIRST_TRY;
        for (int attempt = 0; attempt < 8; attempt++) {
            try {
                if (want < 0) {
                    want = call(path, cName, null);
                }
                byte[] buf = new byte[(int) want];
                long n = call(path, cName, buf);
                if (n > buf.length) {
                    // a zero-length buffer asks for the size only
                    want = n;
                    continue;
                }
                return n == buf.length ? buf : Arrays.copyOf(buf, (int) n);
            } catch (LastErrorException e) {
                switch (e.getErrorCode()) {
                    case ERANGE:
                        want = -1; // larger than the buffer: ask for the size, which may change again
                        continue;
                    case ENOTSUP:
                        return name == null ? new byte[0] : null;
                    case ENODATA:
                        return null;
                    default:
                        String what = name == null ? "list xattrs"
                                : "read xattr " + new String(name, StandardCharsets.UTF_8);
                        throw new IOException(shown(path) + ": cannot " + what + " (errno " + e.getErrorCode() + ")");
                }
            }
        }
        throw new IOException(shown(path) + ": xattrs keep changing while being read");
    }

    /** The path of a NUL-terminated {@code cPath}, for a message. */
    private static String shown(byte[] cPath) {
        return RawPaths.show(Arrays.copyOf(cPath, cPath.length - 1));
    }

    private static long call(byte[] path, byte[] cName, byte[] buf) {
        long len = buf == null ? 0 : buf.length;
        return cName == null ? LibC.llistxattr(path, buf, len) : LibC.lgetxattr(path, cName, buf, len);
    }
}
