package io.oci2cfs.cli;

import io.oci2cfs.convert.ErrorText;

/** Turns exceptions into the one-line messages users see. */
final class Errors {
    private Errors() {
    }

    static String describe(Throwable e) {
        return ErrorText.of(e);
    }
}
