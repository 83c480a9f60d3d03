package io.oci2cfs.testutil;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Keys and certificates made by the {@code openssl} command line, for the key, signing and sealing tests. */
public final class OpenSsl {
    private OpenSsl() {
    }

    public static void require() {
        assumeTrue(Proc.has("openssl"), "openssl is not installed; skipping");
    }

    /** Runs {@code openssl ARGS}; fails the test with its stderr when it exits non-zero. */
    public static Proc.Result run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Proc.Result r = Proc.run(cmd);
        assertThat(r.code()).as("%s: %s", cmd, r.stderr()).isZero();
        return r;
    }

    /** A 2048-bit RSA key as PKCS#1 ({@code RSA PRIVATE KEY}). */
    public static Path rsaPkcs1(Path dir, String name) {
        Path key = dir.resolve(name);
        run("genrsa", "-traditional", "-out", key.toString(), "2048");
        return key;
    }

    /** A 2048-bit RSA key as unencrypted PKCS#8 ({@code PRIVATE KEY}). */
    public static Path rsaPkcs8(Path dir, String name) {
        Path key = dir.resolve(name);
        run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key.toString());
        return key;
    }

    /** A P-256 key as SEC1 ({@code EC PRIVATE KEY}, after an {@code EC PARAMETERS} block). */
    public static Path ecSec1(Path dir, String name) {
        Path key = dir.resolve(name);
        run("ecparam", "-name", "prime256v1", "-genkey", "-out", key.toString());
        return key;
    }

    /** {@code key} as encrypted PKCS#8 ({@code ENCRYPTED PRIVATE KEY}, PBES2 with AES-256-CBC). */
    public static Path encryptPkcs8(Path key, Path out, String password) {
        run("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", key.toString(), "-out", out.toString(),
                "-passout", "pass:" + password);
        return out;
    }

    /** {@code key} (RSA) in OpenSSL's legacy encrypted PEM ({@code Proc-Type: 4,ENCRYPTED}, AES-128-CBC). */
    public static Path encryptLegacy(Path key, Path out, String password) {
        run("rsa", "-traditional", "-aes128", "-in", key.toString(), "-out", out.toString(),
                "-passout", "pass:" + password);
        return out;
    }

    /** A self-signed PEM certificate for {@code key}, subject {@code CN=cn}. */
    public static Path selfSigned(Path key, Path out, String cn) {
        run("req", "-x509", "-new", "-key", key.toString(), "-subj", "/CN=" + cn, "-days", "30",
                "-out", out.toString());
        return out;
    }

    /** {@code pem} converted to DER. */
    public static Path toDer(Path pem, Path out) {
        run("x509", "-in", pem.toString(), "-outform", "DER", "-out", out.toString());
        return out;
    }
}
