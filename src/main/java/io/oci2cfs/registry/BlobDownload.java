package io.oci2cfs.registry;

import io.oci2cfs.image.Digest;
import io.oci2cfs.image.ImageException;
import io.oci2cfs.image.Verify;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * One blob as a {@code Flux<byte[]>} that checks what it delivers and survives a broken connection.
 *
 * <p>Bytes are hashed and counted as they pass; more than the descriptor's size fails at once, and at the end
 * size and digest must match, else the flux fails and nothing downstream may be kept. A body that ends early,
 * breaks, or sends nothing for the idle timeout is resumed by asking the registry URL again (not a redirect
 * target, which may have expired) with {@code Range: bytes=<offset>-} (distribution-spec "Resumable pull"):
 * only a 206 whose {@code Content-Range} starts at the offset is taken; a 200 is read from the start and its
 * first {@code offset} bytes dropped (containerd does the same), as is every answer after a 206 that
 * was not right. Downstream sees one seamless stream, so the decompressor never notices. Tries without
 * progress are bounded by the retry policy; progress resets the count.
 */
final class BlobDownload {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final java.util.List<RegistrySession> sessions;
    private RegistrySession session;
    private final Digest digest;
    private final long size;
    private final Duration idle;
    private final String what;
    private final MessageDigest md;
    private long offset;
    private boolean rangeBroken;
    private boolean contentWrong;
    private int triesWithoutProgress;
    private long offsetAtLastFailure;

    private BlobDownload(java.util.List<RegistrySession> sessions, Digest digest, long size, Duration idle) {
        this.sessions = java.util.List.copyOf(sessions);
        this.session = this.sessions.get(0);
        this.digest = digest;
        this.size = size;
        this.idle = idle;
        this.what = "blob " + digest;
        this.md = digest.newMessageDigest();
    }

    /** The blob's bytes, verified against {@code digest} and {@code size}; each subscription downloads anew. */
    static Flux<byte[]> of(RegistrySession session, Digest digest, long size, Duration idle) {
        return of(java.util.List.of(session), digest, size, idle);
    }

    /**
     * As {@link #of(RegistrySession, Digest, long, Duration)}, moving on to the next endpoint (a mirror's
     * primary) when one fails for good, and continuing there from the same byte.
     */
    static Flux<byte[]> of(java.util.List<RegistrySession> sessions, Digest digest, long size, Duration idle) {
        return Flux.defer(() -> {
            BlobDownload d = new BlobDownload(sessions, digest, size, idle);
            return Flux.defer(d::attempt).retryWhen(d.resumeRule()).concatWith(Mono.defer(d::verify));
        });
    }

    private Flux<byte[]> attempt() {
        long from = offset;
        boolean ranged = from > 0 && !rangeBroken;
        long[] skip = {ranged ? 0 : from};
        return idleWatched(session.send(what, "blobs/" + digest,
                        r -> ranged ? r.withHeader("Range", "bytes=" + from + "-") : r))
                .onErrorMap(java.util.concurrent.TimeoutException.class, e -> new RegistryException.Interrupted(
                        session.label() + ": " + what + ": no data for " + idle.toSeconds() + " s at byte " + offset, e))
                .onErrorMap(e -> !(e instanceof RegistryException),
                        e -> RegistryErrors.transport(session.label(), session.host(), e))
                .<byte[]>handle((part, sink) -> {
                    if (part instanceof HttpPart.Head h) {
                        RegistryException bad = checkHead(h.head(), from, ranged);
                        if (bad != null) {
                            sink.error(bad);
                        } else if (h.head().status() == 200) {
                            skip[0] = from;
                        }
                        return;
                    }
                    byte[] b = ((HttpPart.Chunk) part).bytes();
                    session.stats().received(b.length);
                    if (skip[0] > 0) {
                        int drop = (int) Math.min(skip[0], b.length);
                        skip[0] -= drop;
                        b = drop == b.length ? null : Arrays.copyOfRange(b, drop, b.length);
                    }
                    if (b == null) {
                        return;
                    }
                    if (offset + b.length > size) {
                        contentWrong = true;
                        sink.error(new ImageException(session.label() + ": " + what + ": more bytes than the "
                                + size + " its descriptor gives"));
                        return;
                    }
                    md.update(b);
                    offset += b.length;
                    sink.next(b);
                })
                .concatWith(Mono.defer(() -> offset < size && skip[0] == 0
                        ? Mono.error(new RegistryException.Interrupted(session.label() + ": " + what
                                + ": body ended at byte " + offset + " of " + size, null))
                        : skip[0] > 0 ? Mono.error(new RegistryException.Interrupted(session.label() + ": " + what
                                + ": body ended before byte " + from, null)) : Mono.empty()));
    }

    /**
     * {@code parts}, failing with a {@link java.util.concurrent.TimeoutException} once nothing has arrived for
     * {@link #idle}. One periodic check per attempt rather than {@code Flux.timeout}, which schedules and
     * cancels a timer task for every chunk.
     */
    private Flux<HttpPart> idleWatched(Flux<HttpPart> parts) {
        long idleNanos = idle.toNanos();
        Duration tick = Duration.ofNanos(Math.max(idleNanos / 4, 1_000_000));
        long[] last = {System.nanoTime()};
        boolean[] stalled = {false};
        Flux<Long> watchdog = Flux.interval(tick, tick).filter(t -> {
            synchronized (last) {
                stalled[0] = System.nanoTime() - last[0] >= idleNanos;
                return stalled[0];
            }
        });
        return Flux.defer(() -> {
            synchronized (last) {
                last[0] = System.nanoTime();
            }
            return parts.doOnNext(p -> {
                synchronized (last) {
                    last[0] = System.nanoTime();
                }
            });
        }).takeUntilOther(watchdog).concatWith(Mono.defer(() -> {
            synchronized (last) {
                return stalled[0] ? Mono.error(new java.util.concurrent.TimeoutException()) : Mono.empty();
            }
        }));
    }

    /** Null if the answer fits the request, else why not. */
    private RegistryException checkHead(HttpHead head, long from, boolean ranged) {
        if (head.status() == 200) {
            return null;
        }
        if (head.status() == 206 && ranged) {
            Matcher m = CONTENT_RANGE.matcher(String.valueOf(head.header("content-range")).trim());
            if (m.matches() && Long.parseLong(m.group(1)) == from && Long.parseLong(m.group(2)) == size - 1
                    && (m.group(3).equals("*") || Long.parseLong(m.group(3)) == size)) {
                return null;
            }
            // a server that gets ranges wrong is asked for the whole blob from now on
            rangeBroken = true;
            return new RegistryException.Interrupted(session.label() + ": " + what + ": asked for bytes " + from
                    + "-, got Content-Range '" + head.header("content-range") + "'", null);
        }
        return new RegistryException(session.label() + ": " + what + ": unexpected status " + head.status());
    }

    /**
     * Tries again after a failure worth it, at most {@code retryTimes} times without progress; then, or after a
     * failure not worth trying again there, moves to the next endpoint. Content that proved wrong is final.
     */
    private Retry resumeRule() {
        RetryPolicy policy = session.retryPolicy();
        return Retry.from(signals -> signals.concatMap(s -> {
            Throwable f = s.failure();
            if (contentWrong) {
                return Mono.error(f);
            }
            if (offset > offsetAtLastFailure) {
                triesWithoutProgress = 0;
            }
            offsetAtLastFailure = offset;
            if (!RegistryErrors.retryable(f) || ++triesWithoutProgress > policy.times()) {
                int next = sessions.indexOf(session) + 1;
                if (next >= sessions.size()) {
                    return Mono.error(f);
                }
                session = sessions.get(next);
                triesWithoutProgress = 0;
                rangeBroken = false;
                session.stats().retried();
                return Mono.just(0L);
            }
            if (offset > 0) {
                session.stats().resumed();
            } else {
                session.stats().retried();
            }
            Duration after = f instanceof RegistryException.Transient t ? t.retryAfter() : null;
            return Mono.delay(policy.delay(triesWithoutProgress, after));
        }));
    }

    private Mono<byte[]> verify() {
        try {
            Verify.content(session.label() + ": " + what, digest, size, Digest.of(md), offset);
            return Mono.empty();
        } catch (ImageException e) {
            return Mono.error(e);
        }
    }
}
