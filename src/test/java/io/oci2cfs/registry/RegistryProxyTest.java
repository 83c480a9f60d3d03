package io.oci2cfs.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.convert.ConvertResult;
import io.oci2cfs.convert.Converter;
import io.oci2cfs.registry.auth.AuthOptions;
import io.oci2cfs.registry.config.Environment;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code HTTPS_PROXY} and {@code NO_PROXY} against a real registry: a TLS registry on loopback, named by a host
 * no resolver knows ({@code registry.example.test}), is reachable only through a CONNECT proxy that resolves
 * every name to 127.0.0.1. So a pull that succeeds went through the proxy, and one that must not use it fails
 * with an unknown host. The certificate is for that name and comes from {@code --cert-dir}.
 */
class RegistryProxyTest {
    private static final String HOST = "registry.example.test";

    @TempDir
    Path tmp;

    @Test
    void aRegistryIsReachedThroughHttpsProxyUnlessNoProxyNamesIt() throws Exception {
        LoopbackRegistry.requireTools();
        Path certDir = Files.createDirectories(tmp.resolve("certs"));
        try (LoopbackRegistry registry = tlsRegistry(certDir);
                ConnectProxy proxy = new ConnectProxy()) {
            registry.seed(tmp, "oci:" + LoopbackRegistry.FIXTURES.resolve("basic") + ":latest", "test/basic:oci");
            String target = HOST + ":" + registry.port();
            String source = "docker://" + target + "/test/basic:oci";

            // the proxy by name: only the registry's name is left to the proxy
            ConvertResult pulled = convert(source, options(certDir, "HTTPS_PROXY", "http://localhost:" + proxy.port(),
                    "NO_PROXY", "localhost,127.0.0.1"), "proxied");
            ConvertResult local = Converter.convert("oci:" + LoopbackRegistry.FIXTURES.resolve("basic") + ":latest",
                    tmp.resolve("local.cfs"), tmp.resolve("objects-local"), RegistryPullTest.options("linux/amd64"),
                    null, InputStream.nullInputStream()).block();
            assertThat(Files.readAllBytes(pulled.image())).isEqualTo(Files.readAllBytes(local.image()));
            assertThat(proxy.requests()).isNotEmpty().allMatch(r -> r.equals("CONNECT " + target + " HTTP/1.1"));

            int before = proxy.requests().size();
            assertThatThrownBy(() -> convert(source, options(certDir, "HTTPS_PROXY", "http://" + proxy.hostPort(),
                    "NO_PROXY", ".example.test"), "direct"))
                    .hasMessageContaining("unknown host " + target);
            assertThat(proxy.requests()).hasSize(before);
        }
    }

    /**
     * Credentials in the proxy URL (percent-encoded, as Go's url.Parse reads them) reach the proxy as
     * {@code Proxy-Authorization: Basic}; a proxy that refuses them fails the pull with a message, and with
     * nothing on stderr, that holds neither the password nor its Base64 form.
     */
    @Test
    void proxyCredentialsReachTheProxyAndAreNeverPrinted() throws Exception {
        LoopbackRegistry.requireTools();
        Path certDir = Files.createDirectories(tmp.resolve("certs"));
        String password = "s3cr@t:pw";
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(
                ("alice:" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (LoopbackRegistry registry = tlsRegistry(certDir);
                ConnectProxy proxy = new ConnectProxy(basic)) {
            registry.seed(tmp, "oci:" + LoopbackRegistry.FIXTURES.resolve("basic") + ":latest", "test/basic:oci");
            String source = "docker://" + HOST + ":" + registry.port() + "/test/basic:oci";
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            java.io.PrintStream oldErr = System.err;
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            Throwable refused;
            try {
                ConvertResult pulled = convert(source, options(certDir, "HTTPS_PROXY",
                        "http://alice:s3cr%40t%3Apw@" + proxy.hostPort()), "authorized");
                assertThat(pulled.image()).exists();
                assertThat(proxy.authorizations()).isNotEmpty().allMatch(basic::equals);

                refused = org.assertj.core.api.Assertions.catchThrowable(() -> convert(source, options(certDir,
                        "HTTPS_PROXY", "http://alice:wrong-" + password.replace("@", "%40").replace(":", "%3A")
                                + "@" + proxy.hostPort()), "refused"));
            } finally {
                System.setErr(oldErr);
            }
            assertThat(refused).isNotNull();
            assertThat(tmp.resolve("refused.cfs")).doesNotExist();
            String printed = io.oci2cfs.error.ErrorText.of(refused) + "\n" + refused + "\n" + err;
            String encodedWrong = java.util.Base64.getEncoder().encodeToString(("alice:wrong-" + password)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(printed).contains("the proxy refused the tunnel", "407").doesNotContain(password)
                    .doesNotContain(basic.substring(6)).doesNotContain(encodedWrong).doesNotContain("s3cr%40t");
        }
    }

    /** A registry serving TLS for {@link #HOST} with a self-signed certificate that {@code certDir} trusts. */
    private LoopbackRegistry tlsRegistry(Path certDir) throws Exception {
        KeyPair key = TestCerts.ecKey();
        X509Certificate cert = TestCerts.selfSigned(key, HOST, HOST);
        Path crt = TestCerts.writeCert(tmp.resolve("tls.crt"), cert);
        Path pem = TestCerts.writeKey(tmp.resolve("tls.key"), key.getPrivate());
        TestCerts.writeCert(certDir.resolve("ca.crt"), cert);
        return LoopbackRegistry.start(tmp, tmp.resolve("data"),
                "  tls: {certificate: " + crt + ", key: " + pem + "}\n", "");
    }

    private RegistryOptions options(Path certDir, String... env) throws Exception {
        Map<String, String> vars = new java.util.HashMap<>();
        for (int i = 0; i < env.length; i += 2) {
            vars.put(env[i], env[i + 1]);
        }
        return RegistryOptions.fromEnvironment(new AuthOptions(null, null, true, null), certDir, null,
                new Environment(vars, Files.createDirectories(tmp.resolve("home")))).withRetries(0, null);
    }

    private ConvertResult convert(String source, RegistryOptions registry, String name) {
        return Converter.convert(source, tmp.resolve(name + ".cfs"), tmp.resolve("objects-" + name),
                RegistryPullTest.options("linux/amd64"), registry, InputStream.nullInputStream()).block();
    }
}
