package io.oci2cfs.registry.config;

import io.oci2cfs.pki.Certificates;
import io.oci2cfs.pki.PemKeys;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;

/**
 * containers-certs.d(5): a registry's directory of extra CAs ({@code *.crt}) and client certificate pairs
 * ({@code X.cert} with {@code X.key}), as containers/image's {@code dockerCertDir} and
 * {@code tlsclientconfig.SetupCertificates} read it. Keys may be PKCS#8, PKCS#1 or SEC1 PEM.
 */
public final class CertsDirs {

    private CertsDirs() {
    }

    /**
     * The TLS material for {@code hostPort} ({@code host} or {@code host:port}, as in the reference, so
     * {@code docker.io} rather than {@code registry-1.docker.io}, as containers/image does): from
     * {@code certDirOverride} when given ({@code --cert-dir}), else from the first existing directory among
     * {@code ~/.config/containers/certs.d/HOST[:PORT]}, {@code /etc/containers/certs.d/HOST[:PORT]} and
     * {@code /etc/docker/certs.d/HOST[:PORT]}; {@link TlsMaterial#none()} when there is none.
     */
    public static TlsMaterial forHost(String hostPort, Path certDirOverride, Environment env) throws IOException {
        if (certDirOverride != null) {
            if (!Files.isDirectory(certDirOverride)) {
                throw new IOException(certDirOverride + ": --cert-dir is not a directory");
            }
            return read(certDirOverride);
        }
        for (Path base : searchPath(env)) {
            Path dir = base.resolve(hostPort);
            if (Files.isDirectory(dir)) {
                return read(dir);
            }
        }
        return TlsMaterial.none();
    }

    /** The certs.d directories searched, in order. */
    static List<Path> searchPath(Environment env) {
        return List.of(env.home().resolve(".config/containers/certs.d"), Path.of("/etc/containers/certs.d"),
                Path.of("/etc/docker/certs.d"));
    }

    /**
     * Reads one directory. Every {@code .crt} file adds CAs. A {@code .cert} without its {@code .key}, or the
     * other way round, is an error, as in containers/image. Where containers/image offers every client pair
     * to Go's TLS stack, we use the first in name order.
     */
    static TlsMaterial read(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(files::add);
        }
        files.sort(null);
        List<X509Certificate> cas = new ArrayList<>();
        PrivateKey key = null;
        List<X509Certificate> chain = List.of();
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.endsWith(".crt") && Files.isRegularFile(file)) {
                cas.addAll(Certificates.read(file));
            } else if (name.endsWith(".cert")) {
                Path keyFile = dir.resolve(stem(name) + ".key");
                if (!Files.exists(keyFile)) {
                    throw new IOException(file + ": client certificate without its key " + keyFile.getFileName()
                            + " (CA certificates take the extension .crt)");
                }
                if (key == null) {
                    chain = Certificates.read(file);
                    key = jdkKey(keyFile, PemKeys.readPrivateKey(keyFile, null));
                }
            } else if (name.endsWith(".key") && !Files.exists(dir.resolve(stem(name) + ".cert"))) {
                throw new IOException(file + ": key without its client certificate " + stem(name) + ".cert");
            }
        }
        return new TlsMaterial(cas, key, chain);
    }

    /**
     * The same key as a JDK key object: Bouncy Castle names EC keys "ECDSA", while JSSE's key managers pick
     * a client key by the names "EC" and "RSA".
     */
    private static PrivateKey jdkKey(Path file, PrivateKey key) throws IOException {
        String algorithm = key.getAlgorithm().equals("ECDSA") ? "EC" : key.getAlgorithm();
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": " + algorithm + " keys are not usable for TLS here (" + e.getMessage() + ")",
                    e);
        }
    }

    private static String stem(String name) {
        return name.substring(0, name.lastIndexOf('.'));
    }
}
