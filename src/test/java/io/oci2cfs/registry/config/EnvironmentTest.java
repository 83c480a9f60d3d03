package io.oci2cfs.registry.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentTest {

    @Test
    void emptyValuesCountAsUnset() {
        Environment env = new Environment(Map.of("A", "", "B", "b", "b_lower", "x"), Path.of("/h"));
        assertThat(env.get("A")).isEmpty();
        assertThat(env.get("B")).contains("b");
        assertThat(env.get("C")).isEmpty();
        assertThat(env.first("A", "C", "b_lower", "B")).contains("x");
        assertThat(env.first("A", "C")).isEmpty();
    }

    @Test
    void pathAndConfigHome() {
        Environment env = new Environment(Map.of("PATH", "/a::/b/c:"), Path.of("/h"));
        assertThat(env.path()).containsExactly(Path.of("/a"), Path.of("/b/c"));
        assertThat(env.configHome()).isEqualTo(Path.of("/h/.config"));
        assertThat(new Environment(Map.of("XDG_CONFIG_HOME", "/x"), Path.of("/h")).configHome())
                .isEqualTo(Path.of("/x"));
        assertThat(new Environment(Map.of(), Path.of("/h")).path()).isEmpty();
    }

    @Test
    void isACopy() {
        Map<String, String> vars = new HashMap<>(Map.of("A", "1"));
        Environment env = new Environment(vars, Path.of("/h"));
        vars.put("A", "2");
        assertThat(env.get("A")).contains("1");
    }

    @Test
    void systemIsTheProcessEnvironment() {
        Environment env = Environment.system();
        assertThat(env.vars()).isEqualTo(System.getenv());
        String home = System.getenv("HOME");
        assertThat(env.home()).isEqualTo(Path.of(home == null || home.isEmpty() ? System.getProperty("user.home") : home));
    }
}
