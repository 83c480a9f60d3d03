package io.oci2cfs.error;

/** The input may be fine, but the machine or the network failed: no space left, permission denied, a kernel that refuses a mount, an unreachable registry. The message names the path or host. */
public class EnvironmentException extends Oci2cfsException {
    private static final long serialVersionUID = 1L;

    public EnvironmentException(String message) {
        super(message, null);
    }

    public EnvironmentException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public final FailureKind kind() {
        return FailureKind.ENVIRONMENT;
    }
}
