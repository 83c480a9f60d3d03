package io.oci2cfs.testutil;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the fuzz tests accept as the outcome of a parser fed hostile bytes: a value, or the parser's declared
 * input error with a message a user can act on. Anything else (another exception, an error, a hang) fails.
 */
public final class Fuzzing {
    private Fuzzing() {
    }

    /** Checks a declared input error: a message that is not blank and names {@code input} when not null. */
    public static void declared(Throwable e, String input) {
        String message = e.getMessage();
        assertThat(message).as("message of %s", e).isNotBlank();
        if (input != null) {
            assertThat(message).as("message of %s names the input", e).contains(input);
        }
    }
}
