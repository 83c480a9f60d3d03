package io.oci2cfs.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.convert.ConvertResult;
import io.oci2cfs.convert.Converter;
import io.oci2cfs.registry.FaultProxy.Fault;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken networks between us and a real registry, made by {@link FaultProxy}: each pull either converts to the
 * same image as the {@code oci:} fixture (resumed or retried, as the report counts) or fails with one line and
 * leaves no image.
 */
class RegistryFaultsTest {
    @TempDir
    static Path shared;
    static LoopbackRegistry registry;
    static byte[] expected;

    @TempDir
    Path tmp;
    FaultProxy proxy;

    @BeforeAll
    static void seed() throws IOException {
        LoopbackRegistry.requireTools();
        registry = LoopbackRegistry.start(shared, shared.resolve("data"), "", "");
        registry.seed(shared, "oci:" + LoopbackRegistry.FIXTURES.resolve("basic") + ":latest", "test/basic:latest",
                "--format", "oci");
        ConvertResult local = Converter.convert("oci:" + LoopbackRegistry.FIXTURES.resolve("basic") + ":latest",
                shared.resolve("local.cfs"), shared.resolve("objects"), RegistryPullTest.options("linux/amd64"), null,
                InputStream.nullInputStream()).block();
        expected = Files.readAllBytes(local.image());
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @BeforeEach
    void startProxy() throws IOException {
        proxy = new FaultProxy(URI.create("http://" + registry.host()));
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    private static RegistryOptions quick() {
        return RegistryOptions.anonymous().withRetries(3, Duration.ofMillis(50))
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(1));
    }

    private ConvertResult pull(RegistryOptions options) {
        return Converter.convert("docker://" + proxy.host() + "/test/basic:latest", tmp.resolve("pulled.cfs"),
                tmp.resolve("objects"), RegistryPullTest.options("linux/amd64"), options,
                InputStream.nullInputStream()).block();
    }

    private ConvertResult pullsTheSameImage() throws IOException {
        ConvertResult r = pull(quick());
        assertThat(Files.readAllBytes(r.image())).isEqualTo(expected);
        return r;
    }

    @Test
    void droppedConnectionResumesWithRange() throws IOException {
        proxy.then(new Fault.Drop(300));
        ConvertResult r = pullsTheSameImage();
        assertThat(proxy.applied()).isEqualTo(1);
        assertThat(r.pull().resumes()).isEqualTo(1);
        assertThat(proxy.blobRequests()).anyMatch(s -> s.startsWith("bytes=300- "));
    }

    @Test
    void stalledBodyResumesAfterTheIdleTimeout() throws IOException {
        proxy.then(new Fault.Stall(200, 4000));
        ConvertResult r = pullsTheSameImage();
        assertThat(r.pull().resumes()).isEqualTo(1);
        assertThat(proxy.blobRequests()).anyMatch(s -> s.startsWith("bytes=200- "));
    }

    @Test
    void tooManyRequestsWaitsForRetryAfter() throws IOException {
        proxy.then(new Fault.Status(429, Map.of("Retry-After", "1"), ""));
        long start = System.nanoTime();
        ConvertResult r = pullsTheSameImage();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(r.pull().retries()).isEqualTo(1);
    }

    @Test
    void serviceUnavailableTwiceThenSuccess() throws IOException {
        proxy.then(new Fault.Status(503, Map.of(), "")).then(new Fault.Status(503, Map.of(), ""));
        ConvertResult r = pullsTheSameImage();
        assertThat(r.pull().retries()).isEqualTo(2);
    }

    @Test
    void persistentServerErrorFailsAfterTheRetries() {
        for (int i = 0; i < 5; i++) {
            proxy.then(new Fault.Status(500, Map.of(), ""));
        }
        assertThatThrownBy(() -> pull(quick()))
                .hasMessageContaining("docker://" + proxy.host() + "/test/basic:latest")
                .hasMessageContaining("HTTP 500");
        assertThat(proxy.applied()).isEqualTo(4);
        assertThat(tmp.resolve("pulled.cfs")).doesNotExist();
    }

    @Test
    void aServerIgnoringRangeIsReadFromTheStart() throws IOException {
        proxy.then(new Fault.Drop(300)).then(new Fault.IgnoreRange());
        ConvertResult r = pullsTheSameImage();
        assertThat(r.pull().resumes()).isEqualTo(1);
    }

    @Test
    void aWrongContentRangeIsNotTrusted() throws IOException {
        proxy.then(new Fault.Drop(300)).then(new Fault.WrongContentRange(7));
        ConvertResult r = pullsTheSameImage();
        assertThat(r.pull().resumes()).isEqualTo(2);
        // after a bad Content-Range the whole blob is asked for again, without Range
        assertThat(proxy.blobRequests()).filteredOn(s -> s.startsWith("bytes=300- ")).hasSize(1);
    }

    @Test
    void aFlippedByteFailsWithNoImage() {
        proxy.then(new Fault.FlipByte(100));
        assertThatThrownBy(() -> pull(quick()))
                .hasMessageContaining("docker://" + proxy.host() + "/test/basic:latest")
                .hasMessageContaining("digest mismatch");
        assertThat(tmp.resolve("pulled.cfs")).doesNotExist();
    }

    @Test
    void dockerHubQuotaFailsAtOnceShowingTheLimits() {
        proxy.then(new Fault.Status(429, Map.of("RateLimit-Limit", "100;w=21600", "RateLimit-Remaining", "0;w=21600",
                "Content-Type", "application/json"),
                "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"You have reached your pull rate limit.\"}]}"));
        assertThatThrownBy(() -> pull(quick()))
                .hasMessageContaining("too many requests")
                .hasMessageContaining("rate limit 100;w=21600, remaining 0;w=21600");
        assertThat(proxy.applied()).isEqualTo(1);
    }

    @Test
    void aMirrorFailingBlobsHandsOverToThePrimary() throws IOException {
        for (int i = 0; i < 10; i++) {
            proxy.then(new Fault.Status(503, Map.of(), ""));
        }
        RegistryOptions viaMirror = new RegistryOptions(quick().credentials(), (h, r, byDigest) -> java.util.List.of(
                new io.oci2cfs.registry.config.Endpoint(proxy.host(), r, true, true),
                new io.oci2cfs.registry.config.Endpoint(h, r, false, false)), quick().certificates(), quick().proxies(),
                null, 3, Duration.ofMillis(50), 4, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(1));
        ConvertResult r = Converter.convert("docker://" + registry.host() + "/test/basic:latest",
                tmp.resolve("pulled.cfs"), tmp.resolve("objects"), RegistryPullTest.options("linux/amd64"), viaMirror,
                InputStream.nullInputStream()).block();
        assertThat(Files.readAllBytes(r.image())).isEqualTo(expected);
        // the manifest came from the mirror; the layer, after 1 + 3 tries there, from the primary
        assertThat(proxy.applied()).isEqualTo(4);
        assertThat(r.pull().retries()).isEqualTo(4);
    }

    @Test
    void connectionRefusedIsNamed() throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> Converter.convert("docker://127.0.0.1:" + port + "/test/basic", tmp.resolve("x.cfs"),
                tmp.resolve("objects"), RegistryPullTest.options("linux/amd64"), quick().withRetries(1, Duration.ZERO),
                InputStream.nullInputStream()).block())
                .hasMessageContaining("docker://127.0.0.1:" + port + "/test/basic:latest: connection refused by 127.0.0.1:" + port);
    }
}
