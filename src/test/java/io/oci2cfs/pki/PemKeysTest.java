package io.oci2cfs.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.testutil.OpenSsl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys and certificates written by the openssl command line in every form we accept, read back and checked
 * by signing with the key and verifying with the certificate openssl made for it.
 */
class PemKeysTest {
    private static final byte[] MESSAGE = "the quick brown fox".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    static Path dir;
    static Path rsa;
    static Path rsaCert;

    @BeforeAll
    static void keys() {
        OpenSsl.require();
        rsa = OpenSsl.rsaPkcs1(dir, "rsa.pem");
        rsaCert = OpenSsl.selfSigned(rsa, dir.resolve("rsa.crt"), "rsa");
    }

    @BeforeEach
    void tool() {
        OpenSsl.require();
    }

    @Test
    void pkcs1Rsa() throws Exception {
        assertThat(Files.readString(rsa)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertMatches(PemKeys.readPrivateKey(rsa, null), Certificates.readFirst(rsaCert));
    }

    @Test
    void pkcs8Rsa() throws Exception {
        Path key = OpenSsl.rsaPkcs8(dir, "p8.pem");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertMatches(PemKeys.readPrivateKey(key, null),
                Certificates.readFirst(OpenSsl.selfSigned(key, dir.resolve("p8.crt"), "p8")));
    }

    @Test
    void sec1EcWithParametersBlock() throws Exception {
        Path key = OpenSsl.ecSec1(dir, "ec.pem");
        assertThat(Files.readString(key)).startsWith("-----BEGIN EC PARAMETERS-----")
                .contains("-----BEGIN EC PRIVATE KEY-----");
        PrivateKey k = PemKeys.readPrivateKey(key, null);
        assertThat(k.getAlgorithm()).isIn("EC", "ECDSA");
        assertMatches(k, Certificates.readFirst(OpenSsl.selfSigned(key, dir.resolve("ec.crt"), "ec")));
    }

    @Test
    void encryptedPkcs8WithPassword() throws Exception {
        Path key = OpenSsl.encryptPkcs8(rsa, dir.resolve("enc8.pem"), "s3cret");
        assertThat(Files.readString(key)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertMatches(PemKeys.readPrivateKey(key, "s3cret".toCharArray()), Certificates.readFirst(rsaCert));
    }

    @Test
    void legacyEncryptedPem() throws Exception {
        Path key = OpenSsl.encryptLegacy(rsa, dir.resolve("legacy.pem"), "s3cret");
        assertThat(Files.readString(key)).contains("Proc-Type: 4,ENCRYPTED");
        assertMatches(PemKeys.readPrivateKey(key, "s3cret".toCharArray()), Certificates.readFirst(rsaCert));
    }

    @Test
    void passwordFileIsItsFirstLine() throws Exception {
        Path key = OpenSsl.encryptPkcs8(rsa, dir.resolve("pwfile.pem"), "pass word");
        Path pw = Files.writeString(dir.resolve("pw.txt"), "pass word\nignored\n");
        assertMatches(PemKeys.readPrivateKey(key, PemKeys.readPassword(pw)), Certificates.readFirst(rsaCert));
    }

    @Test
    void wrongOrMissingPasswordIsOneLineNamingTheFile() {
        Path key = OpenSsl.encryptPkcs8(rsa, dir.resolve("enc-wrong.pem"), "right");
        assertThatThrownBy(() -> PemKeys.readPrivateKey(key, "wrong".toCharArray()))
                .isInstanceOf(PkiException.class)
                .hasMessage(key + ": cannot decrypt the private key (wrong password?)");
        assertThatThrownBy(() -> PemKeys.readPrivateKey(key, null))
                .isInstanceOf(PkiException.class)
                .hasMessage(key + ": the private key is encrypted and no password was given");
        Path legacy = OpenSsl.encryptLegacy(rsa, dir.resolve("legacy-wrong.pem"), "right");
        assertThatThrownBy(() -> PemKeys.readPrivateKey(legacy, "wrong".toCharArray()))
                .hasMessage(legacy + ": cannot decrypt the private key (wrong password?)");
    }

    @Test
    void notAKey() throws Exception {
        assertThatThrownBy(() -> PemKeys.readPrivateKey(rsaCert, null))
                .isInstanceOf(PkiException.class).hasMessage(rsaCert + ": no PEM private key found");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"),
                "-----BEGIN RSA PRIVATE KEY-----\nnot base64 at all!\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemKeys.readPrivateKey(garbage, null))
                .isInstanceOf(PkiException.class).hasMessageStartingWith(garbage + ": not a valid PEM private key (")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> PemKeys.readPrivateKey(dir.resolve("absent.pem"), null))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void certificatesInPemBundlesAndDer() throws Exception {
        Path other = OpenSsl.selfSigned(OpenSsl.ecSec1(dir, "other.pem"), dir.resolve("other.crt"), "other");
        Path bundle = dir.resolve("bundle.pem");
        Files.writeString(bundle, Files.readString(rsaCert) + Files.readString(other));
        assertThat(Certificates.read(bundle)).extracting(c -> c.getSubjectX500Principal().getName())
                .containsExactly("CN=rsa", "CN=other");
        Path der = OpenSsl.toDer(rsaCert, dir.resolve("rsa.der"));
        assertThat(Certificates.read(der)).containsExactly(Certificates.readFirst(rsaCert));
        Path withKey = dir.resolve("key-and-cert.pem");
        Files.writeString(withKey, Files.readString(rsa) + Files.readString(rsaCert));
        assertThat(Certificates.read(withKey)).containsExactly(Certificates.readFirst(rsaCert));
    }

    @Test
    void notACertificate() throws Exception {
        assertThatThrownBy(() -> Certificates.read(rsa))
                .isInstanceOf(PkiException.class).hasMessage(rsa + ": no PEM certificate found");
        Path junk = Files.write(dir.resolve("junk.der"), new byte[] {0x30, 0x03, 1, 2, 3});
        assertThatThrownBy(() -> Certificates.read(junk))
                .isInstanceOf(PkiException.class).hasMessage(junk + ": neither a PEM nor a DER certificate");
        Path empty = Files.write(dir.resolve("empty.crt"), new byte[0]);
        assertThatThrownBy(() -> Certificates.read(empty))
                .isInstanceOf(PkiException.class).hasMessage(empty + ": empty file, not a certificate");
    }

    /** Signs with {@code key} and verifies with the certificate's public key, so the two must be a pair. */
    private static void assertMatches(PrivateKey key, X509Certificate cert) throws Exception {
        String alg = key.getAlgorithm().startsWith("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        Signature s = Signature.getInstance(alg, BouncyCastle.provider());
        s.initSign(key);
        s.update(MESSAGE);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(alg, BouncyCastle.provider());
        v.initVerify(cert.getPublicKey());
        v.update(MESSAGE);
        assertThat(v.verify(sig)).as("key matches the certificate").isTrue();
    }
}
