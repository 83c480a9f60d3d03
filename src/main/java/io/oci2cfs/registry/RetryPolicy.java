package io.oci2cfs.registry;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try a request again: {@code times} more tries, either {@code fixedDelay} apart or with exponential
 * backoff (1 s doubling, jittered) — and never sooner than a {@code Retry-After} asks, up to {@link #MAX_WAIT}
 * (containers/image docker_client.go parseRetryAfter caps at 60 s as well).
 */
record RetryPolicy(int times, Duration fixedDelay) {
    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    private static final Duration FIRST = Duration.ofSeconds(1);

    /** How long to wait before try {@code attempt} (1 = the first retry). */
    Duration delay(long attempt, Duration retryAfter) {
        Duration wait;
        if (fixedDelay != null) {
            wait = fixedDelay;
        } else {
            long millis = FIRST.toMillis() << Math.min(attempt - 1, 6);
            // +-25% so that parallel downloads failing together do not retry in lockstep
            wait = Duration.ofMillis(millis * 3 / 4 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
        }
        if (retryAfter != null && retryAfter.compareTo(wait) > 0) {
            wait = retryAfter;
        }
        return wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
    }

    /** {@code Retry-After}: delta-seconds or an HTTP-date (RFC 9110 section 10.2.3); null when absent or bad. */
    static Duration parseRetryAfter(String value, java.time.Clock clock) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException bad) {
                return null;
            }
        }
    }
}
