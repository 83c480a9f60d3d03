package io.oci2cfs.registry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.testutil.Proc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProxyEnvTest {

    private static ProxyEnv proxies(String... keyValues) {
        Map<String, String> vars = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            vars.put(keyValues[i], keyValues[i + 1]);
        }
        return ProxyEnv.from(new Environment(vars, Path.of("/nonexistent-home")));
    }

    /** Expected answers from Go's golang.org/x/net/http/httpproxy rules (httpproxy's own test table). */
    @ParameterizedTest(name = "NO_PROXY={0}: {1}://{2}:{3} -> {4}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        // no exclusions: both schemes go through their proxy
        "-                       | https | registry.example.com | 443  | https-proxy",
        "-                       | http  | registry.example.com | 80   | http-proxy",
        // loopback and localhost are never proxied
        "-                       | https | localhost            | 5000 | direct",
        "-                       | https | 127.0.0.1            | 5000 | direct",
        "-                       | https | 127.8.9.10           | 443  | direct",
        "-                       | https | [::1]                | 443  | direct",
        "-                       | https | ::1                  | 443  | direct",
        // '*' excludes everything
        "*                       | https | quay.io              | 443  | direct",
        // a domain matches itself and its subdomains, not other names ending the same way
        "example.com             | https | example.com          | 443  | direct",
        "example.com             | https | a.b.example.com      | 443  | direct",
        "example.com             | https | badexample.com       | 443  | https-proxy",
        // a leading dot or *. matches subdomains only
        ".example.com            | https | example.com          | 443  | https-proxy",
        ".example.com            | https | www.example.com      | 443  | direct",
        "*.example.com           | https | example.com          | 443  | https-proxy",
        "*.example.com           | https | www.example.com      | 443  | direct",
        // host:port matches that port only
        "example.com:5000        | https | example.com          | 5000 | direct",
        "example.com:5000        | https | example.com          | 443  | https-proxy",
        // IP addresses and CIDR ranges match addresses, not names
        "10.1.2.3                | https | 10.1.2.3             | 443  | direct",
        "10.1.2.3                | https | 10.1.2.4             | 443  | https-proxy",
        "10.0.0.0/8              | https | 10.200.1.1           | 443  | direct",
        "10.0.0.0/8              | https | 11.0.0.1             | 443  | https-proxy",
        "192.168.1.1:8443        | https | 192.168.1.1          | 8443 | direct",
        "192.168.1.1:8443        | https | 192.168.1.1          | 443  | https-proxy",
        "2001:db8::/32           | https | [2001:db8::5]        | 443  | direct",
        "2001:db8::/32           | https | [2001:db9::5]        | 443  | https-proxy",
        "[2001:db8::7]:5000      | https | 2001:db8::7          | 5000 | direct",
        // entries are trimmed and case-insensitive; a list mixes kinds
        "' foo.com , EXAMPLE.ORG'| https | registry.example.org | 443  | direct",
        "' foo.com , EXAMPLE.ORG'| https | Registry.Example.ORG | 443  | direct",
        "' foo.com , EXAMPLE.ORG'| https | bar.com              | 443  | https-proxy",
        // malformed entries are skipped
        "',,:80,10.0.0.0/99'     | https | bar.com              | 443  | https-proxy",
    })
    void noProxyTable(String noProxy, String scheme, String host, int port, String expected) {
        ProxyEnv env = noProxy == null
                ? proxies("HTTPS_PROXY", "https-proxy:3128", "HTTP_PROXY", "http-proxy:3128")
                : proxies("HTTPS_PROXY", "https-proxy:3128", "HTTP_PROXY", "http-proxy:3128", "NO_PROXY", noProxy);
        assertThat(env.forTarget(scheme, host, port).map(ProxySpec::host).orElse("direct")).isEqualTo(expected);
    }

    /**
     * skopeo (Go's httpproxy) given the same variables: a proxy of the test's own records the CONNECT lines it
     * receives and answers 502, so skopeo fails fast either way; a target counts as proxied when its CONNECT
     * arrived.
     */
    @Test
    void agreesWithSkopeo() throws IOException {
        Assumptions.assumeTrue(Proc.has("skopeo"), "skopeo is not installed; skipping");
        List<String> connects = Collections.synchronizedList(new ArrayList<>());
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread proxy = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (Socket client = listener.accept()) {
                        connects.add(new BufferedReader(new InputStreamReader(client.getInputStream(),
                                StandardCharsets.US_ASCII)).readLine());
                        client.getOutputStream().write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        // closed at the end of the test
                    }
                }
            });
            proxy.setDaemon(true);
            proxy.start();
            String[][] cases = {
                {"", "registry.example.com", "443"},
                {"example.com", "registry.example.com", "443"},
                {"example.com", "badexample.com", "443"},
                {".example.com", "example.com", "443"},
                {".example.com", "www.example.com", "443"},
                {"*.example.com", "example.com", "443"},
                {"example.com:5000", "example.com", "5000"},
                {"example.com:5000", "example.com", "443"},
                {"*", "registry.example.com", "443"},
                {" Registry.Example.COM ,other", "registry.example.com", "443"},
                {"10.0.0.0/8", "11.1.2.3", "443"},
                {"10.0.0.0/8", "10.1.2.3", "443"}, // direct: bounded by --command-timeout where 10/8 is unrouted
                {"192.0.2.1", "192.0.2.2", "443"},
            };
            for (String[] c : cases) {
                connects.clear();
                String target = c[1] + (c[2].equals("443") ? "" : ":" + c[2]);
                Map<String, String> env = new HashMap<>(Map.of("HOME", "/nonexistent", "PATH", "/usr/bin:/bin",
                        "HTTPS_PROXY", "127.0.0.1:" + listener.getLocalPort(), "NO_PROXY", c[0]));
                for (String unset : List.of("https_proxy", "no_proxy", "HTTP_PROXY", "http_proxy")) {
                    env.put(unset, null);
                }
                Proc.Result skopeo = Proc.run(List.of("skopeo", "--command-timeout", "10s", "inspect", "--raw",
                        "--retry-times", "0", "docker://" + target + "/x:1"), env, null);
                boolean skopeoProxied = connects.stream().anyMatch(l -> l != null
                        && l.startsWith("CONNECT " + c[1] + ":" + c[2] + " "));
                boolean oursProxied = proxies("HTTPS_PROXY", "127.0.0.1:1", "NO_PROXY", c[0])
                        .forTarget("https", c[1], Integer.parseInt(c[2])).isPresent();
                assertThat(oursProxied).as("NO_PROXY=%s, %s (skopeo: %s, proxy saw %s)", c[0], target, skopeo,
                        connects).isEqualTo(skopeoProxied);
            }
        }
    }

    @Test
    void upperCaseWinsAndLowerCaseIsReadToo() {
        assertThat(proxies("HTTPS_PROXY", "upper:1", "https_proxy", "lower:2").forTarget("https", "h.io", 443))
                .map(ProxySpec::host).contains("upper");
        assertThat(proxies("https_proxy", "lower:2").forTarget("https", "h.io", 443)).map(ProxySpec::host)
                .contains("lower");
        assertThat(proxies("HTTPS_PROXY", "p:1", "no_proxy", "h.io").forTarget("https", "h.io", 443)).isEmpty();
        assertThat(proxies("HTTPS_PROXY", "p:1", "NO_PROXY", "h.io", "no_proxy", "other.io")
                .forTarget("https", "h.io", 443)).isEmpty();
    }

    @Test
    void eachSchemeHasItsOwnProxy() {
        ProxyEnv onlyHttp = proxies("HTTP_PROXY", "plain:3128");
        assertThat(onlyHttp.forTarget("https", "quay.io", 443)).isEmpty();
        assertThat(onlyHttp.forTarget("http", "quay.io", 80)).map(ProxySpec::host).contains("plain");
        assertThat(proxies().forTarget("https", "quay.io", 443)).isEmpty();
        assertThat(proxies("HTTPS_PROXY", "").forTarget("https", "quay.io", 443)).isEmpty();
    }

    @Test
    void proxyUrlForms() {
        assertThat(proxies("HTTPS_PROXY", "proxy.corp:3128").forTarget("https", "quay.io", 443))
                .contains(new ProxySpec("proxy.corp", 3128, null, null, false));
        assertThat(proxies("HTTPS_PROXY", "http://proxy.corp").forTarget("https", "quay.io", 443))
                .contains(new ProxySpec("proxy.corp", 80, null, null, false));
        assertThat(proxies("HTTPS_PROXY", "https://proxy.corp").forTarget("https", "quay.io", 443))
                .contains(new ProxySpec("proxy.corp", 443, null, null, true));
        assertThat(proxies("HTTPS_PROXY", "http://[fd00::1]:8080/").forTarget("https", "quay.io", 443))
                .contains(new ProxySpec("fd00::1", 8080, null, null, false));
        assertThat(proxies("HTTPS_PROXY", "http://alice:s%40cr%3At+x@proxy.corp:3128")
                .forTarget("https", "quay.io", 443))
                .contains(new ProxySpec("proxy.corp", 3128, "alice", "s@cr:t+x", false));
        assertThat(proxies("HTTPS_PROXY", "http://bob@proxy.corp:3128").forTarget("https", "quay.io", 443))
                .contains(new ProxySpec("proxy.corp", 3128, "bob", null, false));
    }

    @Test
    void unusableProxyFailsWhenUsedNamingTheVariableButNotTheSecret() {
        ProxyEnv socks = proxies("HTTPS_PROXY", "socks5://u:hunter2@proxy:1080", "NO_PROXY", "local.io");
        assertThatThrownBy(() -> socks.forTarget("https", "quay.io", 443))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("HTTPS_PROXY: proxy scheme socks5 is not supported (http or https)");
        assertThat(socks.forTarget("https", "local.io", 443)).isEmpty();
        assertThat(socks.forTarget("https", "127.0.0.1", 443)).isEmpty();
        assertThatThrownBy(() -> proxies("https_proxy", "http://u:hunter2@bad host:1").forTarget("https", "q.io", 443))
                .hasMessage("https_proxy: not a valid proxy URL")
                .message().doesNotContain("hunter2");
    }

    @Test
    void passwordNeverPrinted() {
        Optional<ProxySpec> spec = proxies("HTTPS_PROXY", "http://alice:hunter2@proxy:3128")
                .forTarget("https", "quay.io", 443);
        assertThat(spec).isPresent();
        assertThat(spec.get().toString()).doesNotContain("hunter2").contains("alice").contains("proxy:3128");
    }
}
