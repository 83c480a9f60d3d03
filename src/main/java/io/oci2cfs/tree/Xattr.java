package io.oci2cfs.tree;

/** One extended attribute: a full name such as {@code user.foo} and a binary value. */
public record Xattr(ByteString name, ByteString value) implements Comparable<Xattr> {
    /** The namespace unprivileged processes may set, the one {@code --user-xattrs} keeps. */
    public static final ByteString USER_PREFIX = ByteString.of("user.");
    public static final ByteString SECURITY_SELINUX = ByteString.of("security.selinux");
    public static final ByteString POSIX_ACL_ACCESS = ByteString.of("system.posix_acl_access");
    public static final ByteString POSIX_ACL_DEFAULT = ByteString.of("system.posix_acl_default");

    public static Xattr of(String name, String value) {
        return new Xattr(ByteString.of(name), ByteString.of(value));
    }

    // Written out rather than left to the record's generated methods: those go through invokedynamic, which
    // the C1-only short runs of mkcomposefs call slowly, and the image writer hashes an xattr per file.
    @Override
    public boolean equals(Object o) {
        return o instanceof Xattr x && name.equals(x.name) && value.equals(x.value);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + value.hashCode();
    }

    @Override
    public int compareTo(Xattr o) {
        int c = name.compareTo(o.name);
        return c != 0 ? c : value.compareTo(o.value);
    }
}
