package io.oci2cfs.store;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;

/**
 * A process for {@link StoreLockTest}: takes the store lock ({@code shared} or {@code exclusive}) on
 * {@code args[1]}, prints {@code locked}, and holds it until a line arrives on stdin. With {@code twice}, it
 * then takes it shared a second time from another thread (as a batch starts a job while others run), prints
 * {@code again}, and holds both until another line arrives.
 */
public final class LockHolder {
    private LockHolder() {
    }

    public static void main(String[] args) throws Exception {
        Path store = Path.of(args[1]);
        try (StoreLock.Hold h = args[0].equals("shared") ? StoreLock.shared(store) : StoreLock.exclusive(store)) {
            System.out.println("locked");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            in.readLine();
            if (args.length > 2 && args[2].equals("twice")) {
                java.util.concurrent.CompletableFuture<StoreLock.Hold> second = java.util.concurrent.CompletableFuture
                        .supplyAsync(() -> {
                            try {
                                return StoreLock.shared(store);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
                try (StoreLock.Hold again = second.get()) {
                    System.out.println("again");
                    System.out.flush();
                    in.readLine();
                }
            }
        }
        System.out.println("released");
    }
}
