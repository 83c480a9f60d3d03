package io.oci2cfs.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.fsverity.HashAlgorithm;
import io.oci2cfs.pki.PkiException;
import io.oci2cfs.testutil.OpenSsl;
import io.oci2cfs.testutil.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our signatures against fsverity-utils' {@code fsverity sign} (byte for byte with RSA keys, which sign
 * deterministically) and against {@code openssl cms -verify} (any key).
 */
class VeritySignerTest {
    @TempDir
    static Path dir;
    static Path file;
    static Path rsaKey;
    static Path rsaCert;
    static Path ecKey;
    static Path ecCert;

    @BeforeAll
    static void keys() throws Exception {
        OpenSsl.require();
        byte[] data = new byte[3 * 4096 + 123];
        new Random(13).nextBytes(data);
        file = Files.write(dir.resolve("file"), data);
        rsaKey = OpenSsl.rsaPkcs1(dir, "rsa.pem");
        rsaCert = OpenSsl.selfSigned(rsaKey, dir.resolve("rsa.crt"), "oci2cfs test rsa");
        ecKey = OpenSsl.ecSec1(dir, "ec.pem");
        ecCert = OpenSsl.selfSigned(ecKey, dir.resolve("ec.crt"), "oci2cfs test ec");
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void rsaSignatureIsByteIdenticalToFsveritySign(HashAlgorithm alg) throws Exception {
        assumeTrue(Proc.has("fsverity"), "fsverity is not installed; skipping");
        Path theirs = dir.resolve("theirs-" + alg + ".sig");
        Proc.Result r = Proc.run("fsverity", "sign", file.toString(), theirs.toString(), "--key=" + rsaKey,
                "--cert=" + rsaCert, "--hash-alg=" + alg.cliName());
        assertThat(r.code()).as("fsverity sign: %s", r.stderr()).isZero();
        assertThat(r.out()).contains(FormattedDigest.of(file, alg).toString());
        byte[] ours = VeritySigner.load(rsaKey, rsaCert, null).sign(file, alg);
        assertThat(HexFormat.of().formatHex(ours)).isEqualTo(HexFormat.of().formatHex(Files.readAllBytes(theirs)));
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void opensslVerifiesRsaAndEcSignatures(HashAlgorithm alg) throws Exception {
        Path content = Files.write(dir.resolve("formatted-" + alg), FormattedDigest.of(file, alg).encoded());
        for (Path[] pair : new Path[][] {{rsaKey, rsaCert}, {ecKey, ecCert}}) {
            Path sig = Files.write(dir.resolve(pair[0].getFileName() + "-" + alg + ".sig"),
                    VeritySigner.load(pair[0], pair[1], null).sign(file, alg));
            OpenSsl.run("cms", "-verify", "-binary", "-inform", "DER", "-in", sig.toString(),
                    "-content", content.toString(), "-certfile", pair[1].toString(), "-CAfile", pair[1].toString(),
                    "-purpose", "any", "-out", "/dev/null");
        }
    }

    @Test
    void formattedDigestIsWhatFsverityDigestForBuiltinSigPrints() throws Exception {
        assumeTrue(Proc.has("fsverity"), "fsverity is not installed; skipping");
        for (HashAlgorithm alg : HashAlgorithm.values()) {
            Proc.Result r = Proc.run("fsverity", "digest", "--for-builtin-sig", "--compact",
                    "--hash-alg=" + alg.cliName(), file.toString());
            assertThat(r.code()).as(r.stderr()).isZero();
            assertThat(r.out().trim()).isEqualTo(HexFormat.of().formatHex(
                    FormattedDigest.of(file, alg).encoded()));
        }
    }

    @Test
    void keyOfAnotherCertificateIsRefused() {
        assertThatThrownBy(() -> VeritySigner.load(rsaKey, ecCert, null))
                .isInstanceOf(PkiException.class)
                .hasMessage(rsaKey + " and " + ecCert + ": the private key does not match the certificate "
                        + "(CN=oci2cfs test ec)");
    }
}
