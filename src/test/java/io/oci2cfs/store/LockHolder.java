package io.oci2cfs.store;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;

/**
 * A process for {@link StoreLockTest}: takes the store lock ({@code shared} or {@code exclusive}) on
 * {@code args[1]}, prints {@code locked}, and holds it until a line arrives on stdin.
 */
public final class LockHolder {
    private LockHolder() {
    }

    public static void main(String[] args) throws Exception {
        Path store = Path.of(args[1]);
        try (StoreLock.Hold h = args[0].equals("shared") ? StoreLock.shared(store) : StoreLock.exclusive(store)) {
            System.out.println("locked");
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in)).readLine();
        }
        System.out.println("released");
    }
}
