package io.oci2cfs.linux;

import io.oci2cfs.tree.ByteString;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The bytes of a file name as the kernel has them. On Linux a {@link Path} keeps those bytes, but
 * {@link Path#toString()} decodes them with the JVM's file-name charset and loses any that are not valid in
 * it, so names that are not UTF-8 are read from {@code sun.nio.fs.UnixPath} when the JVM lets us (the
 * launcher passes {@code --add-opens java.base/sun.nio.fs=ALL-UNNAMED}). Without that access, a name that
 * does not survive decoding is refused rather than silently changed.
 */
public final class RawPaths {
    private static final Method AS_BYTE_ARRAY = unixPathBytes();

    private RawPaths() {
    }

    private static Method unixPathBytes() {
        try {
            Method m = Class.forName("sun.nio.fs.UnixPath").getDeclaredMethod("asByteArray");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    public static ByteString bytes(Path p) throws IOException {
        if (AS_BYTE_ARRAY != null && AS_BYTE_ARRAY.getDeclaringClass().isInstance(p)) {
            try {
                return ByteString.wrap(((byte[]) AS_BYTE_ARRAY.invoke(p)).clone());
            } catch (ReflectiveOperationException e) {
                throw new IOException(p + ": cannot read the name's bytes", e);
            }
        }
        String s = p.toString();
        if (s.indexOf('\uFFFD') >= 0) {
            throw new IOException(p + ": name is not valid in the JVM's file-name charset; run with"
                    + " --add-opens java.base/sun.nio.fs=ALL-UNNAMED (bin/oci2cfs does) to read it exactly");
        }
        return ByteString.of(s);
    }

    /** The path as a NUL-terminated C string, for system calls. */
    static byte[] cString(Path p) throws IOException {
        byte[] b = bytes(p).unsafeArray();
        byte[] c = java.util.Arrays.copyOf(b, b.length + 1);
        return c;
    }

    static String show(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
