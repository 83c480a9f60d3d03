package io.oci2cfs.dump;

import io.oci2cfs.error.BadInputException;

/** A dump file that cannot be read; the message carries the line number and the reason. */
public final class DumpException extends BadInputException {
    private final long line;

    public DumpException(long line, String reason) {
        super(line > 0 ? "line " + line + ": " + reason : reason);
        this.line = line;
    }

    /** The 1-based line number, or 0 when the error concerns the whole file. */
    public long line() {
        return line;
    }
}
