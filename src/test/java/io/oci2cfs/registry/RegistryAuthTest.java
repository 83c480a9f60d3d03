package io.oci2cfs.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.convert.ConvertResult;
import io.oci2cfs.convert.Converter;
import io.oci2cfs.registry.FaultProxy.Fault;
import io.oci2cfs.registry.auth.Credential;
import io.oci2cfs.registry.auth.FoundCredential;
import io.oci2cfs.registry.config.TlsMaterial;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication against real registries (distribution 2.8) sharing one storage directory seeded by skopeo:
 * token auth with a token server of the test's own (anonymous, with a password, with an OAuth2 refresh token,
 * and a token revoked mid-pull), htpasswd over TLS with a CA of the test's own, and blobs redirected to
 * another origin that must never see {@code Authorization}.
 */
class RegistryAuthTest {
    private static final String IMAGE = "test/basic:latest";

    @TempDir
    static Path shared;
    static Path data;
    static byte[] expected;

    @TempDir
    Path tmp;

    @BeforeAll
    static void seed() throws IOException {
        LoopbackRegistry.requireTools();
        data = shared.resolve("data");
        try (LoopbackRegistry seeder = LoopbackRegistry.start(shared, data, "", "")) {
            seeder.seed(shared, "oci:" + LoopbackRegistry.FIXTURES.resolve("basic") + ":latest", IMAGE);
        }
        ConvertResult local = Converter.convert("oci:" + LoopbackRegistry.FIXTURES.resolve("basic") + ":latest",
                shared.resolve("local.cfs"), shared.resolve("objects"), RegistryPullTest.options("linux/amd64"), null,
                InputStream.nullInputStream()).block();
        expected = Files.readAllBytes(local.image());
    }

    private static RegistryOptions as(Credential c, String source) {
        return RegistryOptions.anonymous().withRetries(2, Duration.ofMillis(50))
                .withCredentials((h, r) -> new FoundCredential(c, source));
    }

    private ConvertResult pull(String host, RegistryOptions options) {
        return Converter.convert("docker://" + host + "/" + IMAGE, tmp.resolve("pulled.cfs"), tmp.resolve("objects"),
                RegistryPullTest.options("linux/amd64"), options, InputStream.nullInputStream()).block();
    }

    private void pullsTheSameImage(String host, RegistryOptions options) throws IOException {
        assertThat(Files.readAllBytes(pull(host, options).image())).isEqualTo(expected);
    }

    private LoopbackRegistry tokenRegistry(TokenServer tokens, String extra) throws IOException, GeneralSecurityException {
        Path bundle = tokens.writeBundle(tmp.resolve("bundle.pem"));
        return LoopbackRegistry.start(tmp, data, "", tokens.registryAuth(bundle) + extra);
    }

    @Test
    void anonymousTokenFlow() throws Exception {
        try (TokenServer tokens = new TokenServer(null, null, null);
                LoopbackRegistry registry = tokenRegistry(tokens, "")) {
            pullsTheSameImage(registry.host(), RegistryOptions.anonymous());
            assertThat(tokens.issued()).isEqualTo(1);
            assertThat(tokens.requests().get(0)).contains("scope=repository%3Atest%2Fbasic%3Apull")
                    .contains("service=test-registry");
        }
    }

    @Test
    void passwordIsSentToTheTokenServer() throws Exception {
        try (TokenServer tokens = new TokenServer("u", "secret", null);
                LoopbackRegistry registry = tokenRegistry(tokens, "")) {
            pullsTheSameImage(registry.host(), as(new Credential.Basic("u", "secret"), "--creds"));
            assertThat(tokens.requests()).allMatch(r -> r.contains("account=u"));
        }
    }

    @Test
    void wrongPasswordIsUnauthorizedNamingTheCredentialSource() throws Exception {
        try (TokenServer tokens = new TokenServer("u", "secret", null);
                LoopbackRegistry registry = tokenRegistry(tokens, "")) {
            assertThatThrownBy(() -> pull(registry.host(), as(new Credential.Basic("u", "wrong"), "/x/auth.json")))
                    .hasMessageContaining("docker://" + registry.host() + "/" + IMAGE)
                    .hasMessageContaining("unauthorized")
                    .hasMessageContaining("the credentials from /x/auth.json")
                    .hasMessageNotContaining("wrong");
            assertThat(tmp.resolve("pulled.cfs")).doesNotExist();
        }
    }

    @Test
    void identityTokenIsExchangedByOAuthPost() throws Exception {
        try (TokenServer tokens = new TokenServer("u", "secret", "refresh-123");
                LoopbackRegistry registry = tokenRegistry(tokens, "")) {
            pullsTheSameImage(registry.host(), as(new Credential.IdentityToken("u", "refresh-123"), "auth.json"));
            assertThat(tokens.requests()).allMatch(r -> r.startsWith("POST ") && r.contains("grant_type=refresh_token"));
        }
    }

    @Test
    void identityTokenFallsBackToGetWhereThePostIsRefused() throws Exception {
        // this token server takes no OAuth POST; the refresh token then goes as a Basic password (ggcr, containerd)
        try (TokenServer tokens = new TokenServer("u", "refresh-123", null);
                LoopbackRegistry registry = tokenRegistry(tokens, "")) {
            pullsTheSameImage(registry.host(), as(new Credential.IdentityToken("u", "refresh-123"), "auth.json"));
            assertThat(tokens.requests()).extracting(r -> r.substring(0, r.indexOf(' '))).containsSubsequence("POST", "GET");
        }
    }

    @Test
    void tokenRejectedMidPullIsFetchedAgain() throws Exception {
        try (TokenServer tokens = new TokenServer(null, null, null);
                LoopbackRegistry registry = tokenRegistry(tokens, "");
                FaultProxy proxy = new FaultProxy(URI.create("http://" + registry.host()))) {
            proxy.then(new Fault.Status(401, Map.of("WWW-Authenticate", "Bearer realm=\"" + tokens.realm()
                    + "\",service=\"test-registry\",scope=\"repository:test/basic:pull\",error=\"invalid_token\""), ""));
            pullsTheSameImage(proxy.host(), RegistryOptions.anonymous());
            assertThat(proxy.applied()).isEqualTo(1);
            assertThat(tokens.issued()).isEqualTo(2);
        }
    }

    @Test
    void blobsRedirectedToAnotherOriginGetNoAuthorization() throws Exception {
        try (TokenServer tokens = new TokenServer(null, null, null);
                RecordingFileServer cdn = new RecordingFileServer(data);
                LoopbackRegistry registry = tokenRegistry(tokens, "middleware:\n  storage:\n    - name: redirect\n"
                        + "      options: {baseurl: \"" + cdn.baseUrl() + "\"}\n")) {
            pullsTheSameImage(registry.host(), RegistryOptions.anonymous());
            assertThat(cdn.paths()).hasSizeGreaterThanOrEqualTo(2).allMatch(p -> p.endsWith("/data"));
            assertThat(cdn.authorizations()).isEmpty();
        }
    }

    @Test
    void mutualTlsThroughACertsDirectory() throws Exception {
        KeyPair serverKey = TestCerts.ecKey();
        X509Certificate server = TestCerts.selfSigned(serverKey, "127.0.0.1");
        KeyPair clientKey = TestCerts.ecKey();
        X509Certificate client = TestCerts.selfSigned(clientKey, "oci2cfs-client");
        Path crt = TestCerts.writeCert(tmp.resolve("tls.crt"), server);
        Path pem = TestCerts.writeKey(tmp.resolve("tls.key"), serverKey.getPrivate());
        Path clientCas = TestCerts.writeCert(tmp.resolve("clientcas.pem"), client);
        Path certsD = Files.createDirectories(tmp.resolve("certs.d"));
        TestCerts.writeCert(certsD.resolve("ca.crt"), server);
        Path home = Files.createDirectories(tmp.resolve("home"));
        io.oci2cfs.registry.config.Environment env = new io.oci2cfs.registry.config.Environment(Map.of(), home);
        io.oci2cfs.registry.auth.AuthOptions noCreds = new io.oci2cfs.registry.auth.AuthOptions(null, null, true, null);
        try (LoopbackRegistry registry = LoopbackRegistry.start(tmp, data,
                "  tls: {certificate: " + crt + ", key: " + pem + ", clientcas: [" + clientCas + "]}\n", "")) {
            RegistryOptions withoutClientCert = RegistryOptions.fromEnvironment(noCreds, certsD, null, env)
                    .withRetries(0, null);
            assertThatThrownBy(() -> pull(registry.host(), withoutClientCert)).hasMessageContaining("TLS failure");

            TestCerts.writeCert(certsD.resolve("client.cert"), client);
            TestCerts.writeKey(certsD.resolve("client.key"), clientKey.getPrivate());
            pullsTheSameImage(registry.host(), RegistryOptions.fromEnvironment(noCreds, certsD, null, env));
        }
    }

    @Test
    void htpasswdOverTlsWithTheCaFromCertificates() throws Exception {
        assumeTrue(LoopbackRegistry.installed("htpasswd"), "htpasswd (apache2-utils) is not installed; skipping");
        KeyPair key = TestCerts.ecKey();
        X509Certificate cert = TestCerts.selfSigned(key, "127.0.0.1");
        Path crt = TestCerts.writeCert(tmp.resolve("tls.crt"), cert);
        Path pem = TestCerts.writeKey(tmp.resolve("tls.key"), key.getPrivate());
        Process p = new ProcessBuilder("htpasswd", "-Bbn", "u", "secret").start();
        String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).isZero();
        Path htpasswd = Files.writeString(tmp.resolve("htpasswd"), line + "\n");
        try (LoopbackRegistry registry = LoopbackRegistry.start(tmp, data,
                "  tls: {certificate: " + crt + ", key: " + pem + "}\n",
                "auth:\n  htpasswd: {realm: test-realm, path: " + htpasswd + "}\n")) {
            RegistryOptions withCa = as(new Credential.Basic("u", "secret"), "--creds")
                    .withCertificates(h -> new TlsMaterial(List.of(cert), null, List.of()), null);
            pullsTheSameImage(registry.host(), withCa);

            assertThatThrownBy(() -> pull(registry.host(), as(new Credential.Basic("u", "secret"), "--creds")))
                    .hasMessageContaining("docker://" + registry.host() + "/" + IMAGE + ": TLS failure talking to "
                            + registry.host())
                    .hasMessageContaining("--cert-dir").hasMessageContaining("--tls-verify=false");

            RegistryOptions noCreds = RegistryOptions.anonymous()
                    .withCertificates(h -> new TlsMaterial(List.of(cert), null, List.of()), null);
            assertThatThrownBy(() -> pull(registry.host(), noCreds))
                    .hasMessageContaining("unauthorized").hasMessageContaining("anonymous access");

            pullsTheSameImage(registry.host(), as(new Credential.Basic("u", "secret"), "--creds")
                    .withCertificates(h -> new TlsMaterial(List.of(), null, List.of()), false));
        }
    }
}
