package io.oci2cfs.tree;

/** One extended attribute: a full name such as {@code user.foo} and a binary value. */
public record Xattr(ByteString name, ByteString value) implements Comparable<Xattr> {
    public static Xattr of(String name, String value) {
        return new Xattr(ByteString.of(name), ByteString.of(value));
    }

    @Override
    public int compareTo(Xattr o) {
        int c = name.compareTo(o.name);
        return c != 0 ? c : value.compareTo(o.value);
    }
}
