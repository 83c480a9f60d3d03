package io.oci2cfs.pki;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;

/**
 * X.509 certificates from files: PEM with one or more {@code CERTIFICATE} blocks (other blocks, such as a key
 * kept in the same file, are skipped), or a single DER certificate.
 */
public final class Certificates {
    private static final byte[] PEM_BEGIN = "-----BEGIN ".getBytes(StandardCharsets.US_ASCII);

    private Certificates() {
    }

    /** Every certificate in {@code file}, in file order; never empty. */
    public static List<X509Certificate> read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        List<X509CertificateHolder> holders = isPem(bytes) ? readPem(file, bytes) : List.of(readDer(file, bytes));
        if (holders.isEmpty()) {
            throw new PkiException(file, "no PEM certificate found");
        }
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter()
                .setProvider(BouncyCastle.provider());
        List<X509Certificate> certs = new ArrayList<>(holders.size());
        for (X509CertificateHolder h : holders) {
            try {
                certs.add(converter.getCertificate(h));
            } catch (CertificateException e) {
                throw new PkiException(file, "unusable certificate (" + PemKeys.oneLine(e) + ")", e);
            }
        }
        return List.copyOf(certs);
    }

    /** The first certificate in {@code file}: the signer's, where a file holds a chain. */
    public static X509Certificate readFirst(Path file) throws IOException {
        return read(file).get(0);
    }

    private static boolean isPem(byte[] bytes) {
        for (int i = 0; i + PEM_BEGIN.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + PEM_BEGIN.length, PEM_BEGIN, 0, PEM_BEGIN.length)) {
                return true;
            }
        }
        return false;
    }

    private static List<X509CertificateHolder> readPem(Path file, byte[] bytes) throws PkiException {
        List<X509CertificateHolder> certs = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(new String(bytes, StandardCharsets.ISO_8859_1)))) {
            for (Object o; (o = parser.readObject()) != null; ) {
                if (o instanceof X509CertificateHolder h) {
                    certs.add(h);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new PkiException(file, "not a valid PEM certificate (" + PemKeys.oneLine(e) + ")", e);
        }
        return certs;
    }

    private static X509CertificateHolder readDer(Path file, byte[] bytes) throws PkiException {
        if (bytes.length == 0) {
            throw new PkiException(file, "empty file, not a certificate");
        }
        try {
            return new X509CertificateHolder(bytes);
        } catch (IOException | RuntimeException e) {
            throw new PkiException(file, "neither a PEM nor a DER certificate", e);
        }
    }
}
