package io.oci2cfs.testutil;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs an external program and collects its exit code, stdout and stderr. */
public final class Proc {
    private Proc() {
    }

    public record Result(int code, byte[] stdout, String stderr) {
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        /** For assertion messages. */
        @Override
        public String toString() {
            return "exit " + code + ", stderr: " + stderr;
        }
    }

    public static Result run(List<String> cmd) {
        return run(cmd, Map.of(), null);
    }

    public static Result run(String... cmd) {
        return run(List.of(cmd));
    }

    /** Runs {@code cmd} with {@code env} added to this process's environment (a null value unsets). */
    public static Result run(List<String> cmd, Map<String, String> env, byte[] stdin) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        try {
            Process p = pb.start();
            CompletableFuture<byte[]> out = drain(p.getInputStream());
            CompletableFuture<byte[]> err = drain(p.getErrorStream());
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            }
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            return new Result(p.exitValue(), out.join(), new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream s) {
        return CompletableFuture.supplyAsync(() -> {
            try (s) {
                return s.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** True when {@code tool} is an executable on PATH (or in /sbin, /usr/sbin). */
    public static boolean has(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/sbin:/usr/sbin";
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    public static boolean isRoot() {
        return "0".equals(run("id", "-u").out().trim());
    }

    /** Runs the oci2cfs command line in a fresh JVM (what {@code bin/oci2cfs} execs, without its build step). */
    public static Result oci2cfs(Map<String, String> env, byte[] stdin, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.oci2cfs.cli.Main"));
        cmd.addAll(List.of(args));
        return run(cmd, env, stdin);
    }
}
