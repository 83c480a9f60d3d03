package io.oci2cfs.registry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.testutil.OpenSsl;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * certs.d directories with keys and certificates made by openssl; the material read is proven usable by a
 * mutual-TLS handshake with the JDK's TLS stack.
 */
class CertsDirsTest {

    @TempDir
    Path dir;
    Path home;
    Environment env;

    @BeforeEach
    void setUp() {
        OpenSsl.require();
        home = dir.resolve("home");
        env = new Environment(Map.of(), home);
    }

    /** Writes a client pair X.cert/X.key made from a key of the given kind into {@code certsDir}. */
    private Path clientPair(Path certsDir, String name, BiFunction<Path, String, Path> keyKind) throws IOException {
        Files.createDirectories(certsDir);
        Path key = keyKind.apply(certsDir, name + ".key");
        OpenSsl.selfSigned(key, certsDir.resolve(name + ".cert"), "client-" + name);
        return key;
    }

    @Test
    void pkcs1ClientKeyPassesMutualTls() throws Exception {
        assertMutualTls(OpenSsl::rsaPkcs1);
    }

    @Test
    void pkcs8ClientKeyPassesMutualTls() throws Exception {
        assertMutualTls(OpenSsl::rsaPkcs8);
    }

    @Test
    void sec1ClientKeyPassesMutualTls() throws Exception {
        assertMutualTls(OpenSsl::ecSec1);
    }

    private void assertMutualTls(BiFunction<Path, String, Path> keyKind) throws Exception {
        Path serverDir = Files.createDirectories(dir.resolve("server"));
        Path serverKey = OpenSsl.ecSec1(serverDir, "server.key");
        Path serverCert = OpenSsl.selfSigned(serverKey, serverDir.resolve("server.pem"), "registry");
        Path certsDir = home.resolve(".config/containers/certs.d/registry.test:5000");
        clientPair(certsDir, "client", keyKind);
        Files.copy(serverCert, Files.createDirectories(certsDir).resolve("registry-ca.crt"));

        TlsMaterial tls = CertsDirs.forHost("registry.test:5000", null, env);
        assertThat(tls.extraCas()).hasSize(1);
        assertThat(tls.hasClientCertificate()).isTrue();
        assertThat(tls.clientChain()).hasSize(1);

        X509Certificate serverX509 = io.oci2cfs.pki.Certificates.readFirst(serverCert);
        SSLContext server = context(io.oci2cfs.pki.PemKeys.readPrivateKey(serverKey, null), List.of(serverX509),
                tls.clientChain());
        SSLContext client = context(tls.clientKey(), tls.clientChain(), tls.extraCas());
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket accepted = (SSLSocket) listener.accept(); InputStream in = accepted.getInputStream()) {
                    in.read();
                    return ((X509Certificate) accepted.getSession().getPeerCertificates()[0])
                            .getSubjectX500Principal().getName();
                } catch (IOException e) {
                    return "server failed: " + e;
                }
            });
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                socket.startHandshake();
                socket.getOutputStream().write(1);
                socket.getOutputStream().flush();
                assertThat(peer.get(30, TimeUnit.SECONDS)).isEqualTo("CN=client-client");
            }
        }
    }

    private static SSLContext context(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trusted)
            throws Exception {
        char[] password = "test".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("key", key, password, chain.toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < trusted.size(); i++) {
            trust.setCertificateEntry("ca" + i, trusted.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    @Test
    void everyCrtFileAddsItsCertificatesAndOtherFilesAreIgnored() throws IOException {
        Path certsDir = Files.createDirectories(home.resolve(".config/containers/certs.d/registry.test"));
        Path a = OpenSsl.selfSigned(OpenSsl.ecSec1(dir, "a.key"), dir.resolve("a.pem"), "ca-a");
        Path b = OpenSsl.selfSigned(OpenSsl.ecSec1(dir, "b.key"), dir.resolve("b.pem"), "ca-b");
        Path c = OpenSsl.selfSigned(OpenSsl.ecSec1(dir, "c.key"), dir.resolve("c.pem"), "ca-c");
        Files.writeString(certsDir.resolve("bundle.crt"), Files.readString(a) + Files.readString(b));
        Files.copy(c, certsDir.resolve("other.crt"));
        Files.writeString(certsDir.resolve("README"), "not a certificate");
        Files.copy(a, certsDir.resolve("ca.pem"));

        TlsMaterial tls = CertsDirs.forHost("registry.test", null, env);
        assertThat(tls.extraCas()).extracting(x -> x.getSubjectX500Principal().getName())
                .containsExactly("CN=ca-a", "CN=ca-b", "CN=ca-c");
        assertThat(tls.hasClientCertificate()).isFalse();
        assertThat(tls.toString()).contains("CN=ca-a").contains("client=none");
    }

    @Test
    void certDirOverrideWinsAndMustExist() throws IOException {
        clientPair(home.resolve(".config/containers/certs.d/registry.test"), "home", OpenSsl::rsaPkcs8);
        Path override = dir.resolve("override");
        clientPair(override, "override", OpenSsl::ecSec1);
        TlsMaterial tls = CertsDirs.forHost("registry.test", override, env);
        assertThat(tls.clientChain().get(0).getSubjectX500Principal().getName()).isEqualTo("CN=client-override");
        assertThat(tls.clientKey().getAlgorithm()).isEqualTo("EC");

        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> CertsDirs.forHost("registry.test", missing, env))
                .hasMessage(missing + ": --cert-dir is not a directory");
    }

    @Test
    void firstClientPairInNameOrderIsUsed() throws IOException {
        Path certsDir = home.resolve(".config/containers/certs.d/registry.test");
        clientPair(certsDir, "b", OpenSsl::ecSec1);
        clientPair(certsDir, "a", OpenSsl::ecSec1);
        TlsMaterial tls = CertsDirs.forHost("registry.test", null, env);
        assertThat(tls.clientChain().get(0).getSubjectX500Principal().getName()).isEqualTo("CN=client-a");
        assertThat(tls.toString()).contains("CN=client-a").contains("<redacted>")
                .doesNotContain(tls.clientKey().toString());
    }

    @Test
    void unmatchedOrBadFilesFailNamingTheFile() throws IOException {
        Path certsDir = home.resolve(".config/containers/certs.d/registry.test");
        clientPair(certsDir, "client", OpenSsl::ecSec1);
        Files.delete(certsDir.resolve("client.key"));
        assertThatThrownBy(() -> CertsDirs.forHost("registry.test", null, env))
                .hasMessage(certsDir.resolve("client.cert") + ": client certificate without its key client.key"
                        + " (CA certificates take the extension .crt)");

        Files.move(certsDir.resolve("client.cert"), certsDir.resolve("ca.crt"));
        OpenSsl.ecSec1(certsDir, "lonely.key");
        assertThatThrownBy(() -> CertsDirs.forHost("registry.test", null, env))
                .hasMessage(certsDir.resolve("lonely.key") + ": key without its client certificate lonely.cert");

        Files.delete(certsDir.resolve("lonely.key"));
        Files.writeString(certsDir.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> CertsDirs.forHost("registry.test", null, env))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(certsDir.resolve("ca.crt").toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void searchOrderAndNoDirectory() throws IOException {
        assertThat(CertsDirs.searchPath(env)).containsExactly(home.resolve(".config/containers/certs.d"),
                Path.of("/etc/containers/certs.d"), Path.of("/etc/docker/certs.d"));
        assertThat(CertsDirs.forHost("no-such-registry.invalid:1", null, env)).isSameAs(TlsMaterial.none());
    }
}
