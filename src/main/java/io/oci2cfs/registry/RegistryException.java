package io.oci2cfs.registry;

import io.oci2cfs.image.ImageException;
import java.time.Duration;

/** A registry said no, or could not be reached; the message is one line naming the reference and the reason. */
public class RegistryException extends ImageException {
    private static final long serialVersionUID = 1L;

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }

    /** An answer worth asking again: 408, 429 or 5xx, possibly with the server's {@code Retry-After}. */
    static final class Transient extends RegistryException {
        private static final long serialVersionUID = 1L;
        private final transient Duration retryAfter;

        Transient(String message, Duration retryAfter) {
            super(message);
            this.retryAfter = retryAfter;
        }

        /** The wait the server asked for, or null. */
        Duration retryAfter() {
            return retryAfter;
        }
    }

    /** A body that ended early or stalled: resumed from where it stopped. */
    static final class Interrupted extends RegistryException {
        private static final long serialVersionUID = 1L;

        Interrupted(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
