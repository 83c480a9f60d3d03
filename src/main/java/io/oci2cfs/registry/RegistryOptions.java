package io.oci2cfs.registry;

import io.oci2cfs.registry.auth.AuthOptions;
import io.oci2cfs.registry.auth.Credential;
import io.oci2cfs.registry.auth.CredentialResolver;
import io.oci2cfs.registry.auth.FoundCredential;
import io.oci2cfs.registry.config.CertsDirs;
import io.oci2cfs.registry.config.Endpoint;
import io.oci2cfs.registry.config.Environment;
import io.oci2cfs.registry.config.ProxyEnv;
import io.oci2cfs.registry.config.ProxySpec;
import io.oci2cfs.registry.config.RegistriesConf;
import io.oci2cfs.registry.config.TlsMaterial;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How the registry client reaches registries: where credentials, mirrors, certificates and proxies come from,
 * and its retry, concurrency and timeout settings. {@link #fromEnvironment} wires in the user's files
 * (auth.json, registries.conf, certs.d, proxy variables); tests and embedders may pass their own lookups.
 *
 * @param tlsVerify null: verify TLS except for loopback and insecure registries, which may also fall back to
 *     plain HTTP; false: never verify, and allow plain HTTP (skopeo's {@code --tls-verify=false}); true: always
 *     verify, HTTPS only
 * @param retryTimes how often a failed request is tried again (and, without progress, a blob resumed)
 * @param retryDelay a fixed delay between tries, or null for exponential backoff with jitter
 * @param jobs layers downloaded at once
 * @param bodyIdleTimeout a body that sends nothing for this long is resumed with a Range request
 */
public record RegistryOptions(Credentials credentials, Endpoints endpoints, Certificates certificates,
        Proxies proxies, Boolean tlsVerify, int retryTimes, Duration retryDelay, int jobs,
        Duration connectTimeout, Duration headersTimeout, Duration bodyIdleTimeout) {
    public static final int DEFAULT_JOBS = 4;
    public static final int DEFAULT_RETRY_TIMES = 3;

    /** The credential for a registry host ({@code host[:port]}, as in the reference) and repository. */
    @FunctionalInterface
    public interface Credentials {
        FoundCredential lookup(String host, String repository) throws IOException;
    }

    /** Where to pull a repository from: mirrors in order, then the primary. */
    @FunctionalInterface
    public interface Endpoints {
        List<Endpoint> of(String host, String repository, boolean byDigest) throws IOException;
    }

    /** Extra CAs and client certificates for a {@code host[:port]}. */
    @FunctionalInterface
    public interface Certificates {
        TlsMaterial forHost(String hostPort) throws IOException;
    }

    /** The proxy for a target, if any. */
    @FunctionalInterface
    public interface Proxies {
        Optional<ProxySpec> forTarget(String scheme, String host, int port);
    }

    public RegistryOptions {
        if (jobs < 1) {
            throw new IllegalArgumentException("--jobs must be at least 1, got " + jobs);
        }
        if (retryTimes < 0) {
            throw new IllegalArgumentException("--retry-times must not be negative, got " + retryTimes);
        }
    }

    /**
     * The user's configuration: credentials in podman's order ({@link CredentialResolver}), registries.conf,
     * certs.d (or {@code certDir}) and the proxy variables of {@code env}.
     */
    public static RegistryOptions fromEnvironment(AuthOptions auth, Path certDir, Boolean tlsVerify,
            Environment env) throws IOException {
        CredentialResolver resolver = new CredentialResolver(auth, env);
        RegistriesConf conf = RegistriesConf.load(env);
        ProxyEnv proxies = ProxyEnv.from(env);
        return new RegistryOptions(resolver::lookup, conf::endpoints,
                hostPort -> CertsDirs.forHost(hostPort, certDir, env), proxies::forTarget, tlsVerify,
                DEFAULT_RETRY_TIMES, null, DEFAULT_JOBS, Duration.ofSeconds(30), Duration.ofSeconds(60),
                Duration.ofSeconds(60));
    }

    /** No credentials, no mirrors, no extra certificates, no proxy: for tests and embedders. */
    public static RegistryOptions anonymous() {
        return new RegistryOptions((h, r) -> new FoundCredential(new Credential.Anonymous(), "no credentials"),
                (h, r, byDigest) -> List.of(new Endpoint(h, r, false, false)),
                h -> new TlsMaterial(List.of(), null, List.of()), (s, h, p) -> Optional.empty(), null,
                DEFAULT_RETRY_TIMES, null, DEFAULT_JOBS, Duration.ofSeconds(30), Duration.ofSeconds(60),
                Duration.ofSeconds(60));
    }

    public RegistryOptions withCredentials(Credentials c) {
        return new RegistryOptions(c, endpoints, certificates, proxies, tlsVerify, retryTimes, retryDelay, jobs,
                connectTimeout, headersTimeout, bodyIdleTimeout);
    }

    public RegistryOptions withCertificates(Certificates c, Boolean verify) {
        return new RegistryOptions(credentials, endpoints, c, proxies, verify, retryTimes, retryDelay, jobs,
                connectTimeout, headersTimeout, bodyIdleTimeout);
    }

    public RegistryOptions withRetries(int times, Duration delay) {
        return new RegistryOptions(credentials, endpoints, certificates, proxies, tlsVerify, times, delay, jobs,
                connectTimeout, headersTimeout, bodyIdleTimeout);
    }

    public RegistryOptions withJobs(int n) {
        return new RegistryOptions(credentials, endpoints, certificates, proxies, tlsVerify, retryTimes, retryDelay,
                n, connectTimeout, headersTimeout, bodyIdleTimeout);
    }

    public RegistryOptions withTimeouts(Duration connect, Duration headers, Duration bodyIdle) {
        return new RegistryOptions(credentials, endpoints, certificates, proxies, tlsVerify, retryTimes, retryDelay,
                jobs, connect, headers, bodyIdle);
    }
}
