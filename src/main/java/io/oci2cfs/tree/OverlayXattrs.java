package io.oci2cfs.tree;

/**
 * The overlayfs xattr names a composefs image uses, in one place for the sources that set them, the image
 * writer that rewrites them and the reader that undoes the rewrite (docs/composefs-erofs-format.md §7).
 *
 * <p>Names of the source tree under {@code trusted.overlay.} are escaped to {@code trusted.overlay.overlay.} in
 * the image (§7.1), so overlayfs hands them to the mounted tree unchanged; the unescaped names are the ones
 * overlayfs itself reads from the image. The {@code user.overlay.*} markers serve an overlayfs mounted with
 * {@code userxattr}.
 */
public final class OverlayXattrs {
    /** The namespace overlayfs reads (§7.1). */
    public static final ByteString PREFIX = ByteString.of("trusted.overlay.");
    /** Where the source tree's own {@code trusted.overlay.*} names go (§7.1). */
    public static final ByteString ESCAPED_PREFIX = ByteString.of("trusted.overlay.overlay.");
    /** An external file's fs-verity digest (§7.2). */
    public static final ByteString METACOPY = ByteString.of("trusted.overlay.metacopy");
    /** An external file's object path, prefixed with {@code /} (§7.2). */
    public static final ByteString REDIRECT = ByteString.of("trusted.overlay.redirect");
    /** An opaque directory; the image's root always carries it (§7.4), layers mark theirs with it. */
    public static final ByteString OPAQUE = ByteString.of("trusted.overlay.opaque");
    /** A whiteout of the source tree, stored as an empty regular file (§7.3). */
    public static final ByteString ESCAPED_WHITEOUT = ByteString.of("trusted.overlay.overlay.whiteout");
    public static final ByteString USER_WHITEOUT = ByteString.of("user.overlay.whiteout");
    /** A directory that holds such a whiteout (§7.3). */
    public static final ByteString ESCAPED_WHITEOUTS = ByteString.of("trusted.overlay.overlay.whiteouts");
    public static final ByteString USER_WHITEOUTS = ByteString.of("user.overlay.whiteouts");
    /** Format version 1 also marks that directory {@code opaque=x} (§7.3, §10). */
    public static final ByteString ESCAPED_OPAQUE = ByteString.of("trusted.overlay.overlay.opaque");
    public static final ByteString USER_OPAQUE = ByteString.of("user.overlay.opaque");

    private OverlayXattrs() {
    }

    /** The name as stored in an image: {@code trusted.overlay.X} becomes {@code trusted.overlay.overlay.X}. */
    public static ByteString escape(ByteString name) {
        return name.startsWith(PREFIX) ? ESCAPED_PREFIX.concat(name.substring(PREFIX.length())) : name;
    }
}
