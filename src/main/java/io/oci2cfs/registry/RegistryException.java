package io.oci2cfs.registry;

import io.oci2cfs.error.EnvironmentException;
import java.time.Duration;

/**
 * A registry could not be reached, refused the credentials, or failed; the message is one line naming the
 * reference and the reason. What the registry serves being wrong (a digest mismatch, a manifest we refuse, a
 * reference it does not know) is an {@link io.oci2cfs.image.ImageException} instead.
 */
public class RegistryException extends EnvironmentException {
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
