package io.oci2cfs.registry;

/** What an HTTP exchange emits: its {@link Head} first, then (for a success) the body in {@link Chunk}s. */
sealed interface HttpPart {
    record Head(HttpHead head) implements HttpPart {
    }

    /** Bytes copied out of Netty's buffer, which is released at once. */
    record Chunk(byte[] bytes) implements HttpPart {
    }
}
