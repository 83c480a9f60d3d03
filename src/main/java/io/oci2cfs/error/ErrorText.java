package io.oci2cfs.error;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The one-line text of a failure. The JDK's file exceptions often carry only a path as their message; this
 * adds the reason their type stands for.
 */
public final class ErrorText {
    private ErrorText() {
    }

    public static String of(Throwable e) {
        e = FailureKind.unwrap(e);
        String m = e.getMessage();
        if (e instanceof FileSystemException fse && fse.getReason() == null) {
            String reason = e instanceof NoSuchFileException ? "no such file or directory"
                    : e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof NotDirectoryException ? "not a directory"
                    : e instanceof FileAlreadyExistsException ? "already exists"
                    : null;
            if (reason != null) {
                return m + ": " + reason;
            }
        }
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return m.replace('\n', ' ');
    }
}
