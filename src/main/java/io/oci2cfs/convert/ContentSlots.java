package io.oci2cfs.convert;

import io.oci2cfs.tree.ContentRef;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The contents of one layer's files as the hashing workers finish them: slot {@code i} receives the
 * {@link ContentRef} of the layer's {@code i}-th member, and {@link #whenFilled()} completes once every slot
 * that was reserved is filled and no more will be, or fails with the first worker's error.
 *
 * <p>One array slot per file instead of one Mono per file: a layer of a million small files would otherwise
 * hold a million sinks and subscribers until its last file is hashed.
 */
final class ContentSlots {
    private ContentRef[] refs = new ContentRef[256];
    private final AtomicInteger outstanding = new AtomicInteger(1); // 1 until sealed
    private final Sinks.One<Void> filled = Sinks.one();

    /** Called by the parsing thread before handing a slot to a worker, which then fills or fails it. */
    void reserve() {
        outstanding.incrementAndGet();
    }

    /** Fills a slot nobody reserved (content known at once, on the parsing thread). */
    synchronized void put(int i, ContentRef ref) {
        if (i >= refs.length) {
            refs = Arrays.copyOf(refs, Math.max(i + 1, refs.length * 2));
        }
        refs[i] = ref;
    }

    /** Fills a reserved slot; any thread. */
    void fill(int i, ContentRef ref) {
        put(i, ref);
        release();
    }

    /** Fails the layer; further fills are ignored by {@link #whenFilled()}. */
    void fail(Throwable e) {
        filled.tryEmitError(e);
        release();
    }

    /** No slots will be reserved after this. */
    void seal() {
        release();
    }

    private void release() {
        if (outstanding.decrementAndGet() == 0) {
            filled.tryEmitEmpty();
        }
    }

    Mono<Void> whenFilled() {
        return filled.asMono();
    }

    /** Takes slot {@code i}'s reference out (null if the slot was never filled), so that it can be freed. */
    synchronized ContentRef take(int i) {
        if (i >= refs.length) {
            return null;
        }
        ContentRef r = refs[i];
        refs[i] = null;
        return r;
    }
}
