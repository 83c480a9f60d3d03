package io.oci2cfs.registry.config;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The environment variables and home directory that configuration is read from. Everything in this package
 * and in {@code io.oci2cfs.registry.auth} reads the environment only through this, so tests pass their own.
 */
public record Environment(Map<String, String> vars, Path home) {

    public Environment {
        vars = Map.copyOf(vars);
        Objects.requireNonNull(home, "home");
    }

    /**
     * The process environment; home is {@code $HOME}, else {@code user.home} (the password database), as the
     * Go tools' {@code homedir.Get()} decides.
     */
    public static Environment system() {
        String home = System.getenv("HOME");
        return new Environment(System.getenv(),
                Path.of(home == null || home.isEmpty() ? System.getProperty("user.home") : home));
    }

    /** The variable's value; an empty value counts as unset, as in the Go tools' {@code os.Getenv} checks. */
    public Optional<String> get(String name) {
        return Optional.ofNullable(vars.get(name)).filter(v -> !v.isEmpty());
    }

    /** The first of the variables that is set, in order (e.g. {@code HTTPS_PROXY} then {@code https_proxy}). */
    Optional<String> first(String... names) {
        for (String name : names) {
            Optional<String> value = get(name);
            if (value.isPresent()) {
                return value;
            }
        }
        return Optional.empty();
    }

    /** The directories of {@code PATH}, in order; empty entries are skipped. */
    public List<Path> path() {
        List<Path> dirs = new ArrayList<>();
        for (String dir : get("PATH").orElse("").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                dirs.add(Path.of(dir));
            }
        }
        return dirs;
    }

    /** {@code $XDG_CONFIG_HOME}, else {@code ~/.config}. */
    public Path configHome() {
        return get("XDG_CONFIG_HOME").map(Path::of).orElse(home.resolve(".config"));
    }
}
