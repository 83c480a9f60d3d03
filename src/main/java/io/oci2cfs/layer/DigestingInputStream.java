package io.oci2cfs.layer;

import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Computes the SHA-256 and length of every byte read through it. Skipped bytes are read and digested too;
 * {@link #drain()} consumes the rest of the stream.
 */
public final class DigestingInputStream extends CountingInputStream {
    private final MessageDigest sha256;

    public DigestingInputStream(InputStream in) {
        this(in, newSha256());
    }

    /** Digests with {@code md} instead (sha512-named blobs, say); {@link #digest()} then still says sha256. */
    public DigestingInputStream(InputStream in, MessageDigest md) {
        super(in);
        this.sha256 = md;
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** The finished digest; call once, after the stream is fully read. */
    public MessageDigest messageDigest() {
        return sha256;
    }

    @Override
    void passed(byte[] b, int off, int n) {
        sha256.update(b, off, n);
    }

    /** The digest in OCI form, {@code sha256:<64 hex>}; call once, after the stream is fully read. */
    public String digest() {
        return "sha256:" + HexFormat.of().formatHex(sha256.digest());
    }
}
