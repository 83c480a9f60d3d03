package io.oci2cfs.signing;

import io.oci2cfs.fsverity.HashAlgorithm;
import io.oci2cfs.output.OutputFiles;
import io.oci2cfs.pki.BouncyCastle;
import io.oci2cfs.pki.Certificates;
import io.oci2cfs.pki.PemKeys;
import io.oci2cfs.pki.PkiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Signs fs-verity digests with a private key and its certificate, as {@code fsverity sign} does: a detached
 * CMS SignedData (DER) over the {@link FormattedDigest}, no signed attributes, no certificates, the signer named
 * by the certificate's issuer and serial number, the message digest the file's fs-verity hash. RSA keys sign
 * with PKCS#1 v1.5, EC keys with ECDSA.
 */
public final class VeritySigner {
    private final PrivateKey key;
    private final X509Certificate certificate;

    /** @throws PkiException when the key is neither RSA nor EC or is not the certificate's */
    public VeritySigner(PrivateKey key, X509Certificate certificate) throws PkiException {
        this.key = key;
        this.certificate = certificate;
        checkPair();
    }

    /** The key in {@code keyFile} (PEM; {@code password} null unless encrypted) and the first certificate of {@code certFile}. */
    public static VeritySigner load(Path keyFile, Path certFile, char[] password) throws IOException {
        PrivateKey key = PemKeys.readPrivateKey(keyFile, password);
        X509Certificate cert = Certificates.readFirst(certFile);
        try {
            return new VeritySigner(key, cert);
        } catch (PkiException e) {
            throw new PkiException(keyFile + " and " + certFile + ": " + e.getMessage());
        }
    }

    X509Certificate certificate() {
        return certificate;
    }

    /** Where the signature of {@code image} is kept: {@code IMAGE.sig} beside it. */
    static Path signaturePath(Path image) {
        return image.resolveSibling(image.getFileName() + ".sig");
    }

    /** Signs {@code image} and writes the signature atomically to {@link #signaturePath}; returns that path. */
    public Path signBeside(Path image, HashAlgorithm algorithm) throws IOException {
        Path sig = signaturePath(image);
        OutputFiles.write("signature", sig, sign(image, algorithm));
        return sig;
    }

    /** The DER signature of {@code file}'s fs-verity digest with {@code algorithm}. */
    public byte[] sign(Path file, HashAlgorithm algorithm) throws IOException {
        return sign(FormattedDigest.of(file, algorithm));
    }

    /** The DER signature of {@code digest}, what {@code FS_IOC_ENABLE_VERITY} takes as {@code sig_ptr}. */
    public byte[] sign(FormattedDigest digest) throws IOException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(signatureAlgorithm(digest.algorithm()))
                    .setProvider(BouncyCastle.provider()).build(key);
            CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
            // As OpenSSL's PKCS7_sign_add_signer writes it: the digest algorithm with NULL parameters and, for
            // RSA, rsaEncryption rather than sha256WithRSAEncryption as the signature algorithm.
            gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
                    new JcaDigestCalculatorProviderBuilder().setProvider(BouncyCastle.provider()).build(),
                    VeritySigner::opensslSignatureAlgorithm)
                    .setDirectSignature(true)
                    .setContentDigest(new AlgorithmIdentifier(digestOid(digest.algorithm()), DERNull.INSTANCE))
                    .build(signer, certificate));
            return gen.generate(new CMSProcessableByteArray(digest.encoded()), false).getEncoded(ASN1Encoding.DER);
        } catch (OperatorCreationException | CMSException | CertificateEncodingException e) {
            throw new IOException("cannot sign " + digest + ": " + e.getMessage(), e);
        }
    }

    /** PKCS#1 v1.5 signatures named rsaEncryption, as OpenSSL names them in a SignerInfo; others unchanged. */
    private static AlgorithmIdentifier opensslSignatureAlgorithm(AlgorithmIdentifier signature) {
        ASN1ObjectIdentifier oid = signature.getAlgorithm();
        if (oid.equals(PKCSObjectIdentifiers.sha256WithRSAEncryption)
                || oid.equals(PKCSObjectIdentifiers.sha512WithRSAEncryption)) {
            return new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE);
        }
        return signature;
    }

    private static ASN1ObjectIdentifier digestOid(HashAlgorithm algorithm) {
        return algorithm == HashAlgorithm.SHA512 ? NISTObjectIdentifiers.id_sha512 : NISTObjectIdentifiers.id_sha256;
    }

    private String signatureAlgorithm(HashAlgorithm algorithm) {
        String hash = algorithm == HashAlgorithm.SHA512 ? "SHA512" : "SHA256";
        return hash + (isRsa() ? "withRSA" : "withECDSA");
    }

    private boolean isRsa() {
        return key.getAlgorithm().startsWith("RSA");
    }

    /** What OpenSSL's PKCS7_sign_add_signer checks first: the key signs what the certificate's key verifies. */
    private void checkPair() throws PkiException {
        String alg = key.getAlgorithm();
        if (!alg.startsWith("RSA") && !alg.equals("EC") && !alg.equals("ECDSA")) {
            throw new PkiException("a " + alg + " key cannot make fs-verity signatures (RSA or EC keys only)");
        }
        byte[] probe = "oci2cfs key check".getBytes(StandardCharsets.US_ASCII);
        try {
            String sigAlg = signatureAlgorithm(HashAlgorithm.SHA256);
            Signature s = Signature.getInstance(sigAlg, BouncyCastle.provider());
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(sigAlg, BouncyCastle.provider());
            v.initVerify(certificate.getPublicKey());
            v.update(probe);
            if (v.verify(sig)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another type than the certificate's: not a pair either
        }
        throw new PkiException("the private key does not match the certificate ("
                + certificate.getSubjectX500Principal().getName() + ")");
    }
}
