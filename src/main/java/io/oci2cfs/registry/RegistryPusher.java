package io.oci2cfs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.oci2cfs.image.Digest;
import io.oci2cfs.image.MediaTypes;
import java.nio.file.Path;
import reactor.core.publisher.Mono;

/**
 * The push side of the distribution-spec for one repository: blobs by a monolithic upload ({@code POST
 * /v2/<name>/blobs/uploads/}, then {@code PUT <Location>?digest=}) unless the registry has them already
 * ({@code HEAD}), manifests by {@code PUT /v2/<name>/manifests/<reference>}, and referrers listed in the
 * referrers tag scheme where the registry does not process {@code subject} itself. Tokens are asked for
 * {@code repository:NAME:pull,push}. Obtained from {@link RegistryClient#pusher}.
 */
public final class RegistryPusher {
    private static final String OCTETS = "application/octet-stream";

    private final RegistrySession session;
    private final int jobs;

    RegistryPusher(RegistrySession session, int jobs) {
        this.session = session;
        this.jobs = jobs;
    }

    /** A blob to push, read from {@code file}. */
    public record BlobFile(Digest digest, long size, Path file) {
    }

    /**
     * What a manifest push did.
     *
     * @param subjectProcessed the registry answered {@code OCI-Subject}: it lists the manifest as a referrer of
     *     its subject itself, and the tag scheme is not needed
     */
    public record PushedManifest(Digest digest, boolean subjectProcessed) {
    }

    /** Whether the repository has the blob {@code digest} ({@code HEAD /v2/<name>/blobs/<digest>}). */
    Mono<Boolean> hasBlob(Digest digest) {
        return session.send("push: blob " + digest, "blobs/" + digest, r -> r.as("HEAD", null, null))
                .then(Mono.just(true))
                .onErrorResume(RegistryErrors.NotFound.class, e -> Mono.just(false))
                .retryWhen(session.transientRetry());
    }

    /** Uploads the blob in {@code file} unless the repository has it; emits whether it was uploaded. */
    Mono<Boolean> pushBlob(Digest digest, long size, Path file) {
        return hasBlob(digest).flatMap(present -> present ? Mono.just(false)
                : upload(digest, r -> r.as("PUT", file, size, OCTETS)).thenReturn(true));
    }

    /** Pushes {@code blobs}, as many at once as the client's jobs; emits how many were uploaded. */
    public Mono<Long> pushBlobs(java.util.List<BlobFile> blobs) {
        return reactor.core.publisher.Flux.fromIterable(blobs)
                .flatMap(b -> pushBlob(b.digest(), b.size(), b.file()), jobs)
                .filter(Boolean::booleanValue).count();
    }

    private Mono<Void> upload(Digest digest, java.util.function.Function<HttpRequest, HttpRequest> body) {
        String what = "push: blob upload " + digest;
        return Mono.defer(() -> session.send(what, "blobs/uploads/", r -> r.as("POST", new byte[0], null))
                .take(1).single()
                .flatMap(part -> {
                    HttpHead head = ((HttpPart.Head) part).head();
                    String location = head.header("location");
                    if (location == null) {
                        return Mono.error(new RegistryException(session.label() + ": " + what
                                + ": the registry answered " + head.status() + " without an upload Location"));
                    }
                    String put = location + (location.contains("?") ? "&" : "?") + "digest="
                            + java.net.URLEncoder.encode(digest.toString(), java.nio.charset.StandardCharsets.UTF_8);
                    return session.sendTo(what, put, body).then();
                }))
                .retryWhen(session.transientRetry());
    }

    /** {@code PUT /v2/<name>/manifests/<reference>} of {@code manifest}, typed {@code mediaType}. */
    public Mono<PushedManifest> putManifest(String reference, String mediaType, byte[] manifest) {
        return session.send("push: manifest " + reference, "manifests/" + reference,
                        r -> r.as("PUT", manifest, mediaType))
                .take(1).single()
                .map(part -> new PushedManifest(Digest.sha256(manifest),
                        ((HttpPart.Head) part).head().header("oci-subject") != null))
                .retryWhen(session.transientRetry());
    }

    /**
     * Lists {@code descriptor} (a manifest whose {@code subject} is {@code subject}) in the referrers tag
     * scheme's index for {@code subject}, creating it if needed (distribution-spec 1.1 "Pushing Manifests with
     * Subject": the client's duty when the registry did not answer {@code OCI-Subject}).
     */
    public Mono<Digest> addReferrer(Digest subject, JsonNode descriptor) {
        return Referrers.tagIndex(session, subject)
                .map(java.util.Optional::of).defaultIfEmpty(java.util.Optional.empty())
                .<byte[]>handle((existing, sink) -> Referrers.parsed(sink,
                        () -> Referrers.withReferrer(existing.orElse(null), descriptor, session.label())))
                .flatMap(index -> putManifest(Referrers.tag(subject), MediaTypes.OCI_INDEX, index))
                .map(PushedManifest::digest);
    }
}
