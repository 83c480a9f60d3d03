package io.oci2cfs.error;

import java.io.IOException;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

/** Waiting for a {@link Mono} from code that declares {@link IOException}s. */
public final class Blocking {
    private Blocking() {
    }

    /**
     * The value of {@code mono}, or its failure as thrown: Reactor wraps a checked exception in a runtime one
     * when {@code block()} rethrows it, and that wrapper is taken off again here.
     */
    public static <T> T block(Mono<T> mono) throws IOException {
        try {
            return mono.block();
        } catch (RuntimeException e) {
            if (Exceptions.unwrap(e) instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }
}
