package io.oci2cfs.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.fsverity.HashAlgorithm;
import io.oci2cfs.testutil.OpenSsl;
import io.oci2cfs.testutil.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.cms.SignerInfo;
import org.bouncycastle.cms.CMSSignedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Signatures ours and fsverity-utils' accepted, and every kind of mismatch refused with one line naming the
 * files: a flipped byte in the signed file, a certificate that did not sign, a signature of another file.
 */
class SignatureVerifierTest {
    @TempDir
    static Path dir;
    static Path file;
    static Path other;
    static OpenSsl.Pair rsa;
    static OpenSsl.Pair ec;
    static OpenSsl.Pair foreign;

    @BeforeAll
    static void keys() throws Exception {
        OpenSsl.require();
        byte[] data = new byte[5 * 4096 + 7];
        new Random(5).nextBytes(data);
        file = Files.write(dir.resolve("file"), data);
        data[0] ^= 1;
        other = Files.write(dir.resolve("other"), data);
        rsa = OpenSsl.rsaPair(dir, "signer-rsa");
        ec = OpenSsl.ecPair(dir, "signer-ec");
        foreign = OpenSsl.rsaPair(dir, "foreign");
    }

    private static Path sign(OpenSsl.Pair pair, Path target, HashAlgorithm alg, String name) throws Exception {
        return Files.write(dir.resolve(name), VeritySigner.load(pair.key(), pair.cert(), null).sign(target, alg));
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void acceptsOwnRsaAndEcSignaturesWithTheirAlgorithm(HashAlgorithm alg) throws Exception {
        for (OpenSsl.Pair pair : new OpenSsl.Pair[] {rsa, ec}) {
            Path sig = sign(pair, file, alg, "own-" + pair.key().getFileName() + "-" + alg + ".sig");
            assertThat(SignatureVerifier.algorithmOf(Files.readAllBytes(sig))).isEqualTo(alg);
            SignatureVerifier.Verified v = SignatureVerifier.load(pair.cert()).verify(file, sig);
            assertThat(v.digest()).isEqualTo(FormattedDigest.of(file, alg));
            assertThat(v.signerName()).isEqualTo("CN=" + pair.cert().getFileName().toString().replace(".crt", ""));
        }
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void acceptsFsveritySignaturesAndEcdsaDiffersOnlyInTheSignatureValue(HashAlgorithm alg) throws Exception {
        assumeTrue(Proc.has("fsverity"), "fsverity is not installed; skipping");
        Path theirs = dir.resolve("fsverity-ec-" + alg + ".sig");
        Proc.Result r = Proc.run("fsverity", "sign", file.toString(), theirs.toString(), "--key=" + ec.key(),
                "--cert=" + ec.cert(), "--hash-alg=" + alg.cliName());
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(SignatureVerifier.load(ec.cert()).verify(file, theirs).digest())
                .isEqualTo(FormattedDigest.of(file, alg));

        byte[] ours = VeritySigner.load(ec.key(), ec.cert(), null).sign(file, alg);
        assertThat(withoutSignatureValue(ours)).isEqualTo(withoutSignatureValue(Files.readAllBytes(theirs)));
    }

    /** The SignedData with the ECDSA signature value (random) emptied, in DER. */
    private static byte[] withoutSignatureValue(byte[] der) throws Exception {
        CMSSignedData cms = new CMSSignedData(der);
        SignedData sd = SignedData.getInstance(
                cms.toASN1Structure().getContent());
        SignerInfo si = SignerInfo.getInstance(sd.getSignerInfos().getObjectAt(0));
        SignerInfo blank = new SignerInfo(si.getSID(), si.getDigestAlgorithm(), si.getAuthenticatedAttributes(),
                si.getDigestEncryptionAlgorithm(), new DEROctetString(new byte[0]),
                si.getUnauthenticatedAttributes());
        return new SignedData(sd.getDigestAlgorithms(), sd.getEncapContentInfo(),
                sd.getCertificates(), sd.getCRLs(), new DERSet(blank)).getEncoded("DER");
    }

    @Test
    void flippedByteInTheFileIsRefused() throws Exception {
        Path sig = sign(rsa, file, HashAlgorithm.SHA256, "tamper.sig");
        Path copy = Files.copy(file, dir.resolve("tampered"));
        byte[] b = Files.readAllBytes(copy);
        b[b.length / 2] ^= 0x40;
        Files.write(copy, b);
        assertThatThrownBy(() -> SignatureVerifier.load(rsa.cert()).verify(copy, sig))
                .isInstanceOf(SignatureRejectedException.class)
                .hasMessage(sig + ": the signature does not match the fs-verity digest "
                        + FormattedDigest.of(copy, HashAlgorithm.SHA256) + " (signed by CN=signer-rsa) (for " + copy + ")");
    }

    @Test
    void signatureOfAnotherFileIsRefused() throws Exception {
        Path sig = sign(ec, other, HashAlgorithm.SHA512, "other.sig");
        assertThatThrownBy(() -> SignatureVerifier.load(ec.cert()).verify(file, sig))
                .isInstanceOf(SignatureRejectedException.class)
                .hasMessageStartingWith(sig + ": the signature does not match the fs-verity digest sha512:");
    }

    @Test
    void foreignCertificateIsRefusedAndABundleWithTheSignerIsAccepted() throws Exception {
        Path sig = sign(rsa, file, HashAlgorithm.SHA256, "foreign.sig");
        assertThatThrownBy(() -> SignatureVerifier.load(foreign.cert()).verify(file, sig))
                .isInstanceOf(SignatureRejectedException.class)
                .hasMessageStartingWith(sig + ": signed by the certificate of issuer CN=signer-rsa serial ")
                .hasMessageEndingWith(", not by a trusted certificate (for " + file + ")");
        Path bundle = dir.resolve("bundle.pem");
        Files.writeString(bundle, Files.readString(foreign.cert()) + Files.readString(rsa.cert()));
        assertThat(SignatureVerifier.load(bundle).verify(file, sig).signerName()).isEqualTo("CN=signer-rsa");
    }

    @Test
    void malformedSignaturesAreOneLine() throws Exception {
        Path junk = Files.write(dir.resolve("junk.sig"), new byte[] {0x30, 0x03, 2, 1, 1});
        assertThatThrownBy(() -> SignatureVerifier.load(rsa.cert()).verify(file, junk))
                .isInstanceOf(SignatureRejectedException.class)
                .hasMessageStartingWith(junk + ": not a PKCS#7 signature (")
                .hasMessageNotContaining("\n");
        Path embedded = dir.resolve("embedded.sig");
        Path content = Files.write(dir.resolve("formatted"), FormattedDigest.of(file, HashAlgorithm.SHA256).encoded());
        OpenSsl.run("cms", "-sign", "-binary", "-nodetach", "-noattr", "-outform", "DER", "-in", content.toString(),
                "-signer", rsa.cert().toString(), "-inkey", rsa.key().toString(), "-out", embedded.toString());
        assertThatThrownBy(() -> SignatureVerifier.load(rsa.cert()).verify(file, embedded))
                .isInstanceOf(SignatureRejectedException.class)
                .hasMessage(embedded + ": not a detached signature: it embeds its content, which the kernel "
                        + "refuses (for " + file + ")");
    }
}
