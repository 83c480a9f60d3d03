package io.oci2cfs.fsverity;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The hash algorithms fs-verity defines ({@code FS_VERITY_HASH_ALG_*} in linux/fsverity.h), named as
 * fsverity-utils names them ({@code --hash-alg=sha256|sha512}).
 */
public enum HashAlgorithm {
    SHA256(1, "sha256", "SHA-256", 32),
    SHA512(2, "sha512", "SHA-512", 64);

    private final int id;
    private final String cliName;
    private final String jcaName;
    private final int digestSize;

    HashAlgorithm(int id, String cliName, String jcaName, int digestSize) {
        this.id = id;
        this.cliName = cliName;
        this.jcaName = jcaName;
        this.digestSize = digestSize;
    }

    /** The kernel's number for it: {@code FS_VERITY_HASH_ALG_SHA256} = 1, {@code _SHA512} = 2. */
    public int id() {
        return id;
    }

    /** {@code sha256} or {@code sha512}. */
    public String cliName() {
        return cliName;
    }

    /** The JCA name, {@code SHA-256} or {@code SHA-512}. */
    String jcaName() {
        return jcaName;
    }

    public int digestSize() {
        return digestSize;
    }

    /** The algorithm named {@code sha256} or {@code sha512} (case-insensitive). */
    public static HashAlgorithm byName(String name) {
        for (HashAlgorithm a : values()) {
            if (a.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown fs-verity hash algorithm '" + name + "' (sha256 or sha512)");
    }

    /** The algorithm with the kernel number {@code id}, or null. */
    static HashAlgorithm byId(int id) {
        for (HashAlgorithm a : values()) {
            if (a.id == id) {
                return a;
            }
        }
        return null;
    }

    MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + jcaName, e);
        }
    }

    @Override
    public String toString() {
        return cliName;
    }
}
