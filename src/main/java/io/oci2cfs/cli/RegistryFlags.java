package io.oci2cfs.cli;

import io.oci2cfs.error.UsageException;
import io.oci2cfs.registry.RegistryOptions;
import io.oci2cfs.registry.auth.AuthOptions;
import io.oci2cfs.registry.config.Environment;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** How {@code docker://} sources are pulled; skopeo's and podman's option names. */
final class RegistryFlags {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    @Option(names = "--creds", paramLabel = "USER[:PASS]", description = "Credentials for the registry.")
    String creds;

    @Option(names = "--registry-token", paramLabel = "TOKEN", description = "A bearer token for the registry.")
    String registryToken;

    @Option(names = "--no-creds", description = "Access the registry anonymously.")
    boolean noCreds;

    @Option(names = "--authfile", paramLabel = "FILE",
            description = "The auth file to read credentials from (default: $REGISTRY_AUTH_FILE, podman's and docker's files).")
    Path authFile;

    @Option(names = "--cert-dir", paramLabel = "DIR",
            description = "CAs (*.crt) and client certificates (*.cert, *.key) for the registry, instead of certs.d.")
    Path certDir;

    @Option(names = "--tls-verify", arity = "0..1", paramLabel = "BOOL", fallbackValue = "true",
            description = "Verify the registry's certificate (default: yes; loopback and insecure registries may use plain HTTP).")
    Boolean tlsVerify;

    @Option(names = "--retry-times", paramLabel = "N", defaultValue = "3",
            description = "Tries again after transient errors, and resumes of a broken layer download (default 3).")
    int retryTimes;

    @Option(names = "--retry-delay", paramLabel = "DURATION",
            description = "Fixed delay between tries, e.g. 2s or 500ms (default: exponential backoff from 1s).")
    String retryDelay;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "4", description = "Layers downloaded at once (default 4).")
    int jobs;

    RegistryOptions options() throws IOException {
        if (noCreds && (creds != null || registryToken != null)) {
            throw new UsageException("--no-creds conflicts with --creds and --registry-token");
        }
        if (creds != null && registryToken != null) {
            throw new UsageException("--creds and --registry-token conflict");
        }
        RegistryOptions options = RegistryOptions.fromEnvironment(
                new AuthOptions(creds, registryToken, noCreds, authFile), certDir, tlsVerify, Environment.system());
        try {
            return options.withRetries(retryTimes, retryDelay == null ? null : duration(retryDelay)).withJobs(jobs);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    /** Go's duration syntax in its common forms; a bare number is seconds. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("--retry-delay: '" + text + "' is not a duration like 2s or 500ms");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
