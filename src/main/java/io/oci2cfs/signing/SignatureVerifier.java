package io.oci2cfs.signing;

import io.oci2cfs.fsverity.HashAlgorithm;
import io.oci2cfs.pki.BouncyCastle;
import io.oci2cfs.pki.Certificates;
import io.oci2cfs.pki.PkiException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerId;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;

/**
 * Checks fs-verity signatures (detached PKCS#7 over a {@link FormattedDigest}) against trusted certificates,
 * as the kernel does with its {@code .fs-verity} keyring: the signature must come from one of the certificates
 * and verify over the formatted digest of the file. Certificate validity dates are not checked (the kernel
 * does not either).
 */
public final class SignatureVerifier {
    private final List<X509Certificate> trusted;
    private final List<X509CertificateHolder> holders;

    public SignatureVerifier(Collection<X509Certificate> trusted) throws CertificateEncodingException {
        if (trusted.isEmpty()) {
            throw new IllegalArgumentException("no trusted certificate");
        }
        this.trusted = List.copyOf(trusted);
        List<X509CertificateHolder> h = new ArrayList<>();
        for (X509Certificate c : this.trusted) {
            h.add(new JcaX509CertificateHolder(c));
        }
        this.holders = List.copyOf(h);
    }

    /** A verifier trusting every certificate in {@code certFile} (PEM or DER). */
    public static SignatureVerifier load(Path certFile) throws IOException {
        try {
            return new SignatureVerifier(Certificates.read(certFile));
        } catch (CertificateEncodingException e) {
            throw new IOException(certFile + ": unusable certificate (" + e.getMessage() + ")", e);
        }
    }

    /** What a verified signature proved: the digest it covers and the certificate that made it. */
    public record Verified(FormattedDigest digest, X509Certificate signer) {
        public String signerName() {
            return signer.getSubjectX500Principal().getName();
        }
    }

    /**
     * Verifies {@code signatureFile} over {@code file}'s fs-verity digest, with the hash algorithm the
     * signature names. Messages name both files.
     */
    public Verified verify(Path file, Path signatureFile) throws IOException {
        byte[] signature = Files.readAllBytes(signatureFile);
        try {
            return verify(signature, FormattedDigest.of(file, algorithmOf(signature)));
        } catch (SignatureRejectedException e) {
            throw new SignatureRejectedException(signatureFile + ": " + e.getMessage() + " (for " + file + ")", e);
        }
    }

    /**
     * The fs-verity hash algorithm of a signature: fsverity-utils signs with the message digest of the same
     * name, SHA-256 for sha256 and SHA-512 for sha512.
     */
    static HashAlgorithm algorithmOf(byte[] signature) throws SignatureRejectedException {
        CMSSignedData cms = parse(signature);
        for (SignerInformation s : cms.getSignerInfos()) {
            ASN1ObjectIdentifier oid = s.getDigestAlgorithmID().getAlgorithm();
            if (oid.equals(NISTObjectIdentifiers.id_sha256)) {
                return HashAlgorithm.SHA256;
            }
            if (oid.equals(NISTObjectIdentifiers.id_sha512)) {
                return HashAlgorithm.SHA512;
            }
            throw new SignatureRejectedException("unsupported digest algorithm " + oid + " (SHA-256 or SHA-512)");
        }
        throw new SignatureRejectedException("the signature has no signer");
    }

    /**
     * Verifies {@code signature} over {@code digest}: at least one signer is a trusted certificate, and
     * every signer that is verifies.
     */
    public Verified verify(byte[] signature, FormattedDigest digest) throws SignatureRejectedException {
        CMSSignedData cms = parse(signature, digest.encoded());
        Verified verified = null;
        List<String> strangers = new ArrayList<>();
        for (SignerInformation s : cms.getSignerInfos()) {
            int i = trustedIndex(s.getSID());
            if (i < 0) {
                strangers.add(describe(s.getSID()));
                continue;
            }
            if (!verifies(s, trusted.get(i))) {
                throw new SignatureRejectedException("the signature does not match the fs-verity digest " + digest
                        + " (signed by " + trusted.get(i).getSubjectX500Principal().getName() + ")");
            }
            verified = new Verified(digest, trusted.get(i));
        }
        if (verified == null) {
            throw new SignatureRejectedException(strangers.isEmpty() ? "the signature has no signer"
                    : "signed by " + String.join(", ", strangers) + ", not by a trusted certificate");
        }
        return verified;
    }

    private int trustedIndex(SignerId sid) {
        for (int i = 0; i < holders.size(); i++) {
            if (sid.match(holders.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean verifies(SignerInformation s, X509Certificate cert) throws SignatureRejectedException {
        try {
            return s.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BouncyCastle.provider()).build(cert));
        } catch (CMSException e) {
            return false;
        } catch (OperatorCreationException e) {
            throw new SignatureRejectedException("cannot verify with " + cert.getSubjectX500Principal().getName() + ": "
                    + e.getMessage(), e);
        }
    }

    private static String describe(SignerId sid) {
        X500Name issuer = sid.getIssuer();
        if (issuer == null) {
            return "an unknown key";
        }
        return "the certificate of issuer " + issuer + " serial " + sid.getSerialNumber().toString(16);
    }

    private static CMSSignedData parse(byte[] signature) throws SignatureRejectedException {
        try {
            return new CMSSignedData(signature);
        } catch (CMSException | RuntimeException e) {
            throw new SignatureRejectedException("not a PKCS#7 signature (" + PkiException.reason(e) + ")", e);
        }
    }

    private static CMSSignedData parse(byte[] signature, byte[] content) throws SignatureRejectedException {
        if (parse(signature).getSignedContent() != null) {
            throw new SignatureRejectedException("not a detached signature: it embeds its content, which the kernel refuses");
        }
        try {
            return new CMSSignedData(new CMSProcessableByteArray(content), signature);
        } catch (CMSException | RuntimeException e) {
            throw new SignatureRejectedException("not a PKCS#7 signature (" + PkiException.reason(e) + ")", e);
        }
    }
}
