package io.oci2cfs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oci2cfs.image.Descriptor;
import io.oci2cfs.image.Digest;
import io.oci2cfs.image.ImageConfig;
import io.oci2cfs.image.ImageException;
import io.oci2cfs.image.MediaTypes;
import io.oci2cfs.image.OciSelector;
import io.oci2cfs.image.Platform;
import io.oci2cfs.registry.auth.FoundCredential;
import io.oci2cfs.registry.config.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A client for the pull side of the OCI distribution-spec, usable on its own:
 * <pre>{@code
 * try (RegistryClient client = new RegistryClient(RegistryOptions.anonymous())) {
 *     ResolvedManifest m = client.resolve(DockerReference.parse("docker://quay.io/fedora/fedora"),
 *             Platform.host()).block();
 *     Flux<byte[]> layer = client.blob(m.reference(), m.layers().get(0));   // verified, resumable
 * }
 * }</pre>
 */
public final class RegistryClient implements AutoCloseable {
    /** Manifests and configs larger than this are refused (containers/image iolimits.go). */
    static final int METADATA_CAP = 4 << 20;
    private static final String ACCEPT = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
            MediaTypes.DOCKER_LIST, MediaTypes.DOCKER_MANIFEST);
    private static final Set<String> SCHEMA1 = Set.of("application/vnd.docker.distribution.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v1+prettyjws");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryOptions options;
    private final HttpTransport http;
    private final BearerTokens tokens;
    private final PullStats stats = new PullStats();
    private final Map<String, Boolean> insecureHosts = new ConcurrentHashMap<>();
    private final Map<String, RegistrySession> sessions = new ConcurrentHashMap<>();
    /** The endpoint each repository's manifest came from: its blobs are fetched there too. */
    private final Map<String, RegistrySession> resolvedAt = new ConcurrentHashMap<>();

    public RegistryClient(RegistryOptions options) {
        this.options = options;
        this.http = new HttpTransport(options.jobs() + 2, options.connectTimeout(), options.headersTimeout(),
                "oci2cfs/0.1.0", this::tls, options.proxies());
        this.tokens = new BearerTokens(http, Clock.systemUTC());
    }

    private TlsConfig tls(String hostPort) {
        boolean verify = !Boolean.FALSE.equals(options.tlsVerify()) && !insecureHosts.getOrDefault(hostPort, false);
        try {
            return new TlsConfig(verify, options.certificates().forHost(hostPort));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What this client's pulls have cost so far. */
    public PullReport report() {
        return stats.report();
    }

    /**
     * Resolves {@code ref} to the image manifest for {@code platform} (through an index if the reference names
     * one) and reads its config. Mirrors from the endpoints lookup are tried in order, then the primary.
     */
    public Mono<ResolvedManifest> resolve(DockerReference ref, Platform platform) {
        return Mono.fromCallable(() -> resolveBlocking(ref, platform)).subscribeOn(Schedulers.boundedElastic());
    }

    private ResolvedManifest resolveBlocking(DockerReference ref, Platform platform) throws IOException {
        List<Endpoint> endpoints = options.endpoints().of(ref.registry(), ref.repository(), ref.digest() != null);
        IOException last = null;
        for (Endpoint endpoint : endpoints) {
            try {
                RegistrySession session = session(endpoint, ref);
                ResolvedManifest resolved = resolveAt(session, ref, platform);
                resolvedAt.put(ref.registry() + "/" + ref.repository(), session);
                return resolved;
            } catch (IOException e) {
                last = e;
            } catch (RuntimeException e) {
                Throwable c = reactor.core.Exceptions.unwrap(e);
                if (!(c instanceof IOException io)) {
                    throw e;
                }
                last = io;
            }
        }
        if (last == null) {
            throw new RegistryException(ref + ": no endpoint to pull from");
        }
        throw last;
    }

    private RegistrySession session(Endpoint endpoint, DockerReference ref) throws IOException {
        return session(endpoint, ref, false);
    }

    private RegistrySession session(Endpoint endpoint, DockerReference ref, boolean push) throws IOException {
        String host = endpoint.host().equals(DockerReference.DOCKER_HUB) ? DockerReference.DOCKER_HUB_API
                : endpoint.host();
        String key = (push ? "push " : "") + host + "/" + endpoint.repository();
        RegistrySession existing = sessions.get(key);
        if (existing != null) {
            return existing;
        }
        if (endpoint.insecure()) {
            insecureHosts.put(host, true);
        }
        FoundCredential credential = options.credentials().lookup(endpoint.host(), endpoint.repository());
        boolean plain = Boolean.FALSE.equals(options.tlsVerify()) || endpoint.insecure()
                || (options.tlsVerify() == null && RegistrySession.isLoopback(host));
        RegistrySession s = new RegistrySession(http, tokens, host, endpoint.repository(), credential, plain,
                new RetryPolicy(options.retryTimes(), options.retryDelay()), ref.toString(), stats, push);
        RegistrySession raced = sessions.putIfAbsent(key, s);
        return raced != null ? raced : s;
    }

    private ResolvedManifest resolveAt(RegistrySession session, DockerReference ref, Platform platform)
            throws IOException {
        Fetched top = ref.digest() != null ? manifest(session, ref.manifestReference()).block() : byTag(session, ref);
        Digest topDigest = Digest.sha256(top.bytes());
        if (ref.digest() != null && !ref.digest().equals(topDigest)) {
            throw new ImageException(ref + ": digest mismatch: the registry's manifest has digest " + topDigest);
        }
        Descriptor root = new Descriptor(top.mediaType(), topDigest, top.bytes().length, Map.of(), null);
        OciSelector selector = new OciSelector(d -> d.equals(topDigest) ? top.bytes()
                : manifest(session, d.toString()).map(f -> f.bytes()).block(), null, platform);
        OciSelector.Selection selection;
        try {
            selection = selector.select(root);
        } catch (ImageException e) {
            throw e.getMessage().startsWith(ref + ": ") ? e : new ImageException(ref + ": " + e.getMessage(), e);
        }
        Descriptor config = selection.config();
        if (config.size() > METADATA_CAP) {
            throw new ImageException(ref + ": config is " + config.size() + " bytes, more than 4 MiB");
        }
        byte[] configJson = BlobDownload.of(session, config.digest(), config.size(), options.bodyIdleTimeout())
                .collect(ByteArrayOutputStream::new, (out, b) -> out.write(b, 0, b.length))
                .map(ByteArrayOutputStream::toByteArray).block();
        List<Digest> diffIds = ImageConfig.diffIds(configJson, selection.layers().size(),
                ref + ": config " + config.digest());
        Descriptor manifest = selection.manifestDescriptor();
        stats.manifest(manifest.digest());
        return new ResolvedManifest(ref.withDigest(manifest.digest()), manifest,
                ref + " " + (manifest.platform() == null ? "" : "(" + manifest.platform() + ") ") + manifest.digest(),
                config, configJson, selection.layers(), diffIds);
    }

    record Fetched(String mediaType, byte[] bytes, String headerDigest) {
    }

    /**
     * The manifest a tag names: a HEAD resolves the tag to a digest (registries such as Docker Hub do not count
     * HEADs against pull limits), then a GET by that digest pins the content. Where the HEAD is refused (405) or
     * answers no usable {@code Docker-Content-Digest}, or the manifest by digest disagrees, a GET by tag.
     */
    private Fetched byTag(RegistrySession session, DockerReference ref) throws IOException {
        Digest headed = headDigest(session, ref.manifestReference()).blockOptional().orElse(null);
        if (headed != null) {
            try {
                Fetched pinned = manifest(session, headed.toString()).block();
                if (Digest.sha256(pinned.bytes()).equals(headed)) {
                    return pinned;
                }
                warnDigest(ref, headed.toString(), Digest.sha256(pinned.bytes()));
            } catch (RuntimeException e) {
                Throwable cause = reactor.core.Exceptions.unwrap(e);
                System.err.println("warning: " + ref + ": the manifest by the tag's Docker-Content-Digest " + headed
                        + " failed (" + cause.getMessage() + "); reading it by tag");
            }
        }
        Fetched top = manifest(session, ref.manifestReference()).block();
        Digest computed = Digest.sha256(top.bytes());
        if (top.headerDigest() != null && !top.headerDigest().equals(computed.toString())) {
            warnDigest(ref, top.headerDigest(), computed);
        }
        return top;
    }

    /** Registries get this header wrong (go-containerregistry fetcher.go skips the check): a warning only. */
    private static void warnDigest(DockerReference ref, String header, Digest computed) {
        System.err.println("warning: " + ref + ": Docker-Content-Digest " + header
                + " differs from the manifest's digest " + computed);
    }

    /** {@code HEAD /v2/<name>/manifests/<tag>}: its {@code Docker-Content-Digest}, or empty for a GET instead. */
    private Mono<Digest> headDigest(RegistrySession session, String tag) {
        return session.send("manifest " + tag, "manifests/" + tag, r -> r.withHeader("Accept", ACCEPT).asHead())
                .next()
                .flatMap(part -> {
                    String header = ((HttpPart.Head) part).head().header("docker-content-digest");
                    try {
                        return header == null ? Mono.empty() : Mono.just(Digest.parse(header.trim()));
                    } catch (IllegalArgumentException e) {
                        return Mono.empty();
                    }
                })
                // whatever the HEAD meets (405, an error without a body, a dropped connection) the GET meets
                // again, with its retries and a body naming the reason
                .onErrorResume(e -> Mono.empty());
    }

    /** {@code GET /v2/<name>/manifests/<reference>}: the body (at most 4 MiB), its media type and digest header. */
    static Mono<Fetched> manifest(RegistrySession session, String reference) {
        String what = "manifest " + reference;
        return metadata(session, what, "manifests/" + reference, ACCEPT)
                .flatMap(answer -> {
                    try {
                        return Mono.just(checkManifest(session.label(), what, answer.getT1(), answer.getT2()));
                    } catch (ImageException e) {
                        return Mono.error(e);
                    }
                });
    }

    /** A GET of JSON metadata (at most 4 MiB) under the repository: the answer's head and body, retried. */
    static Mono<reactor.util.function.Tuple2<HttpHead, byte[]>> metadata(RegistrySession session, String what,
            String path, String accept) {
        return session.send(what, path, r -> r.withHeader("Accept", accept))
                .collectList()
                .flatMap(parts -> {
                    HttpHead head = ((HttpPart.Head) parts.get(0)).head();
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    for (HttpPart p : parts.subList(1, parts.size())) {
                        byte[] b = ((HttpPart.Chunk) p).bytes();
                        if (out.size() + b.length > METADATA_CAP) {
                            return Mono.error(new ImageException(session.label() + ": " + what
                                    + ": larger than 4 MiB"));
                        }
                        out.write(b, 0, b.length);
                    }
                    return Mono.just(reactor.util.function.Tuples.of(head, out.toByteArray()));
                })
                .retryWhen(session.transientRetry());
    }

    private static Fetched checkManifest(String label, String what, HttpHead head, byte[] body)
            throws ImageException {
        String contentType = head.header("content-type");
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            throw new ImageException(label + ": " + what + ": not valid JSON");
        }
        JsonNode version = json == null ? null : json.get("schemaVersion");
        if (SCHEMA1.contains(mediaType) || (version != null && version.asInt() == 1)) {
            throw new ImageException(label + ": " + what + " is a Docker schema 1 manifest, a format Docker and"
                    + " containerd have removed and this tool does not read; push the image again with a current"
                    + " tool (e.g. skopeo copy --format v2s2 or --format oci)");
        }
        String declared = json.path("mediaType").asText(null);
        if (declared != null && !mediaType.isEmpty() && !declared.equals(mediaType)) {
            throw new ImageException(label + ": " + what + ": Content-Type " + mediaType
                    + " differs from the manifest's mediaType " + declared);
        }
        String type = declared != null ? declared : mediaType;
        if (!MediaTypes.isIndex(type) && !MediaTypes.isManifest(type)) {
            throw new ImageException(label + ": " + what + ": not an image manifest or index (media type '"
                    + type + "')");
        }
        return new Fetched(type, body, head.header("docker-content-digest"));
    }

    /**
     * The bytes of a blob of {@code ref}'s repository, checked against the descriptor's digest and size as they
     * stream, resumed after a drop or stall. Nothing is buffered beyond what the subscriber asks for.
     */
    public Flux<byte[]> blob(DockerReference ref, Descriptor descriptor) {
        return Mono.fromCallable(() -> blobSessions(ref)).subscribeOn(Schedulers.boundedElastic()).flatMapMany(s ->
                BlobDownload.of(s, descriptor.digest(), descriptor.size(), options.bodyIdleTimeout()));
    }

    /** The endpoint the manifest came from, then those after it: where a mirror fails, the primary serves. */
    private List<RegistrySession> blobSessions(DockerReference ref) throws IOException {
        List<Endpoint> endpoints = options.endpoints().of(ref.registry(), ref.repository(), true);
        RegistrySession resolvedBy = resolvedAt.get(ref.registry() + "/" + ref.repository());
        List<RegistrySession> out = new java.util.ArrayList<>();
        for (Endpoint e : endpoints) {
            RegistrySession s = session(e, ref);
            if (s == resolvedBy) {
                out.clear();
            }
            out.add(s);
        }
        if (resolvedBy != null && !out.contains(resolvedBy)) {
            out.add(0, resolvedBy);
        }
        return out;
    }

    /**
     * Pushes to {@code ref}'s repository on its registry itself (mirrors are for pulls), asking for the
     * {@code push} action along with {@code pull}.
     */
    public RegistryPusher pusher(DockerReference ref) throws IOException {
        List<Endpoint> endpoints = options.endpoints().of(ref.registry(), ref.repository(), ref.digest() != null);
        Endpoint primary = endpoints.get(endpoints.size() - 1);
        return new RegistryPusher(session(primary, ref, true), options.jobs());
    }

    /**
     * The manifest or index {@code reference} (a tag or digest) of {@code ref}'s repository, byte for byte as
     * the registry serves it (its digest checked when {@code reference} is one), or empty when the registry
     * does not have it. Asked of the endpoint {@link #resolve} got {@code ref}'s manifest from (before any
     * resolve, the first endpoint).
     */
    public Mono<byte[]> manifestBytes(DockerReference ref, String reference) {
        return Mono.fromCallable(() -> blobSessions(ref)).subscribeOn(Schedulers.boundedElastic())
                .flatMap(sessions -> manifest(sessions.get(0), reference)
                        .onErrorResume(RegistryErrors.NotFound.class, e -> Mono.empty()))
                .flatMap(f -> {
                    if (reference.contains(":") && !Digest.sha256(f.bytes()).toString().equals(reference)) {
                        return Mono.error(new ImageException(ref + ": manifest " + reference
                                + ": digest mismatch: the registry's has digest " + Digest.sha256(f.bytes())));
                    }
                    return Mono.just(f.bytes());
                });
    }

    /**
     * The descriptors of the manifests whose {@code subject} is {@code subject} (distribution-spec 1.1
     * "Listing Referrers"), from the referrers API or, where the registry lacks it, the referrers tag scheme;
     * asked of the same endpoint as {@link #manifestBytes}.
     */
    public Mono<List<JsonNode>> referrers(DockerReference ref, Digest subject) {
        return Mono.fromCallable(() -> blobSessions(ref)).subscribeOn(Schedulers.boundedElastic())
                .flatMap(sessions -> Referrers.list(sessions.get(0), subject));
    }

    @Override
    public void close() {
        http.close();
    }
}
