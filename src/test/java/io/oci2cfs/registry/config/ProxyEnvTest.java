package io.oci2cfs.registry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
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
