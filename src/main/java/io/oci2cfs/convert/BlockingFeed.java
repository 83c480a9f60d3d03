package io.oci2cfs.convert;

import java.io.InterruptedIOException;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * A {@link Flux} fed by a blocking producer, the tar parser: {@link #next} waits until the subscriber asks
 * for more, so the parser runs no further ahead than the demand downstream (the hashing capacity). Once the
 * subscriber cancels, nothing waits any more and what is fed is handed to {@code discard}.
 *
 * <p>The parser stays a blocking reader on the thread that owns the blob's stream (each file's content is
 * readable only during the parser's callback), so the Flux cannot pull from it; this is the bridge.
 */
final class BlockingFeed<T> {
    private final Semaphore demand = new Semaphore(0);
    private final Consumer<? super T> discard;
    private final Flux<T> flux;
    private volatile FluxSink<T> sink;
    /** Set once demand is unbounded or the subscriber is gone: {@link #next} no longer waits. */
    private volatile boolean unbounded;

    BlockingFeed(Consumer<? super T> discard) {
        this.discard = discard;
        this.flux = Flux.create(s -> {
            s.onRequest(this::requested);
            s.onCancel(this::unblock);
            sink = s;
        });
    }

    /** The members as they are fed; subscribe once, before feeding. */
    Flux<T> flux() {
        return flux;
    }

    private void requested(long n) {
        if (n >= Integer.MAX_VALUE / 2) {
            unblock();
        } else {
            demand.release((int) n);
        }
    }

    private void unblock() {
        unbounded = true;
        demand.release();
    }

    /** True once the subscriber has cancelled (say, a worker failed): what is fed now is discarded. */
    boolean cancelled() {
        FluxSink<T> s = sink;
        return s != null && s.isCancelled();
    }

    /** Emits {@code item} once the subscriber has asked for it, waiting until then. */
    void next(T item) throws InterruptedIOException {
        FluxSink<T> s = sink;
        if (s == null) {
            throw new IllegalStateException("the feed's Flux is not subscribed");
        }
        if (!unbounded) {
            try {
                demand.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                discard.accept(item);
                throw new InterruptedIOException("interrupted while waiting for hashing workers");
            }
        }
        if (s.isCancelled()) {
            discard.accept(item);
            return;
        }
        s.next(item);
    }

    void complete() {
        sink.complete();
    }

    void error(Throwable e) {
        FluxSink<T> s = sink;
        if (s != null) {
            s.error(e);
        }
    }
}
