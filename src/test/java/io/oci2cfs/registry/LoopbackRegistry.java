package io.oci2cfs.registry;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code docker-registry} (distribution 2.8) on 127.0.0.1 with a port of its own, read from its
 * "listening on" log line; seeded with {@code skopeo copy}. Tests skip when either tool is missing.
 */
public final class LoopbackRegistry implements AutoCloseable {
    static final Path FIXTURES = Path.of("oci-fixtures").toAbsolutePath();
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final int port;
    private final List<String> log;

    private LoopbackRegistry(Process process, int port, List<String> log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static void requireTools() {
        assumeTrue(installed("docker-registry"), "docker-registry is not installed (apt-get install docker-registry); skipping");
        assumeTrue(installed("skopeo"), "skopeo is not installed; skipping");
    }

    public static boolean installed(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts a registry storing under {@code data}; {@code extra} is appended to the YAML config (auth, tls,
     * middleware sections).
     */
    public static LoopbackRegistry start(Path dir, Path data, String httpExtra, String extra) throws IOException {
        requireTools();
        Path cfg = dir.resolve("registry-" + System.nanoTime() + ".yml");
        Files.writeString(cfg, "version: 0.1\nlog: {level: info}\n"
                + "storage: {filesystem: {rootdirectory: " + data + "}, delete: {enabled: true}}\n"
                + "http:\n  addr: 127.0.0.1:0\n" + httpExtra + extra);
        ProcessBuilder pb = new ProcessBuilder("docker-registry", "serve", cfg.toString()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("REGISTRY_"));
        Process p = pb.start();
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            port.completeExceptionally(new IOException("docker-registry exited: " + String.join("\n", log)));
        }, "docker-registry-log");
        reader.setDaemon(true);
        reader.start();
        try {
            return new LoopbackRegistry(p, port.get(30, TimeUnit.SECONDS), log);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IOException("docker-registry did not start: " + e.getMessage() + "\n" + String.join("\n", log), e);
        }
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1:" + port;
    }

    List<String> log() {
        return List.copyOf(log);
    }

    /** {@code skopeo copy SOURCE docker://127.0.0.1:PORT/DEST} plus {@code args}. */
    public void seed(Path dir, String source, String dest, String... args) throws IOException {
        Path policy = dir.resolve("policy.json");
        Files.writeString(policy, "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
        List<String> cmd = new ArrayList<>(List.of("skopeo", "--policy", policy.toString(), "copy", "-q",
                "--dest-tls-verify=false"));
        cmd.addAll(List.of(args));
        cmd.add(source);
        cmd.add("docker://" + host() + "/" + dest);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
