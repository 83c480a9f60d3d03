package io.oci2cfs.registry.auth;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oci2cfs.registry.config.Environment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One {@code docker-credential-NAME get} run (docker-credential-helpers' protocol): the server URL on
 * stdin, {@code {"ServerURL","Username","Secret"}} on stdout; user {@code <token>} means the secret is an
 * identity token; a failure whose message says {@code credentials not found} means there is none. The helper
 * is looked up on the {@link Environment}'s {@code PATH} and runs with that environment.
 */
final class HelperProcess {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Long enough for a helper that asks for a passphrase (pass, gpg-agent), short enough not to hang a pull. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
    private static final int MAX_OUTPUT = 1 << 20;

    private final Environment env;
    private final Consumer<String> warnings;
    private final Duration timeout;

    HelperProcess(Environment env, Consumer<String> warnings, Duration timeout) {
        this.env = env;
        this.warnings = warnings;
        this.timeout = timeout;
    }

    /** The helper's credential for {@code serverUrl}; empty when it has none or is not installed (warned). */
    Optional<Credential> get(String helper, String serverUrl) throws IOException {
        if (!helper.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IOException("credential helper name \"" + helper + "\" is not a plain program name suffix");
        }
        String program = "docker-credential-" + helper;
        Optional<Path> executable = env.path().stream().map(dir -> dir.resolve(program))
                .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
        if (executable.isEmpty()) {
            warnings.accept(program + " is not on PATH; no credentials from it for " + serverUrl);
            return Optional.empty();
        }
        ProcessBuilder builder = new ProcessBuilder(executable.get().toString(), "get");
        builder.environment().clear();
        builder.environment().putAll(env.vars());
        Process process = builder.start();
        CompletableFuture<byte[]> stdoutBytes = CompletableFuture.supplyAsync(() -> readQuietly(process.getInputStream()));
        CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readQuietly(process.getErrorStream()));
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(serverUrl.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // a helper may exit without reading stdin; its exit status tells what happened
        }
        int exit;
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(program + " get " + serverUrl + ": no answer after " + timeout.toSeconds() + " s");
            }
            exit = process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(program + " get " + serverUrl + ": interrupted", e);
        }
        byte[] stdout = stdoutBytes.join();
        if (exit != 0) {
            String output = new String(stdout, StandardCharsets.UTF_8) + "\n"
                    + new String(stderr.join(), StandardCharsets.UTF_8);
            String message = firstLine(output);
            if (output.toLowerCase(Locale.ROOT).contains("credentials not found")) {
                return Optional.empty();
            }
            throw new IOException(program + " get " + serverUrl + " failed (exit " + exit + ")"
                    + (message.isEmpty() ? "" : ": " + message));
        }
        return parse(program, serverUrl, stdout);
    }

    private static Optional<Credential> parse(String program, String serverUrl, byte[] stdout) throws IOException {
        JsonNode answer;
        try {
            answer = JSON.readTree(stdout);
        } catch (JacksonException e) {
            // never echo the output: it may hold the secret
            throw new IOException(program + " get " + serverUrl + ": the answer is not JSON");
        }
        if (answer == null || !answer.isObject()) {
            throw new IOException(program + " get " + serverUrl + ": the answer is not a JSON object");
        }
        String user = answer.path("Username").asText("");
        String secret = answer.path("Secret").asText("");
        if (secret.isEmpty()) {
            return Optional.empty();
        }
        if (user.equals("<token>")) {
            return Optional.of(new Credential.IdentityToken("", secret));
        }
        return Optional.of(new Credential.Basic(user, secret));
    }

    private static byte[] readQuietly(InputStream in) {
        try (in) {
            return in.readNBytes(MAX_OUTPUT);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static String firstLine(String text) {
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty()) {
                return trimmed.length() > 200 ? trimmed.substring(0, 200) + "…" : trimmed;
            }
        }
        return "";
    }
}
