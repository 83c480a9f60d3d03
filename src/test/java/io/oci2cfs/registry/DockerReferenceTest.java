package io.oci2cfs.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Normalisation as distribution/reference normalize.go does it (its ParseDockerRef cases). */
class DockerReferenceTest {
    private static final String DIGEST = "sha256:abababababababababababababababababababababababababababababababab";

    @ParameterizedTest
    @CsvSource({
        "docker://alpine, docker://docker.io/library/alpine:latest",
        "alpine:3.20, docker://docker.io/library/alpine:3.20",
        "docker.io/alpine, docker://docker.io/library/alpine:latest",
        "index.docker.io/user/app, docker://docker.io/user/app:latest",
        "user/app:v1, docker://docker.io/user/app:v1",
        "quay.io/fedora/fedora, docker://quay.io/fedora/fedora:latest",
        "localhost/app, docker://localhost/app:latest",
        "localhost:5000/a/b/c:t, docker://localhost:5000/a/b/c:t",
        "127.0.0.1:5000/app, docker://127.0.0.1:5000/app:latest",
        "Registry/app, docker://Registry/app:latest",
        "[::1]:5000/app, docker://[::1]:5000/app:latest",
        "app:tag@" + DIGEST + ", docker://docker.io/library/app@" + DIGEST,
        "ghcr.io/o/app@" + DIGEST + ", docker://ghcr.io/o/app@" + DIGEST,
    })
    void normalises(String input, String expected) {
        assertThat(DockerReference.parse(input).toString()).isEqualTo(expected);
    }

    @Test
    void dockerHubIsReachedAtItsApiHost() {
        DockerReference r = DockerReference.parse("docker://alpine");
        assertThat(r.registry()).isEqualTo("docker.io");
        assertThat(r.apiHost()).isEqualTo("registry-1.docker.io");
        assertThat(DockerReference.parse("quay.io/a/b").apiHost()).isEqualTo("quay.io");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "docker://|empty reference",
        "docker://Alpine|invalid repository name",
        "docker://quay.io/|missing repository name",
        "docker://a//b|invalid repository name",
        "docker://app:bad/tag|invalid registry host",
        "docker://app:-x|invalid tag",
        "docker://app@sha256:12|malformed sha256 digest",
        "docker://app@md5:00|unsupported digest algorithm",
        "docker://bad_host:5000/app|invalid registry host",
    })
    void badReferencesSayWhy(String input, String reason) {
        assertThatThrownBy(() -> DockerReference.parse(input))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(input + ": invalid image reference: ")
                .hasMessageContaining(reason);
    }
}
