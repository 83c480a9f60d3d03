package io.oci2cfs.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** WWW-Authenticate parsing (RFC 7235) and Retry-After (RFC 9110) as registries send them. */
class ChallengeTest {
    @Test
    void bearerWithQuotedParameters() {
        List<Challenge> c = Challenge.parseAll(List.of("Bearer realm=\"https://auth.docker.io/token\","
                + "service=\"registry.docker.io\",scope=\"repository:library/alpine:pull\""));
        assertThat(c).containsExactly(new Challenge("bearer", Map.of("realm", "https://auth.docker.io/token",
                "service", "registry.docker.io", "scope", "repository:library/alpine:pull")));
    }

    @Test
    void severalChallengesInOneHeaderAndAcrossHeaders() {
        List<Challenge> c = Challenge.parseAll(List.of("Negotiate, Basic realm=\"r\", Bearer realm=\"https://t\"",
                "Basic realm=\"second\""));
        assertThat(c).extracting(Challenge::scheme).containsExactly("negotiate", "basic", "bearer", "basic");
        assertThat(Challenge.find(c, "bearer").param("realm")).isEqualTo("https://t");
        assertThat(Challenge.find(c, "basic").param("realm")).isEqualTo("r");
    }

    @Test
    void errorParameterAndEscapesAndNoService() {
        Challenge c = Challenge.parseAll(List.of(
                "Bearer realm=\"https://t/a\\\"b\", error=\"invalid_token\", scope=\"repository:a:pull repository:b:pull\""))
                .get(0);
        assertThat(c.param("realm")).isEqualTo("https://t/a\"b");
        assertThat(c.param("error")).isEqualTo("invalid_token");
        assertThat(c.param("service")).isNull();
        assertThat(c.param("scope")).isEqualTo("repository:a:pull repository:b:pull");
    }

    @Test
    void garbageYieldsNothingRatherThanLooping() {
        assertThat(Challenge.parseAll(List.of("", "=\"", ",,,"))).isEmpty();
    }

    @Test
    void retryAfterInSecondsOrAsADate() {
        Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
        assertThat(RetryPolicy.parseRetryAfter("7", clock)).isEqualTo(Duration.ofSeconds(7));
        assertThat(RetryPolicy.parseRetryAfter("Tue, 01 Dec 2026 10:00:30 GMT", clock)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetryPolicy.parseRetryAfter("Tue, 01 Dec 2026 09:00:00 GMT", clock)).isEqualTo(Duration.ZERO);
        assertThat(RetryPolicy.parseRetryAfter("soon", clock)).isNull();
        assertThat(RetryPolicy.parseRetryAfter(null, clock)).isNull();
    }

    @Test
    void backoffHonoursRetryAfterUpToTheCap() {
        RetryPolicy exponential = new RetryPolicy(5, null);
        assertThat(exponential.delay(1, null)).isBetween(Duration.ofMillis(750), Duration.ofMillis(1250));
        assertThat(exponential.delay(3, null)).isBetween(Duration.ofMillis(3000), Duration.ofMillis(5000));
        assertThat(exponential.delay(1, Duration.ofSeconds(9))).isEqualTo(Duration.ofSeconds(9));
        assertThat(exponential.delay(1, Duration.ofHours(1))).isEqualTo(RetryPolicy.MAX_WAIT);
        assertThat(new RetryPolicy(5, Duration.ofMillis(200)).delay(4, null)).isEqualTo(Duration.ofMillis(200));
    }
}
