package io.oci2cfs.pki;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Private keys from PEM files, as OpenSSL writes them: {@code RSA PRIVATE KEY} (PKCS#1, also with OpenSSL's
 * legacy {@code Proc-Type: 4,ENCRYPTED} headers), {@code EC PRIVATE KEY} (SEC1, an {@code EC PARAMETERS}
 * block before it is skipped), {@code PRIVATE KEY} (PKCS#8) and {@code ENCRYPTED PRIVATE KEY} (PKCS#8 with
 * PBES1/PBES2). A password given for a key that is not encrypted is ignored, as OpenSSL does.
 */
public final class PemKeys {
    private PemKeys() {
    }

    /** The first private key in {@code file}; {@code password} may be null for keys that are not encrypted. */
    public static PrivateKey readPrivateKey(Path file, char[] password) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(BouncyCastle.provider());
        try (PEMParser parser = new PEMParser(open(file))) {
            for (Object o; (o = parser.readObject()) != null; ) {
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                    return converter.getPrivateKey(decrypt(file, encrypted, requirePassword(file, password)));
                }
                if (o instanceof PEMEncryptedKeyPair encrypted) {
                    return converter.getKeyPair(decrypt(file, encrypted, requirePassword(file, password)))
                            .getPrivate();
                }
            }
        } catch (PkiException | NoSuchFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new PkiException(file, "not a valid PEM private key (" + oneLine(e) + ")", e);
        }
        throw new PkiException(file, "no PEM private key found");
    }

    private static PrivateKeyInfo decrypt(Path file, PKCS8EncryptedPrivateKeyInfo key, char[] password)
            throws PkiException {
        try {
            return key.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                    .setProvider(BouncyCastle.provider()).build(password));
        } catch (PKCSException | OperatorCreationException e) {
            throw new PkiException(file, "cannot decrypt the private key (wrong password?)", e);
        }
    }

    private static PEMKeyPair decrypt(Path file, PEMEncryptedKeyPair key, char[] password) throws PkiException {
        try {
            return key.decryptKeyPair(new JcePEMDecryptorProviderBuilder()
                    .setProvider(BouncyCastle.provider()).build(password));
        } catch (IOException | RuntimeException e) {
            throw new PkiException(file, "cannot decrypt the private key (wrong password?)", e);
        }
    }

    /**
     * The password in {@code file}: its first line, without the line end (what {@code openssl -passin file:F}
     * takes).
     */
    public static char[] readPassword(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        String line = end < 0 ? text : text.substring(0, end);
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        return line.toCharArray();
    }

    private static char[] requirePassword(Path file, char[] password) throws PkiException {
        if (password == null) {
            throw new PkiException(file, "the private key is encrypted and no password was given");
        }
        return password;
    }

    static Reader open(Path file) throws IOException {
        return Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ');
    }
}
