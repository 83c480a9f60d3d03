package io.oci2cfs.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.oci2cfs.registry.auth.Credential;
import io.oci2cfs.registry.auth.FoundCredential;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Token caching against the test token server, whose tokens say {@code expires_in: 300}, with a clock we move. */
class BearerTokensTest {
    /** A clock that stands still until moved. */
    private static final class MovableClock extends Clock {
        private Instant now = Instant.now();

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void aTokenIsFetchedAgainShortlyBeforeItExpires() throws Exception {
        MovableClock clock = new MovableClock();
        try (TokenServer server = new TokenServer(null, null, null);
                HttpTransport http = new HttpTransport(2, Duration.ofSeconds(5), Duration.ofSeconds(10), "test",
                        host -> TlsConfig.standard(), (s, h, p) -> Optional.empty())) {
            BearerTokens tokens = new BearerTokens(http, clock);
            Challenge bearer = Challenge.parseAll(List.of("Bearer realm=\"" + server.realm() + "\",service=\""
                    + TokenServer.SERVICE + "\"")).get(0);
            FoundCredential anonymous = new FoundCredential(new Credential.Anonymous(), "no credentials");
            List<String> scopes = List.of("repository:test/a:pull");

            String first = tokens.token(bearer, scopes, anonymous, false, "test").block();
            clock.advance(Duration.ofSeconds(280));
            assertThat(tokens.token(bearer, scopes, anonymous, false, "test").block()).isEqualTo(first);
            assertThat(server.issued()).isEqualTo(1);

            // 300 s of life, fetched again 10 s before its end: at 295 s a request must not carry it
            clock.advance(Duration.ofSeconds(15));
            String second = tokens.token(bearer, scopes, anonymous, false, "test").block();
            assertThat(server.issued()).isEqualTo(2);
            assertThat(second).isNotEqualTo(first);
        }
    }
}
