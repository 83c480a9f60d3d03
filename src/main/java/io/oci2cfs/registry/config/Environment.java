package io.oci2cfs.registry.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The environment variables and home directory configuration is read from (tests pass their own). */
public record Environment(Map<String, String> vars, Path home) {

    public static Environment system() {
        throw new UnsupportedOperationException();
    }

    /** The variable's value; an empty value counts as unset, as in Go's {@code os.Getenv} checks. */
    public Optional<String> get(String name) {
        throw new UnsupportedOperationException();
    }
}
